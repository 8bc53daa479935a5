"""Liveness and readiness."""

from typing import Any

from litestar import Response, get

from core import db
from core.store import get_store


@get("/health", tags=["platform"], summary="Liveness", include_in_schema=True)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", tags=["platform"], summary="Readiness: database and cache state")
async def ready() -> Response[dict[str, Any]]:
    database = "ok"
    try:
        await db.fetch("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the kind is the useful part
        database = f"unavailable: {type(exc).__name__}"
    store = get_store()
    cache = await store.ping()
    body = {
        "status": "ok" if database == "ok" else "unavailable",
        "database": {"state": database, "engine": "postgresql" if db.is_postgres() else "sqlite"},
        "cache": {"state": cache, "kind": store.kind},
        "warnings": ["cache unavailable: serving from the database"]
        if cache == "unavailable"
        else [],
    }
    return Response(body, status_code=200 if database == "ok" else 503)
