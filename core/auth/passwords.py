"""Password hashing with argon2id, bounded in memory.

argon2-cffi's defaults take 64 MiB per hash, so a burst of logins could push a worker past
its memory budget; OWASP's lower-memory profile (19 MiB, 2 passes) plus a semaphore on
concurrent hashes keeps a worker's peak predictable.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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
