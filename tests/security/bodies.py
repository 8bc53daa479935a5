"""Plausible request bodies built from the OpenAPI schema (required fields only).

Good enough to get past body validation on most routes, so a probe reaches the handler's
lookup of the object in the path (and of any id inside the body).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def _deref(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 10:
        name = schema["$ref"].split("/")[-1]
        schema = openapi["components"]["schemas"][name]
        seen += 1
    return schema


def request_schema(openapi: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json")
    if not media:
        return None
    return _deref(openapi, media.get("schema") or {})


def _day(ahead: int = 21) -> date:
    day = date.today() + timedelta(days=ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def example(
    openapi: dict[str, Any], schema: dict[str, Any], ids: dict[str, list[str]], name: str = ""
) -> Any:
    """A value for `schema`; UUID fields take an id from `ids` by field name when there is one."""
    schema = _deref(openapi, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _deref(openapi, o).get("type") != "null"]
            return example(openapi, options[0], ids, name) if options else None
    if "allOf" in schema:
        return example(openapi, schema["allOf"][0], ids, name)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if kind == "object" or "properties" in schema:
        required = schema.get("required") or []
        props = schema.get("properties") or {}
        return {k: example(openapi, props[k], ids, k) for k in required if k in props}
    if kind == "array":
        item = example(openapi, schema.get("items") or {}, ids, name.removesuffix("s"))
        return [item] * max(1, int(schema.get("minItems") or 1))
    if kind == "integer":
        return int(schema.get("minimum") or 1)
    if kind == "number":
        return float(schema.get("minimum") or 1)
    if kind == "boolean":
        return False
    if fmt == "uuid" or name.endswith(("_id", "_ids")):
        key = name.removesuffix("s") if name.endswith("_ids") else name
        pool = ids.get(key) or ids.get(f"~{key.removesuffix('_id')}") or ids.get("person_id") or []
        return pool[0] if pool else "00000000-0000-4000-8000-000000000000"
    if fmt == "date":
        return _day().isoformat()
    if fmt == "date-time":
        return f"{_day().isoformat()}T10:00:00+02:00"
    if fmt == "time":
        return "10:00"
    if fmt == "email":
        return "probe@example.org"
    if fmt == "decimal" or schema.get("pattern", "").startswith("^(?!^[-+.]*$)"):
        return "1"
    low = int(schema.get("minLength") or 1)
    return "Δοκιμή"[: max(low, 6)] if low <= 6 else "α" * low


# -- objects the demo data leaves out -------------------------------------------------------------

Seed = tuple[str, str, dict[str, Any], str | None]


async def module_seeds(client: Any, side: Any, person_id: str, child_id: str) -> list[Seed]:
    """(module, path, body, key) of one object of every kind whose routes the probes could
    not otherwise fill: the demo data holds none, no list shows their ids, or the ones it
    shows are not the seeded user's to read. The created id is remembered under `key` (a path
    parameter's name, or `@` and the path it is read under), unless None. `person_id` is an
    adult, `child_id` a child of `side`; `side.ids` holds a first harvest."""
    from tests.security.conftest import resolve

    past = (date.today() - timedelta(days=3)).isoformat()
    seeds: list[Seed] = [
        (
            "help_at_home",
            "/modules/help_at_home/incidents",
            {
                "person_id": person_id,
                "kind": "other",
                "occurred_on": past,
                "action": "none",
                "notes": side.canary,
            },
            None,
        ),
        (
            "help_at_home",
            "/modules/help_at_home/home-risks",
            {"person_id": person_id, "assessed_on": past, "items": {"loose_rugs": True}},
            None,
        ),
        (
            "family_center",
            "/modules/family_center/investigations",
            {
                "order_protocol": f"ΕΙΣ-{side.canary[-6:]}",
                "prosecutor_office": "Εισαγγελία Πρωτοδικών Αθηνών",
                "received_on": past,
                "allegation": "neglect",
                "children_ids": [child_id],
                "adult_ids": [person_id],
                "assigned": [str(side.admin.user_id)],
            },
            None,
        ),
    ]
    sessions = "/modules/family_center/sessions/{session_id}/notes"
    session = resolve(side, sessions, "session_id")
    if "family_center" in side.tenant.modules and session:
        # A clinical note is 404 to everyone but its author and the colleagues it names: the
        # demo's notes are their authors', so the probes need one the seeded user wrote.
        seeds.append(
            (
                "family_center",
                sessions.replace("{session_id}", session),
                {"body": side.canary},
                "@/modules/family_center/notes",
            )
        )
    if "food_bank" in side.tenant.modules:
        # Next week's snack packs for a household the allocation lists (the demo delivered
        # this week's): no list shows deliveries, only the answer to one names its id.
        week = (date.today() + timedelta(days=7)).isoformat()
        allocation = await client.get(
            f"{side.tenant.api}/modules/food_bank/snack-packs/allocation?week={week}",
            headers=side.admin.headers,
        )
        assert allocation.status_code == 200, allocation.text
        due = [r for r in allocation.json() if r["total_packs"] > 0 and not r["delivered"]]
        assert due, f"no household with snack packs due next week: {allocation.text[:500]}"
        seeds.append(
            (
                "food_bank",
                "/modules/food_bank/snack-packs/deliveries",
                {"person_id": due[0]["person_id"], "week_start": week},
                "delivery_id",
            )
        )
    return seeds
