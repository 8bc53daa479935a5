"""Envelope encryption: values bound to their tenant and purpose, rotation, crypto-shredding."""

from __future__ import annotations

from typing import Any

import pytest

from core import db
from core.crypto import DecryptionError, decrypt, decrypt_bytes, encrypt, encrypt_bytes
from core.crypto.keys import (
    KeyUnavailable,
    forget,
    kek,
    rotate_master_key,
    rotate_tenant_key,
    shred_tenant_keys,
)
from core.crypto.tables import TenantKey
from core.settings import get_settings
from core.testing import make_tenant
from tenants.scoping import tenant_context


async def _in(tenant_id: Any, fn: Any, *args: Any) -> Any:
    with tenant_context(tenant_id):
        async with db.transaction():
            await db.set_rls_tenant(tenant_id)
            return await fn(*args)


async def test_round_trip_and_ciphertext_is_not_plaintext(client: Any) -> None:
    t = await make_tenant()
    token = await _in(t.id, encrypt, "Κατάθλιψη, λήψη φαρμάκων", "note.body")
    assert token.startswith("enc:v1:")
    assert "Κατάθλιψη" not in token
    assert await _in(t.id, decrypt, token, "note.body") == "Κατάθλιψη, λήψη φαρμάκων"
    assert await _in(t.id, decrypt, None, "note.body") is None


async def test_a_value_does_not_decrypt_in_another_tenant_or_column(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    token = await _in(a.id, encrypt, "secret", "note.body")
    with pytest.raises(DecryptionError):
        await _in(a.id, decrypt, token, "other.column")
    # B has its own key; even forcing B's context with A's version number fails.
    with pytest.raises((DecryptionError, KeyUnavailable)):
        await _in(b.id, decrypt, token, "note.body")


async def test_files_round_trip(client: Any) -> None:
    t = await make_tenant()
    blob = await _in(t.id, encrypt_bytes, b"%PDF-1.7 data", "document")
    assert b"%PDF" not in blob
    assert await _in(t.id, decrypt_bytes, blob, "document") == b"%PDF-1.7 data"


async def test_wrapped_keys_never_store_the_raw_key(client: Any) -> None:
    from core.crypto.keys import current_key

    t = await make_tenant()
    _version, raw = await _in(t.id, current_key, t.id)
    row = await TenantKey.select().where(TenantKey.tenant_id == t.id).first()
    assert row is not None
    assert raw.hex() not in row["wrapped_key"] and raw not in row["wrapped_key"].encode()


async def test_tenant_key_rotation_keeps_old_values_readable(client: Any) -> None:
    t = await make_tenant()
    old = await _in(t.id, encrypt, "before", "p")
    version = await rotate_tenant_key(t.id)
    new = await _in(t.id, encrypt, "after", "p")
    assert new.startswith(f"enc:v1:{version}:")
    assert old.split(":")[2] != new.split(":")[2]
    assert await _in(t.id, decrypt, old, "p") == "before"
    assert await _in(t.id, decrypt, new, "p") == "after"


async def test_master_key_rotation_rewraps_without_reencrypting(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = await make_tenant()
    token = await _in(t.id, encrypt, "kept", "p")
    old_master, new_master = get_settings().master_key, "n" * 48
    count = await rotate_master_key(old_master, new_master)
    assert count >= 1
    try:
        rotated = get_settings().model_copy(update={"master_key": new_master})
        monkeypatch.setattr("core.crypto.keys.get_settings", lambda: rotated)
        forget()
        assert await _in(t.id, decrypt, token, "p") == "kept"
    finally:
        monkeypatch.undo()
        await rotate_master_key(new_master, old_master)
        forget()
    assert kek(new_master) != kek(old_master)
    assert await _in(t.id, decrypt, token, "p") == "kept"


async def test_shredding_a_tenants_keys_makes_its_values_unreadable(client: Any) -> None:
    t, other = await make_tenant(), await make_tenant()
    token = await _in(t.id, encrypt, "gone", "p")
    kept = await _in(other.id, encrypt, "stays", "p")
    assert await shred_tenant_keys(t.id) >= 1
    with pytest.raises(KeyUnavailable):
        await _in(t.id, decrypt, token, "p")
    assert await _in(other.id, decrypt, kept, "p") == "stays"
