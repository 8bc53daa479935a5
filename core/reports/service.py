"""Finding, parameterising and running reports for one tenant and one user."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from core.context import RequestContext
from core.errors import NotFound, RequestValidationError
from core.i18n import get_language
from core.manifest import ReportSpec

FORMATS = ("json", "csv", "xlsx", "html")


def visible_reports(ctx: RequestContext) -> list[ReportSpec]:
    return [r for r in ctx.hooks.reports() if ctx.has(r.permission)]


def find_report(ctx: RequestContext, report_id: str) -> ReportSpec:
    for spec in ctx.hooks.reports():
        if spec.id == report_id:
            ctx.require(spec.permission)
            return spec
    raise NotFound()


def parse_params(spec: ReportSpec, query: dict[str, Any]) -> Any:
    raw = {k: v for k, v in query.items() if k not in ("format", "lang")}
    try:
        return spec.params_model.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def titled_columns(spec: ReportSpec) -> list[tuple[str, str]]:
    lang = get_language()
    return [(key, el if lang == "el" else en) for key, el, en in spec.columns]


def title_of(spec: ReportSpec) -> str:
    return spec.title_el if get_language() == "el" else spec.title_en


async def run_report(ctx: RequestContext, spec: ReportSpec, params: Any) -> list[dict[str, Any]]:
    rows = await spec.run(ctx, params)
    return list(rows)
