"""Reports as a core area: the routes that list and render every plugin's reports."""

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.reports.routes import list_reports, run

    return [list_reports, run]
