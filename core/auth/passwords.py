"""Password hashing with argon2id, bounded in memory.

argon2-cffi's defaults take 64 MiB per hash, so a burst of logins could push a worker past
its memory budget; OWASP's lower-memory profile (19 MiB, 2 passes) plus a semaphore on
concurrent hashes keeps a worker's peak predictable.

And the memory must go back after the burst. glibc serves a 19 MiB block with mmap, then
raises its mmap threshold to that size once the block is freed (the "dynamic threshold"),
so the next hashes come from the hashing threads' heaps, which keep the memory: a worker
measured 76 MiB larger after 160 logins (issue 11, worker <= 250 MB). A fixed threshold
(`_keep_big_blocks_mapped`) keeps every block over 1 MiB mapped and returned on free.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

log = logging.getLogger("merimna.auth")

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
MMAP_THRESHOLD = 1 << 20


def _keep_big_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold at 1 MiB for this process; False where there is no glibc
    (musl, macOS), whose allocators do not keep such blocks in the first place."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


BIG_BLOCKS_MAPPED = _keep_big_blocks_mapped()

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_slots = asyncio.Semaphore(2)

# A well-formed hash of a random password: verifying against it when the user does not exist
# keeps the response time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("merimna-no-such-user")


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    async with _slots:
        return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    async with _slots:
        return await asyncio.to_thread(
            _verify, password_hash or _DUMMY_HASH, password, password_hash is None
        )


def _verify(password_hash: str, password: str, dummy: bool) -> bool:
    try:
        ok = _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and not dummy


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
