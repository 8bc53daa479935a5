"""Limits of uploads, from the environment: `MERIMNA_DOCUMENT_MAX_BYTES` (default 10 MB)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Room for the multipart framing and the metadata fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class DocumentSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MERIMNA_DOCUMENT_", env_file=".env", extra="ignore", frozen=True
    )

    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)


@lru_cache(maxsize=1)
def document_settings() -> DocumentSettings:
    return DocumentSettings()
