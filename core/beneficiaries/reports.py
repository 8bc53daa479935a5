"""Core reports on the registry. Each `run(ctx, params)` reads the current tenant only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count
from pydantic import BaseModel, ConfigDict, Field

from core import clock, db
from core.beneficiaries.categories import all_known_categories, visible_codes
from core.beneficiaries.composition import age_on
from core.beneficiaries.tables import Beneficiary, BeneficiaryCategory
from core.manifest import ReportSpec
from tenants.scoping import current_tenant_id

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-17", 0, 17),
    ("18-29", 18, 29),
    ("30-54", 30, 54),
    ("55-64", 55, 64),
    ("65+", 65, None),
)
SEXES = ("female", "male", "other", "declined", "unknown")


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OnDate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = Field(default=None, description="Ages on this date (default: today)")


class Year(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(default_factory=lambda: clock.today().year, ge=2000, le=2100)


def age_band(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return AGE_BANDS[0][0]


async def by_category(ctx: Any, params: NoParams) -> list[dict[str, Any]]:
    """People per category code; special codes only for roles that may see them."""
    rows = (
        await BeneficiaryCategory.select(
            BeneficiaryCategory.code, Count(BeneficiaryCategory.id, alias="count")
        )
        .group_by(BeneficiaryCategory.code)
        .order_by(BeneficiaryCategory.code)
    )
    known = await all_known_categories()
    sees = bool(getattr(ctx, "sees_special_categories", False))
    shown = set(visible_codes([r["code"] for r in rows], known, sees))
    lang = getattr(ctx, "language", "el")
    out = []
    for r in rows:
        if r["code"] not in shown:
            continue
        info = known.get(r["code"])
        title = (info.title_el if lang == "el" else info.title_en) if info else r["code"]
        out.append({"category": r["code"], "title": title, "count": int(r["count"])})
    return out


async def by_sex_age(ctx: Any, params: OnDate) -> list[dict[str, Any]]:
    """People (not merged) per sex and age band, every cell present (zeros included)."""
    on = params.on or clock.today(ctx.tenant)
    counts = {(s, b[0]): 0 for s in SEXES for b in AGE_BANDS}
    rows = await Beneficiary.select(Beneficiary.sex, Beneficiary.birth_date).where(
        Beneficiary.status != "merged"
    )
    for r in rows:
        sex = r["sex"] or "unknown"
        counts[
            (sex if sex in SEXES else "unknown", age_band(max(age_on(r["birth_date"], on), 0)))
        ] += 1
    return [{"sex": s, "age_band": b, "count": counts[(s, b)]} for s, b in counts]


async def registrations_per_month(ctx: Any, params: Year) -> list[dict[str, Any]]:
    """New registrations per month of a year (merged duplicates excluded).

    One aggregate statement grouped by month over the `(tenant_id, created_at, status)` index
    (an index-only scan), instead of fetching every registration of the year (tens of
    thousands of rows for a large municipality) to count them in Python.
    """
    start = datetime(params.year, 1, 1, tzinfo=UTC)
    end = datetime(params.year + 1, 1, 1, tzinfo=UTC)
    # The UTC month of each registration: a timestamp on PostgreSQL (date_trunc costs a
    # fraction of to_char per row), "YYYY-MM" text on SQLite (UTC times stored as ISO text).
    month = (
        "date_trunc('month', created_at AT TIME ZONE 'UTC')"
        if db.is_postgres()
        else "substr(created_at, 1, 7)"
    )
    rows = await db.fetch(
        f"SELECT {month} AS month, count(*) AS n FROM beneficiary WHERE tenant_id = {{}} "
        "AND created_at >= {} AND created_at < {} AND status <> 'merged' GROUP BY 1",
        current_tenant_id(),
        start,
        end,
    )
    counts = {
        r["month"] if isinstance(r["month"], str) else r["month"].strftime("%Y-%m"): int(r["n"])
        for r in rows
    }
    months = [f"{params.year}-{m:02d}" for m in range(1, 13)]
    return [{"month": m, "count": counts.get(m, 0)} for m in months]


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        id="core.beneficiaries_by_category",
        title_el="Ωφελούμενοι ανά κατηγορία",
        title_en="Beneficiaries by category",
        params_model=NoParams,
        columns=(
            ("category", "Κωδικός", "Code"),
            ("title", "Κατηγορία", "Category"),
            ("count", "Πλήθος", "Count"),
        ),
        run=by_category,
        chart="bar",
    ),
    ReportSpec(
        id="core.beneficiaries_by_sex_age",
        title_el="Ωφελούμενοι ανά φύλο και ηλικία",
        title_en="Beneficiaries by sex and age",
        params_model=OnDate,
        columns=(
            ("sex", "Φύλο", "Sex"),
            ("age_band", "Ηλικία", "Age band"),
            ("count", "Πλήθος", "Count"),
        ),
        run=by_sex_age,
        chart="bar",
    ),
    ReportSpec(
        id="core.registrations_per_month",
        title_el="Εγγραφές ανά μήνα",
        title_en="Registrations per month",
        params_model=Year,
        columns=(("month", "Μήνας", "Month"), ("count", "Εγγραφές", "Registrations")),
        run=registrations_per_month,
        chart="line",
    ),
)
