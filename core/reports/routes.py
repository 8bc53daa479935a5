"""`GET /reports` and `GET /reports/{id}?format=json|csv|xlsx|html&...params`."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from pydantic import BaseModel

from core.audit.writer import record
from core.context import RequestContext
from core.errors import RequestValidationError
from core.reports.rendering import cell, chart_for, to_csv, to_html_table, to_xlsx
from core.reports.service import (
    FORMATS,
    find_report,
    parse_params,
    run_report,
    title_of,
    titled_columns,
    visible_reports,
)


class ReportInfo(BaseModel):
    id: str
    title: str
    title_el: str
    title_en: str
    params_schema: dict[str, Any]
    columns: list[dict[str, str]]


@get("/reports", tags=["reports"], summary="Reports available to the user")
async def list_reports(ctx: NamedDependency[RequestContext]) -> dict[str, Any]:
    items = [
        ReportInfo(
            id=r.id,
            title=title_of(r),
            title_el=r.title_el,
            title_en=r.title_en,
            params_schema=r.params_model.model_json_schema(),
            columns=[{"key": k, "title": t} for k, t in titled_columns(r)],
        ).model_dump()
        for r in visible_reports(ctx)
    ]
    return {"items": items, "next_cursor": None}


@get(
    "/reports/{report_id:str}",
    tags=["reports"],
    summary="Run a report",
    description="`format` is json (default), csv, xlsx or html; other query parameters are "
    "the report's parameters (see `params_schema` in the list).",
)
async def run(
    ctx: NamedDependency[RequestContext],
    request: Request[Any, Any, Any],
    report_id: FromPath[str],
    format: FromQuery[str] = "json",
) -> Response[Any]:
    if format not in FORMATS:
        raise RequestValidationError.single("format", "literal_error", expected=", ".join(FORMATS))
    spec = find_report(ctx, report_id)
    params = parse_params(spec, dict(request.query_params))
    rows = await run_report(ctx, spec, params)
    await record(
        ctx,
        "export" if format != "json" else "read",
        "report",
        spec.id,
        details={"format": format, "rows": len(rows)},
    )
    columns = titled_columns(spec)
    title = title_of(spec)
    filename = spec.id.replace(".", "-")
    if format == "csv":
        return Response(
            to_csv(columns, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format == "xlsx":
        return Response(
            to_xlsx(title, columns, rows),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    if format == "html":
        page = (
            f'<!doctype html><html lang="{ctx.language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
            f"<figure>{chart_for(columns, rows, title)}</figure>{to_html_table(columns, rows)}"
            f"</body></html>"
        )
        return Response(page, media_type="text/html; charset=utf-8")
    return Response(
        {
            "id": spec.id,
            "title": title,
            "params": params.model_dump(mode="json"),
            "columns": [{"key": k, "title": t} for k, t in columns],
            "rows": [{k: cell(v) for k, v in r.items()} for r in rows],
        }
    )
