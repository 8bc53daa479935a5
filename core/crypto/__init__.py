"""Encryption of sensitive values with per-tenant keys (see `keys` for the key hierarchy).

`encrypt`/`decrypt` use the tenant in context and bind each ciphertext to that tenant and to a
purpose string (e.g. "casework_note.body") as AES-GCM associated data, so a value copied into
another tenant's row, or into another column, does not decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.crypto.fields import EncryptedText
from core.crypto.keys import KeyUnavailable, current_key, key_version
from tenants.scoping import current_tenant_id

PREFIX = "enc:v1:"
BYTES_MAGIC = b"MENC1"


class DecryptionError(ValueError):
    """A ciphertext that does not belong to this tenant or purpose, or was altered."""


def _aad(purpose: str) -> bytes:
    return current_tenant_id().bytes + purpose.encode()


async def encrypt(value: str | None, purpose: str = "") -> str | None:
    if value is None:
        return None
    version, key = await current_key(current_tenant_id())
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), _aad(purpose))
    return f"{PREFIX}{version}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


async def decrypt(token: str | None, purpose: str = "") -> str | None:
    if token is None or token == "":
        return None if token is None else ""
    if not token.startswith(PREFIX):
        raise DecryptionError("not an encrypted value")
    version_text, _, body = token[len(PREFIX) :].partition(":")
    key = await key_version(current_tenant_id(), int(version_text))
    raw = base64.urlsafe_b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(purpose)).decode()
    except InvalidTag:
        raise DecryptionError("the value does not decrypt for this tenant and purpose") from None


async def encrypt_bytes(data: bytes, purpose: str = "") -> bytes:
    """Files at rest: MAGIC | version (4 bytes) | nonce | ciphertext."""
    version, key = await current_key(current_tenant_id())
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, data, _aad(purpose))
    return BYTES_MAGIC + version.to_bytes(4, "big") + nonce + sealed


async def decrypt_bytes(blob: bytes, purpose: str = "") -> bytes:
    if not blob.startswith(BYTES_MAGIC):
        raise DecryptionError("not an encrypted file")
    head = len(BYTES_MAGIC)
    version = int.from_bytes(blob[head : head + 4], "big")
    key = await key_version(current_tenant_id(), version)
    nonce, sealed = blob[head + 4 : head + 16], blob[head + 16 :]
    try:
        return AESGCM(key).decrypt(nonce, sealed, _aad(purpose))
    except InvalidTag:
        raise DecryptionError("the file does not decrypt for this tenant and purpose") from None


__all__ = [
    "DecryptionError",
    "EncryptedText",
    "KeyUnavailable",
    "decrypt",
    "decrypt_bytes",
    "encrypt",
    "encrypt_bytes",
]
