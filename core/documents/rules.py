"""What an upload may be: types by their bytes (never by name or header), codes, dates."""

from __future__ import annotations

import re
from collections.abc import Collection

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ALLOWED_TYPES = (PDF, PNG, JPEG)
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}

CORE_DOC_TYPES = (
    "id_card",
    "tax_assessment",
    "medical_certificate",
    "disability_decision",
    "prosecutor_order",
    "residence_proof",
    "consent_form",
    "other",
)
# Documents whose type alone reveals health or criminal-offence data: shown only to roles
# that may see special categories (GDPR art. 9 and 10).
SPECIAL_DOC_TYPES = frozenset({"medical_certificate", "disability_decision", "prosecutor_order"})

MODULE_CODE = re.compile(r"^([a-z][a-z0-9_]{1,40})\.([a-z][a-z0-9_]{0,62})$")


def sniff(content: bytes) -> str | None:
    """The content type the bytes really are, among the allowed ones; None otherwise."""
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return PNG
    if (
        content.startswith(b"\xff\xd8\xff")
        and len(content) > 4
        and content[3] in range(0xC0, 0x100)
    ):
        return JPEG
    return None


def module_of(code: str) -> str | None:
    """The module slug of a `{module}.{name}` code, or None for a core code."""
    match = MODULE_CODE.match(code)
    return match.group(1) if match else None


def doc_type_allowed(code: str, modules: Collection[str]) -> bool:
    if code in CORE_DOC_TYPES:
        return True
    module = module_of(code)
    return module is not None and module in modules


def safe_filename(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"')
    return name.strip()[:200] or "document"
