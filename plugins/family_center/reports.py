"""Reports of the Family Support Centre (`family_center.*`), rendered by the core as JSON,
CSV, XLSX and HTML. Every query reads this tenant's tables only (the scoping layer)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from core.api import NotFound, ReportSpec, get_language, get_referral
from plugins.family_center import rules
from plugins.family_center.manifest import PROTECTION, READ
from plugins.family_center.schemas import (
    ALLEGATIONS_EL,
    ALLEGATIONS_EN,
    MODES_EL,
    MODES_EN,
    PROBLEMS_EL,
    PROBLEMS_EN,
    PROGRAMME_KINDS_EL,
    PROGRAMME_KINDS_EN,
    SESSION_TYPES_EL,
    SESSION_TYPES_EN,
)
from plugins.family_center.tables import (
    Attendance,
    CaseReferral,
    CounsellingSession,
    FamilyCase,
    Investigation,
    Party,
    Programme,
    ProgrammeMeeting,
)


def _label(code: str, el: dict[str, str], en: dict[str, str]) -> str:
    return (en if get_language() == "en" else el).get(code, code)


def _this_year() -> int:
    return datetime.now(UTC).year


class YearParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(
        default_factory=_this_year,
        ge=2000,
        le=2100,
        json_schema_extra={"label_el": "Έτος", "label_en": "Year"},
    )


class PeriodParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(
        default=None, json_schema_extra={"label_el": "Από", "label_en": "From"}
    )
    end: date | None = Field(default=None, json_schema_extra={"label_el": "Έως", "label_en": "To"})


def _zone(ctx: Any) -> ZoneInfo:
    return ZoneInfo(getattr(ctx.tenant, "timezone", None) or "Europe/Athens")


async def sessions_by_month(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    tz = _zone(ctx)
    start = datetime(params.year, 1, 1, tzinfo=tz)
    end = datetime(params.year + 1, 1, 1, tzinfo=tz)
    rows = await CounsellingSession.select(
        CounsellingSession.held_at,
        CounsellingSession.session_type,
        CounsellingSession.mode,
        CounsellingSession.duration_minutes,
    ).where((CounsellingSession.held_at >= start) & (CounsellingSession.held_at < end))
    counts: Counter[tuple[str, str, str]] = Counter()
    minutes: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        key = (row["held_at"].astimezone(tz).strftime("%Y-%m"), row["session_type"], row["mode"])
        counts[key] += 1
        minutes[key] += row["duration_minutes"]
    return [
        {
            "month": month,
            "session_type": _label(kind, SESSION_TYPES_EL, SESSION_TYPES_EN),
            "mode": _label(mode, MODES_EL, MODES_EN),
            "sessions": counts[(month, kind, mode)],
            "hours": round(minutes[(month, kind, mode)] / 60, 1),
        }
        for month, kind, mode in sorted(counts)
    ]


async def cases_by_problem(ctx: Any, params: PeriodParams) -> list[dict[str, Any]]:
    query = FamilyCase.select(FamilyCase.problems, FamilyCase.status).output(load_json=True)
    if params.start is not None:
        query = query.where(FamilyCase.opened_on >= params.start)
    if params.end is not None:
        query = query.where(FamilyCase.opened_on <= params.end)
    total: Counter[str] = Counter()
    still_open: Counter[str] = Counter()
    for row in await query:
        for code in row["problems"] or []:
            total[code] += 1
            if row["status"] == "open":
                still_open[code] += 1
    return [
        {
            "problem": _label(code, PROBLEMS_EL, PROBLEMS_EN),
            "cases": total[code],
            "open": still_open[code],
        }
        for code in sorted(total, key=lambda c: (-total[c], c))
    ]


async def programmes(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    rows = (
        await Programme.select()
        .where(
            (Programme.starts_on >= date(params.year, 1, 1))
            & (Programme.starts_on < date(params.year + 1, 1, 1))
        )
        .order_by(Programme.starts_on)
    )
    out = []
    for row in rows:
        meetings = await ProgrammeMeeting.select().where(ProgrammeMeeting.programme_id == row["id"])
        marks = await Attendance.select(Attendance.present).where(
            Attendance.programme_id == row["id"]
        )
        enrolled = await Party.count().where(
            (Party.record_type == "programme") & (Party.record_id == row["id"])
        )
        present = sum(1 for m in marks if m["present"])
        out.append(
            {
                "programme": row["title"],
                "kind": _label(row["kind"], PROGRAMME_KINDS_EL, PROGRAMME_KINDS_EN),
                "partner": row["partner"],
                "meetings": len(meetings),
                "enrolled": int(enrolled),
                "attendance_rate": round(100 * present / len(marks), 1) if marks else None,
                "pupils": sum(m["pupils"] for m in meetings),
                "parents": sum(m["parents"] for m in meetings),
                "teachers": sum(m["teachers"] for m in meetings),
            }
        )
    return out


async def referrals(ctx: Any, params: PeriodParams) -> list[dict[str, Any]]:
    links = await CaseReferral.select()
    counts: Counter[tuple[str, str, str]] = Counter()
    with_outcome: Counter[tuple[str, str, str]] = Counter()
    for link in links:
        created = link["created_at"].date()
        if (params.start and created < params.start) or (params.end and created > params.end):
            continue
        try:
            referral = await get_referral(ctx, link["referral_id"], audit=False)
        except NotFound:
            continue  # a referral the viewer may not see is not counted for them
        agency = referral.get("agency_type") or referral.get("target_module") or ""
        key = (link["direction"], agency, referral["status"])
        counts[key] += 1
        if referral.get("outcome"):
            with_outcome[key] += 1
    return [
        {
            "direction": direction,
            "agency": agency,
            "status": status,
            "referrals": counts[(direction, agency, status)],
            "with_outcome": with_outcome[(direction, agency, status)],
        }
        for direction, agency, status in sorted(counts)
    ]


async def prosecutor_orders(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    tz = _zone(ctx)
    today = datetime.now(tz).date()
    rows = await Investigation.select(
        Investigation.received_on,
        Investigation.deadline,
        Investigation.completed_on,
        Investigation.allegation,
    ).where(
        (Investigation.received_on >= date(params.year, 1, 1))
        & (Investigation.received_on < date(params.year + 1, 1, 1))
    )
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "received": 0,
            "completed": 0,
            "overdue": 0,
            "days": [],
            "abuse": 0,
            "neglect": 0,
            "other": 0,
        }
    )
    for row in rows:
        bucket = months[row["received_on"].strftime("%Y-%m")]
        bucket["received"] += 1
        bucket[row["allegation"]] = bucket.get(row["allegation"], 0) + 1
        if row["completed_on"] is not None:
            bucket["completed"] += 1
            bucket["days"].append(rules.days_to_completion(row["received_on"], row["completed_on"]))
        elif rules.deadline_state(row["deadline"], today, 0).state == "overdue":
            bucket["overdue"] += 1
    return [
        {
            "month": month,
            "received": b["received"],
            "abuse": b["abuse"],
            "neglect": b["neglect"],
            "other": b["other"],
            "completed": b["completed"],
            "overdue": b["overdue"],
            "mean_days": rules.mean(b["days"]),
        }
        for month, b in sorted(months.items())
    ]


def report_specs() -> list[ReportSpec]:
    return [
        ReportSpec(
            id="family_center.sessions",
            title_el="Συνεδρίες ανά είδος και τρόπο ανά μήνα",
            title_en="Sessions by type and mode per month",
            params_model=YearParams,
            columns=(
                ("month", "Μήνας", "Month"),
                ("session_type", "Είδος", "Type"),
                ("mode", "Τρόπος", "Mode"),
                ("sessions", "Συνεδρίες", "Sessions"),
                ("hours", "Ώρες", "Hours"),
            ),
            run=sessions_by_month,
            permission=READ,
            chart="bar",
        ),
        ReportSpec(
            id="family_center.cases_by_problem",
            title_el="Περιστατικά ανά αίτημα",
            title_en="Cases by presenting problem",
            params_model=PeriodParams,
            columns=(
                ("problem", "Αίτημα", "Presenting problem"),
                ("cases", "Περιστατικά", "Cases"),
                ("open", "Ενεργά", "Open"),
            ),
            run=cases_by_problem,
            permission=READ,
            chart="bar",
        ),
        ReportSpec(
            id="family_center.programmes",
            title_el="Ομάδες, εργαστήρια και συμμετοχή",
            title_en="Group programmes and attendance",
            params_model=YearParams,
            columns=(
                ("programme", "Πρόγραμμα", "Programme"),
                ("kind", "Είδος", "Kind"),
                ("partner", "Συνεργάτης", "Partner"),
                ("meetings", "Συναντήσεις", "Meetings"),
                ("enrolled", "Εγγεγραμμένοι", "Enrolled"),
                ("attendance_rate", "Παρουσία %", "Attendance %"),
                ("pupils", "Μαθητές", "Pupils"),
                ("parents", "Γονείς", "Parents"),
                ("teachers", "Εκπαιδευτικοί", "Teachers"),
            ),
            run=programmes,
            permission=READ,
        ),
        ReportSpec(
            id="family_center.referrals",
            title_el="Παραπομπές και έκβαση",
            title_en="Referrals and outcomes",
            params_model=PeriodParams,
            columns=(
                ("direction", "Κατεύθυνση", "Direction"),
                ("agency", "Φορέας", "Agency"),
                ("status", "Κατάσταση", "Status"),
                ("referrals", "Παραπομπές", "Referrals"),
                ("with_outcome", "Με έκβαση", "With outcome"),
            ),
            run=referrals,
            permission=READ,
        ),
        ReportSpec(
            id="family_center.prosecutor_orders",
            title_el="Εισαγγελικές παραγγελίες: παραλαβή, ολοκλήρωση, εκπρόθεσμες",
            title_en="Prosecutor orders: received, completed, overdue",
            params_model=YearParams,
            columns=(
                ("month", "Μήνας", "Month"),
                ("received", "Παραλήφθηκαν", "Received"),
                ("abuse", ALLEGATIONS_EL["abuse"], ALLEGATIONS_EN["abuse"]),
                ("neglect", ALLEGATIONS_EL["neglect"], ALLEGATIONS_EN["neglect"]),
                ("other", ALLEGATIONS_EL["other"], ALLEGATIONS_EN["other"]),
                ("completed", "Ολοκληρώθηκαν", "Completed"),
                ("overdue", "Εκπρόθεσμες", "Overdue"),
                ("mean_days", "Μέσος χρόνος (ημέρες)", "Mean days to completion"),
            ),
            run=prosecutor_orders,
            permission=PROTECTION,
            chart="bar",
        ),
    ]
