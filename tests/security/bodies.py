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
