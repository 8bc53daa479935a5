"""Reports: the core renders them as JSON, CSV, XLSX and HTML with a chart."""

from __future__ import annotations

from typing import Any

from core.api import ReportSpec, RequestContext

from merimna_social_grocery import services
from merimna_social_grocery.manifest import READ
from merimna_social_grocery.schemas import KIND_TITLES, MonthParams


async def per_month(ctx: RequestContext, params: MonthParams) -> list[dict[str, Any]]:
    titles = KIND_TITLES.get(ctx.language, KIND_TITLES["el"])
    rows = await services.entries_per_month(params.year)
    return [{**row, "kind_title": titles[row["kind"]]} for row in rows]


REPORTS = [
    ReportSpec(
        id="social_grocery.per_month",
        title_el="Επισκέψεις και πόντοι ανά μήνα",
        title_en="Visits and points per month",
        params_model=MonthParams,
        columns=(
            ("month", "Μήνας", "Month"),
            ("kind_title", "Είδος", "Kind"),
            ("count", "Επισκέψεις", "Visits"),
            ("points", "Πόντοι", "Points"),
        ),
        run=per_month,
        permission=READ,
        chart="bar",
    )
]
