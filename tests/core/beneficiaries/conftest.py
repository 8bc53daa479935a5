"""Helpers for the registry's tests."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from core.beneficiaries.identifiers import make_afm, make_amka

_seq = itertools.count(1)


def person(**overrides: Any) -> dict[str, Any]:
    """A valid create body with a fresh AMKA (unique per call)."""
    n = next(_seq)
    birth = overrides.pop("birth", date(1980, 5, 17))
    body: dict[str, Any] = {
        "first_name": "Ελένη",
        "last_name": "Παπαδοπούλου",
        "birth_date": birth.isoformat(),
        "amka": make_amka(birth, 2 * n, "female"),
    }
    body.update(overrides)
    return body


def afm(n: int) -> str:
    return make_afm(10_000_000 + n)
