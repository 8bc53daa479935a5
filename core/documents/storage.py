"""Files of the document register: encrypted at rest, under random names, per tenant.

`MERIMNA_DATA_DIR/<tenant_id>/documents/<64 hex characters>`: the name says nothing about the
person or the document. The content is sealed with AES-256-GCM under the tenant's data key
(`core.crypto.encrypt_bytes`); the associated data binds the file to its tenant and document
id, so a file copied under another document's name, or into another tenant, does not decrypt.

A file is written to a temporary name and renamed into place, so a reader never sees half a
file. The database row is written first and the file last (see services); a file left
without a row (a commit that failed afterwards) is removed by `sweep_orphans`.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from uuid import UUID

from core.crypto import decrypt_bytes, encrypt_bytes
from tenants.archive import tenant_dir

PART = ".part"


def documents_dir(tenant_id: UUID) -> Path:
    return tenant_dir(tenant_id) / "documents"


def new_key() -> str:
    return secrets.token_hex(32)


def path_for(tenant_id: UUID, key: str) -> Path:
    if len(key) != 64 or any(ch not in "0123456789abcdef" for ch in key):
        raise ValueError("not a storage key")
    return documents_dir(tenant_id) / key


def _purpose(document_id: UUID) -> str:
    return f"document.file:{document_id}"


async def write(tenant_id: UUID, document_id: UUID, key: str, content: bytes) -> Path:
    sealed = await encrypt_bytes(content, _purpose(document_id))
    final = path_for(tenant_id, key)
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = final.with_name(final.name + PART)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(sealed)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return final


async def read(tenant_id: UUID, document_id: UUID, key: str) -> bytes:
    return await decrypt_bytes(path_for(tenant_id, key).read_bytes(), _purpose(document_id))


def remove(tenant_id: UUID, key: str) -> None:
    path_for(tenant_id, key).unlink(missing_ok=True)


def stored_keys(tenant_id: UUID, older_than_seconds: float = 0) -> list[tuple[str, Path]]:
    """Files in the tenant's folder (final and temporary) older than the given age."""
    folder = documents_dir(tenant_id)
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    out = []
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime <= cutoff:
            out.append((path.name.removesuffix(PART), path))
    return out
