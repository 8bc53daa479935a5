"""Envelope encryption with a data key per tenant (AES-256-GCM).

The master key from configuration derives (HKDF-SHA256) the key-encryption key that wraps each
tenant's data keys. Rotating the master key re-wraps the data keys without touching any
encrypted value; rotating a tenant's key adds a version used for new writes while older
versions keep decrypting; deleting a tenant's keys makes its encrypted values unreadable
(crypto-shredding), while codes kept in clear for statutory counts stay usable.
"""

from __future__ import annotations

import base64
import os
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core import db
from core.crypto.tables import TenantKey
from core.settings import get_settings

CACHE_SECONDS = 60.0

# (tenant, version) -> raw data key; tenant -> (current version, cached at)
_keys: dict[tuple[UUID, int], bytes] = {}
_current: dict[UUID, tuple[int, float]] = {}


class KeyUnavailable(RuntimeError):
    """The tenant's key for this value no longer exists (shredded) or cannot be unwrapped."""


def kek(master_key: str | None = None) -> bytes:
    material = (master_key or get_settings().master_key).encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"merimna-kek", info=b"tenant-data-keys v1"
    ).derive(material)


def _aad(tenant_id: UUID, version: int) -> bytes:
    return tenant_id.bytes + version.to_bytes(4, "big")


def wrap(data_key: bytes, tenant_id: UUID, version: int, master_key: str | None = None) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(kek(master_key)).encrypt(nonce, data_key, _aad(tenant_id, version))
    return base64.b64encode(nonce + sealed).decode()


def unwrap(wrapped: str, tenant_id: UUID, version: int, master_key: str | None = None) -> bytes:
    raw = base64.b64decode(wrapped)
    try:
        return AESGCM(kek(master_key)).decrypt(raw[:12], raw[12:], _aad(tenant_id, version))
    except InvalidTag:
        raise KeyUnavailable("a tenant key cannot be unwrapped with this master key") from None


def forget(tenant_id: UUID | None = None) -> None:
    """Drop cached keys (after rotation or shredding; all tenants when None)."""
    if tenant_id is None:
        _keys.clear()
        _current.clear()
        return
    for key in [k for k in _keys if k[0] == tenant_id]:
        del _keys[key]
    _current.pop(tenant_id, None)


async def current_key(tenant_id: UUID) -> tuple[int, bytes]:
    """The key new values of this tenant are encrypted with, created on first use."""
    cached = _current.get(tenant_id)
    if cached and time.monotonic() - cached[1] < CACHE_SECONDS and (tenant_id, cached[0]) in _keys:
        return cached[0], _keys[(tenant_id, cached[0])]
    row = (
        await TenantKey.select(TenantKey.version, TenantKey.wrapped_key)
        .where((TenantKey.tenant_id == tenant_id) & TenantKey.retired_at.is_null())
        .order_by(TenantKey.version, ascending=False)
        .first()
    )
    if row is None:
        await _create_key(tenant_id, await _next_version(tenant_id))
        return await current_key(tenant_id)
    key = unwrap(row["wrapped_key"], tenant_id, row["version"])
    _keys[(tenant_id, row["version"])] = key
    _current[tenant_id] = (row["version"], time.monotonic())
    return row["version"], key


async def key_version(tenant_id: UUID, version: int) -> bytes:
    cached = _keys.get((tenant_id, version))
    if cached is not None:
        return cached
    row = (
        await TenantKey.select(TenantKey.wrapped_key)
        .where((TenantKey.tenant_id == tenant_id) & (TenantKey.version == version))
        .first()
    )
    if row is None:
        raise KeyUnavailable(f"tenant key version {version} does not exist (shredded?)")
    key = unwrap(row["wrapped_key"], tenant_id, version)
    _keys[(tenant_id, version)] = key
    return key


async def _next_version(tenant_id: UUID) -> int:
    rows = await TenantKey.select(TenantKey.version).where(TenantKey.tenant_id == tenant_id)
    return max((r["version"] for r in rows), default=0) + 1


async def _create_key(tenant_id: UUID, version: int) -> None:
    data_key = AESGCM.generate_key(bit_length=256)
    async with db.transaction():
        # A concurrent first use may create the same version: the unique index keeps one.
        await TenantKey.insert(
            TenantKey(
                id=uuid4(),
                tenant_id=tenant_id,
                version=version,
                wrapped_key=wrap(data_key, tenant_id, version),
                created_at=datetime.now(UTC),
            )
        ).on_conflict(action="DO NOTHING")


async def rotate_tenant_key(tenant_id: UUID) -> int:
    """A new key version for new writes; older versions stay for reading."""
    async with db.transaction():
        version = await _next_version(tenant_id)
        await _create_key(tenant_id, version)
    forget(tenant_id)
    return version


async def rotate_master_key(old_master: str, new_master: str) -> int:
    """Re-wrap every tenant key under a new master key; returns the number of keys."""
    count = 0
    async with db.transaction():
        rows = await TenantKey.select(
            TenantKey.id, TenantKey.tenant_id, TenantKey.version, TenantKey.wrapped_key
        )
        for row in rows:
            raw = unwrap(row["wrapped_key"], row["tenant_id"], row["version"], old_master)
            await TenantKey.update(
                {TenantKey.wrapped_key: wrap(raw, row["tenant_id"], row["version"], new_master)}
            ).where(TenantKey.id == row["id"])
            count += 1
    forget()
    return count


async def shred_tenant_keys(tenant_id: UUID) -> int:
    """Crypto-shredding: delete every key of the tenant, so its ciphertexts are noise."""
    async with db.transaction():
        rows = await TenantKey.select(TenantKey.id).where(TenantKey.tenant_id == tenant_id)
        await TenantKey.delete().where(TenantKey.tenant_id == tenant_id)
    forget(tenant_id)
    return len(rows)
