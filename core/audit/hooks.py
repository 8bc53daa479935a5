"""The audit trail as a plugin."""

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.audit.piccolo_app"]


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.audit.tables import AuditEvent

    return [AuditEvent]
