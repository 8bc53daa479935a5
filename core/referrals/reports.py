"""Core report on referrals: how many per status and per agency type (or internal)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.errors import invalid
from core.i18n import t
from core.manifest import ReportSpec
from core.referrals.rules import AGENCY_TYPES, STATUSES
from core.referrals.tables import Referral


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date_from: date | None = Field(default=None, description="Created on or after this day.")
    date_to: date | None = Field(default=None, description="Created on or before this day.")

    @field_validator("date_to")
    @classmethod
    def _order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise invalid("period_reversed")
        return value


async def by_status(ctx: Any, params: Period) -> list[dict[str, Any]]:
    """Referrals per status and agency type (`internal` for internal ones); zeros left out."""
    query = Referral.select(Referral.status, Referral.kind, Referral.agency_type)
    if params.date_from:
        query = query.where(
            Referral.created_at >= datetime.combine(params.date_from, time(), tzinfo=UTC)
        )
    if params.date_to:
        end = datetime.combine(params.date_to + timedelta(days=1), time(), tzinfo=UTC)
        query = query.where(Referral.created_at < end)
    counts: dict[tuple[str, str], int] = {}
    for row in await query:
        target = "internal" if row["kind"] == "internal" else (row["agency_type"] or "other")
        key = (row["status"], target)
        counts[key] = counts.get(key, 0) + 1
    order = {s: i for i, s in enumerate(STATUSES)}
    targets = {a: i for i, a in enumerate(("internal", *AGENCY_TYPES))}
    rows = []
    for (status, target), count in sorted(
        counts.items(), key=lambda kv: (order.get(kv[0][0], 99), targets.get(kv[0][1], 99))
    ):
        rows.append(
            {
                "status": status,
                "status_title": t(f"referrals.status.{status}"),
                "agency_type": target,
                "agency_title": t(f"referrals.agency.{target}"),
                "count": count,
            }
        )
    return rows


REPORTS = (
    ReportSpec(
        id="core.referrals_by_status",
        title_el="Παραπομπές ανά κατάσταση και φορέα",
        title_en="Referrals by status and agency type",
        params_model=Period,
        columns=(
            ("status_title", "Κατάσταση", "Status"),
            ("status", "Κατάσταση (κωδικός)", "Status (code)"),
            ("agency_type", "Φορέας (κωδικός)", "Agency type (code)"),
            ("agency_title", "Φορέας", "Agency type"),
            ("count", "Πλήθος", "Count"),
        ),
        run=by_status,
        permission="referrals.read",
        chart="bar",
    ),
)
