"""Outcome notes at rest: encrypted with the tenant's key (`core.crypto`).

An outcome note can be clinical ("discussed the child's anxiety"), so it is stored as
ciphertext bound to the tenant and to the purpose `appointment.notes`: copied into another
tenant's row or another column, it does not decrypt. Reading a note is an explicit call, so
code that shows one says so.
"""

from __future__ import annotations

from core import crypto

PURPOSE = "appointment.notes"


async def seal(text: str) -> str:
    """The ciphertext of a note for the tenant in context ("" stays "")."""
    if not text:
        return ""
    return await crypto.encrypt(text, PURPOSE) or ""


async def unseal(stored: str | None) -> str:
    """The note's text; a value stored before encryption (no `enc:` prefix) is returned as is."""
    if not stored:
        return ""
    if not stored.startswith(crypto.PREFIX):
        return stored
    return await crypto.decrypt(stored, PURPOSE) or ""
