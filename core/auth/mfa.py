"""The second factor: TOTP secrets sealed at rest, codes checked once, recovery codes hashed.

The TOTP secret is encrypted with AES-256-GCM under a key derived (HKDF-SHA256) from
`MERIMNA_MASTER_KEY`, with the user's id as associated data, so a database dump alone gives
no secrets and a sealed secret copied onto another account does not open. This helper stays
here, apart from the per-tenant data keys of `core.crypto`: accounts are platform records.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from uuid import UUID

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.settings import Settings

ISSUER = "Merimna"
RECOVERY_CODE_COUNT = 10
_SEAL_VERSION = "v1"
_HKDF_SALT = b"merimna/auth"
_HKDF_INFO = b"merimna/auth/totp-secret/v1"
# Lowercase base32 without look-alikes is easy to read back from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class SealError(ValueError):
    """A sealed secret does not open: wrong master key, another user's row, or damaged."""


def _key(settings: Settings) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        settings.master_key.encode()
    )


def seal_secret(secret: str, user_id: UUID, settings: Settings) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(settings)).encrypt(nonce, secret.encode(), user_id.bytes)
    return f"{_SEAL_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def open_secret(blob: str, user_id: UUID, settings: Settings) -> str:
    try:
        version, data = blob.split(".", 1)
        if version != _SEAL_VERSION:
            raise SealError("unknown seal version")
        raw = base64.urlsafe_b64decode(data.encode())
        return AESGCM(_key(settings)).decrypt(raw[:12], raw[12:], user_id.bytes).decode()
    except (ValueError, InvalidTag) as exc:
        raise SealError("the second-factor secret cannot be opened") from exc


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, account_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def totp_step(secret: str, code: str, *, after_step: int, now: float | None = None) -> int | None:
    """The time step a TOTP code belongs to (one step of clock drift either way), or None.

    A step not later than `after_step` (the last one accepted) is refused, so an observed
    code cannot be replayed within its validity window.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    at = time.time() if now is None else now
    current = totp.timecode(at)
    for offset in (-1, 0, 1):
        step = current + offset
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes of 16 characters (~79 bits): a plain SHA-256 is enough to store them."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.strip().lower() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def match_recovery_code(code: str, hashes_stored: list[str]) -> str | None:
    """The stored hash that `code` matches, or None (compared in constant time)."""
    if len(_normalise_recovery(code)) != 16:
        return None
    candidate = hash_recovery_code(code)
    found = None
    for stored in hashes_stored:
        if hmac.compare_digest(candidate, str(stored)):
            found = str(stored)
    return found
