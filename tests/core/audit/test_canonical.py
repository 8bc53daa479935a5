"""The chain's canonical text is assembled by hand for speed (issue 11: verifying a million
records <= 10 s); it must stay byte for byte the definition below, or every existing chain
would stop verifying."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from core.audit import chain
from core.audit.chain import canonical, link
from tests.core.audit.helpers import as_tenant
from tests.core.audit.test_chain import TAMPERING, _sealed_tenant


def reference(row: dict[str, Any]) -> str:
    """The definition: `json.dumps` of the fields, sorted keys, compact, not ASCII-escaped."""
    at = row["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    details = row.get("details")
    if isinstance(details, str):
        with contextlib.suppress(ValueError):
            details = json.loads(details) if details else {}
    data = {
        "id": str(row["id"]),
        "tenant_id": str(row["tenant_id"]),
        "seq": int(row["seq"]),
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": str(row["user_id"]) if row.get("user_id") else None,
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "outcome": row["outcome"],
        "request_id": row["request_id"],
        "client_address": row["client_address"],
        "details": details if details is not None else {},
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


TEXTS = ["", "read", 'quo"te', "back\\slash", "νέα γραμμή\nκαι\ttab", "emoji 🙂", "\x01ctl", None]
DETAILS: list[Any] = [
    {},
    "{}",
    "",
    None,
    '{"b": 1, "a": [1, 2, "χ"]}',
    {"fields": ["phone", "amka"], "n": 3, "nested": {"z": None, "a": 1.5}},
    "not json",
    {"κλειδί": 'τιμή "με" εισαγωγικά'},
]


def test_canonical_is_the_json_definition_byte_for_byte() -> None:
    rng = random.Random(5)
    for i in range(3000):
        at: Any = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(microseconds=rng.randrange(10**13))
        if i % 3 == 1:
            at = at.astimezone(timezone(timedelta(hours=3)))
        elif i % 3 == 2:
            at = at.replace(tzinfo=None).isoformat(sep=" ")  # SQLite hands back text
        row = {
            "id": UUID(int=rng.getrandbits(128)),
            "tenant_id": str(UUID(int=rng.getrandbits(128))),
            "seq": rng.randrange(1, 10**9),
            "at": at,
            "user_id": rng.choice([None, "", UUID(int=rng.getrandbits(128))]),
            "action": rng.choice(TEXTS[:-1]),
            "object_type": rng.choice(TEXTS),
            "object_id": rng.choice(TEXTS),
            "outcome": rng.choice(TEXTS),
            "request_id": rng.choice(TEXTS),
            "client_address": rng.choice(TEXTS),
            "details": rng.choice(DETAILS),
        }
        assert canonical(row) == reference(row), row
    assert link("", row) != link("x", row)


@pytest.mark.parametrize("kind", sorted(TAMPERING))
async def test_verify_reading_ahead_in_small_batches_still_names_the_first_bad_seq(
    client: Any, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 2 over a chain of 6: the next batch is already requested when a bad record
    is found (PostgreSQL), and a verify afterwards runs on a clean connection."""
    monkeypatch.setattr(chain, "VERIFY_BATCH", 2)
    tamper, bad_seq, words = TAMPERING[kind]
    tenant_id = await _sealed_tenant(6)
    intact = await chain.verify(tenant_id)
    assert intact.ok and intact.records == 6, intact.problem
    async with as_tenant(tenant_id):
        await tamper(tenant_id)
    checked = await chain.verify(tenant_id)
    assert not checked.ok
    assert checked.bad_seq == bad_seq, checked.problem
    assert checked.problem is not None and words in checked.problem
    other = await _sealed_tenant(5)
    assert (await chain.verify(other)).records == 5
