"""Search keys of a person and the plan of a search query (pure: no I/O).

Every searchable token of a person is stored (folded Greek words, phonetic keys of Greek and
official Latin names, identifiers as digits); a query word matches when one of its
alternatives is a prefix of one of the person's tokens, and every query word must match.
Prefix lookups on an index led by the tenant work the same on SQLite and PostgreSQL and never
scan the table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from core.beneficiaries.identifiers import national_phone_digits
from core.errors import RequestValidationError
from core.text import fold, phonetic_key, query_alternatives, words

TOKEN_LENGTH = 64
MIN_QUERY = 2
MAX_QUERY_WORDS = 6
_ID_QUERY = re.compile(r"^\+?\d[\d\s\-./()]*$")
_TAX_PREFIX = re.compile(r"^(?:el|gr)(\d{9})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-./()]+")
_TOKEN_CHARS = re.compile(r"[^0-9a-zA-Z\u0370-\u03ff]")


def person_tokens(person: dict[str, Any]) -> set[str]:
    """Every token under which a person can be found."""
    tokens: set[str] = set()
    for field in ("last_name", "first_name"):
        for word in words(person.get(field) or ""):
            tokens.add(word)
            tokens.add(phonetic_key(word))
    # The official Latin form adds only its phonetic key: a Latin query is matched by
    # phonetic keys anyway, so the folded Latin word would be a redundant row.
    for field in ("latin_last_name", "latin_first_name"):
        for word in words(person.get(field) or ""):
            tokens.add(phonetic_key(word))
    for field in ("amka", "afm"):
        if person.get(field):
            tokens.add(person[field])
    if person.get("personal_number"):
        tokens.add(fold(person["personal_number"]))
    if person.get("id_document_number"):
        tokens.add(fold(person["id_document_number"]))
    for phone in [person.get("phone"), *(person.get("other_phones") or [])]:
        if phone:
            tokens.add(national_phone_digits(phone))
    return {t[:TOKEN_LENGTH] for t in tokens if t}


def sort_key(person: dict[str, Any]) -> str:
    return fold(f"{person.get('last_name', '')} {person.get('first_name', '')}").strip()[:250]


def name_key(person: dict[str, Any]) -> str:
    return " ".join(words(f"{person.get('last_name', '')} {person.get('first_name', '')}"))[:250]


def latin_key(person: dict[str, Any]) -> str:
    keys = [
        phonetic_key(w)
        for w in words(f"{person.get('last_name', '')} {person.get('first_name', '')}")
    ]
    return " ".join(k for k in keys if k)[:250]


def duplicate_key(person: dict[str, Any]) -> str:
    """Same person, spelled alike: the sorted phonetic keys of first and last name."""
    keys = sorted(
        phonetic_key(w)
        for w in words(f"{person.get('last_name', '')} {person.get('first_name', '')}")
    )
    return " ".join(keys)


def search_key(person: dict[str, Any]) -> str:
    parts = [name_key(person), latin_key(person)]
    for field in ("amka", "afm"):
        if person.get(field):
            parts.append(person[field])
    if person.get("phone"):
        parts.append(national_phone_digits(person["phone"]))
    return " ".join(p for p in parts if p)


def _too_short() -> RequestValidationError:
    return RequestValidationError.single("q", "search_too_short", min_length=MIN_QUERY)


def _shortest(alternatives: list[str]) -> list[str]:
    """The alternatives without those that start with another one: a token that starts with
    `georg` starts with `geor`, so `georg` adds no match, only a range to read (and people
    found twice). Order kept."""
    return [a for a in alternatives if not any(b != a and a.startswith(b) for b in alternatives)]


def plan(q: str) -> list[list[str]]:
    """Per query word, the prefixes any of which must start one of the person's tokens.

    A query of digits (with spaces, dashes, a + or an EL prefix) is one identifier: an
    AMKA, AFM or phone number; `+30`/`0030` is dropped to reach the national number.
    Raises a 422 on `q` when nothing of 2 or more characters is left: never a table scan.
    """
    text = q.strip()
    tax = _TAX_PREFIX.match(_SEPARATORS.sub("", text))
    if tax:
        return [[tax.group(1)]]
    if _ID_QUERY.match(text):
        digits = _SEPARATORS.sub("", text)
        if digits.startswith("+30"):
            digits = digits[3:]
        elif digits.startswith("0030"):
            digits = digits[4:]
        digits = digits.lstrip("+")
        if len(digits) < MIN_QUERY:
            raise _too_short()
        return [[digits[:TOKEN_LENGTH]]]
    raw_words = [w for w in re.split(r"[\s,;]+|(?<=\w)[-‐](?=\w)", text) if w]
    plans: list[list[str]] = []
    for word in raw_words:
        alternatives = [_TOKEN_CHARS.sub("", a)[:TOKEN_LENGTH] for a in query_alternatives(word)]
        alternatives = _shortest([a for a in dict.fromkeys(alternatives) if len(a) >= MIN_QUERY])
        if alternatives:
            plans.append(alternatives)
    if not plans:
        raise _too_short()
    return plans[:MAX_QUERY_WORDS]


def matches(plans: Iterable[list[str]], tokens: set[str]) -> bool:
    """The same rule as the database query, for tests and in-memory checks."""
    return all(any(t.startswith(a) for a in alts for t in tokens) for alts in plans)
