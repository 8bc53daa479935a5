"""Reports of the Roma branch (`roma_branch.*`): aggregates only, never names.

Every report queries this tenant's tables (tenant scoping) and needs `roma_branch.access`:
even counts of the branch's work are for its staff and the tenant's administrators.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.api import ReportSpec, t
from plugins.roma_branch import rules
from plugins.roma_branch.manifest import ACCESS, SLUG
from plugins.roma_branch.tables import (
    Accompaniment,
    Application,
    ChecklistItem,
    EsfRecord,
    Followup,
    Placement,
    SchoolRecord,
)


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EsfParams(_Params):
    period: Literal["2014_2020", "2021_2027"] = Field(
        default="2021_2027",
        json_schema_extra={"label_el": "Προγραμματική περίοδος", "label_en": "Programming period"},
    )
    kind: Literal["entry", "exit"] = Field(
        default="entry", json_schema_extra={"label_el": "Δελτίο", "label_en": "Record"}
    )
    start: date | None = Field(
        default=None, json_schema_extra={"label_el": "Από", "label_en": "From"}
    )
    end: date | None = Field(default=None, json_schema_extra={"label_el": "Έως", "label_en": "To"})


class YearParams(_Params):
    year: int | None = Field(
        default=None,
        ge=2000,
        le=2100,
        json_schema_extra={"label_el": "Έτος", "label_en": "Year"},
    )


class SchoolParams(_Params):
    school_year: str | None = Field(
        default=None,
        pattern=r"^\d{4}-\d{4}$",
        json_schema_extra={"label_el": "Σχολικό έτος", "label_en": "School year"},
    )


def _label(key: str) -> str:
    return t(f"{SLUG}.{key}")


async def esf_indicators(ctx: Any, params: EsfParams) -> list[dict[str, Any]]:
    query = EsfRecord.select(EsfRecord.fields).where(
        (EsfRecord.period == params.period) & (EsfRecord.kind == params.kind)
    )
    if params.start is not None:
        query = query.where(EsfRecord.recorded_on >= params.start)
    if params.end is not None:
        query = query.where(EsfRecord.recorded_on <= params.end)
    rows = await query.output(load_json=True)
    table = rules.esf_table(params.period, [r["fields"] for r in rows], exits=params.kind == "exit")
    return [
        {
            "indicator": _label(f"esf.indicator.{row.indicator}"),
            "code": row.indicator,
            "female": row.female,
            "male": row.male,
            "non_binary": row.non_binary,
            "total": row.total,
        }
        for row in table
    ]


def _year_filter(column: Any, year: int | None) -> Any:
    if year is None:
        return None
    return (column >= date(year, 1, 1)) & (column <= date(year, 12, 31))


async def accompaniments(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    query = Accompaniment.select(Accompaniment.day, Accompaniment.agency, Accompaniment.status)
    where = _year_filter(Accompaniment.day, params.year)
    if where is not None:
        query = query.where(where)
    counts: Counter[tuple[str, str]] = Counter()
    done: Counter[tuple[str, str]] = Counter()
    for r in await query:
        key = (r["day"].strftime("%Y-%m"), r["agency"])
        counts[key] += 1
        if r["status"] == "done":
            done[key] += 1
    return [
        {
            "month": month,
            "agency": _label(f"agency.{agency}"),
            "count": counts[(month, agency)],
            "done": done[(month, agency)],
        }
        for month, agency in sorted(counts)
    ]


async def applications(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    query = Application.select(
        Application.benefit,
        Application.readiness,
        Application.submitted_on,
        Application.outcome,
        Application.created_at,
    )
    rows = [r for r in await query if params.year is None or r["created_at"].year == params.year]
    by: dict[str, Counter[str]] = {}
    for r in rows:
        c = by.setdefault(r["benefit"], Counter())
        c["total"] += 1
        c["ready"] += r["readiness"] == "ready"
        c["submitted"] += r["submitted_on"] is not None
        c[r["outcome"]] += 1
    return [
        {
            "benefit": _label(f"benefit.{benefit}"),
            "total": c["total"],
            "ready": c["ready"],
            "submitted": c["submitted"],
            "approved": c["approved"],
            "rejected": c["rejected"],
            "pending": c["pending"],
            "withdrawn": c["withdrawn"],
        }
        for benefit, c in sorted(by.items())
    ]


async def readiness_backlog(ctx: Any, params: _Params) -> list[dict[str, Any]]:
    """Documents holding back applications not yet submitted: missing or expired."""
    open_apps = [
        a["id"]
        for a in await Application.select(Application.id).where(
            Application.submitted_on.is_null() & (Application.outcome == "pending")
        )
    ]
    if not open_apps:
        return []
    items = await ChecklistItem.select(
        ChecklistItem.code,
        ChecklistItem.title_el,
        ChecklistItem.title_en,
        ChecklistItem.required,
        ChecklistItem.received,
        ChecklistItem.expiry_date,
        ChecklistItem.application_id,
    ).where(ChecklistItem.application_id.is_in(open_apps))
    from plugins.roma_branch.services import today

    on = today(ctx)
    missing: Counter[str] = Counter()
    expired: Counter[str] = Counter()
    titles: dict[str, str] = {}
    lang_en = getattr(ctx, "language", "el") == "en"
    for i in items:
        facts = rules.ChecklistFacts(i["code"], i["required"], i["received"], i["expiry_date"])
        status = rules.item_status(facts, on)
        titles[i["code"]] = i["title_en"] if lang_en else i["title_el"]
        if status == "missing" and i["required"]:
            missing[i["code"]] += 1
        elif status == "expired":
            expired[i["code"]] += 1
    codes = sorted(set(missing) | set(expired), key=lambda c: (-missing[c] - expired[c], c))
    return [{"document": titles[c], "missing": missing[c], "expired": expired[c]} for c in codes]


async def placements(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    query = Placement.select(Placement.id, Placement.start_date)
    where = _year_filter(Placement.start_date, params.year)
    if where is not None:
        query = query.where(where)
    rows = await query
    if not rows:
        return []
    month_of = {r["id"]: r["start_date"].strftime("%Y-%m") for r in rows}
    follow = await Followup.select(
        Followup.placement_id, Followup.month, Followup.still_employed
    ).where(Followup.placement_id.is_in(list(month_of)))
    out: dict[str, Counter[str]] = {}
    for month in month_of.values():
        out.setdefault(month, Counter())["placements"] += 1
    for f in follow:
        c = out[month_of[f["placement_id"]]]
        if f["still_employed"] is True:
            c[f"employed_{f['month']}m"] += 1
        elif f["still_employed"] is None:
            c["followups_open"] += 1
    return [
        {
            "month": month,
            "placements": c["placements"],
            "employed_1m": c["employed_1m"],
            "employed_3m": c["employed_3m"],
            "employed_6m": c["employed_6m"],
            "followups_open": c["followups_open"],
        }
        for month, c in sorted(out.items())
    ]


async def school_enrolment(ctx: Any, params: SchoolParams) -> list[dict[str, Any]]:
    query = SchoolRecord.select(SchoolRecord.enrolment_status, SchoolRecord.attendance_concern)
    if params.school_year is not None:
        query = query.where(SchoolRecord.school_year == params.school_year)
    by: dict[str, Counter[str]] = {}
    for r in await query:
        c = by.setdefault(r["enrolment_status"], Counter())
        c["children"] += 1
        if r["attendance_concern"] in ("medium", "high"):
            c["concern"] += 1
    return [
        {
            "status": _label(f"enrolment.{status}"),
            "children": c["children"],
            "attendance_concern": c["concern"],
        }
        for status, c in sorted(by.items())
    ]


def _spec(
    name: str,
    el: str,
    en: str,
    params: type[BaseModel],
    columns: tuple[tuple[str, str, str], ...],
    run: Any,
    chart: str | None = "bar",
) -> ReportSpec:
    return ReportSpec(
        id=f"{SLUG}.{name}",
        title_el=el,
        title_en=en,
        params_model=params,
        columns=columns,
        run=run,
        permission=ACCESS,
        chart=chart,
    )


REPORTS = (
    _spec(
        "esf_indicators",
        "Δείκτες ΕΚΤ ανά φύλο",
        "ESF indicators by sex",
        EsfParams,
        (
            ("indicator", "Δείκτης", "Indicator"),
            ("code", "Κωδικός", "Code"),
            ("female", "Γυναίκες", "Women"),
            ("male", "Άνδρες", "Men"),
            ("non_binary", "Μη δυαδικό", "Non-binary"),
            ("total", "Σύνολο", "Total"),
        ),
        esf_indicators,
        chart=None,
    ),
    _spec(
        "accompaniments",
        "Συνοδείες ανά υπηρεσία και μήνα",
        "Accompaniments per agency per month",
        YearParams,
        (
            ("month", "Μήνας", "Month"),
            ("agency", "Υπηρεσία", "Agency"),
            ("count", "Συνοδείες", "Accompaniments"),
            ("done", "Ολοκληρώθηκαν", "Completed"),
        ),
        accompaniments,
    ),
    _spec(
        "applications",
        "Αιτήσεις παροχών και έκβαση",
        "Benefit applications and outcomes",
        YearParams,
        (
            ("benefit", "Παροχή", "Benefit"),
            ("total", "Σύνολο", "Total"),
            ("ready", "Έτοιμες", "Ready"),
            ("submitted", "Υποβλήθηκαν", "Submitted"),
            ("approved", "Εγκρίθηκαν", "Approved"),
            ("rejected", "Απορρίφθηκαν", "Rejected"),
            ("pending", "Εκκρεμούν", "Pending"),
            ("withdrawn", "Αποσύρθηκαν", "Withdrawn"),
        ),
        applications,
    ),
    _spec(
        "readiness_backlog",
        "Εκκρεμή δικαιολογητικά",
        "Readiness backlog (missing documents)",
        _Params,
        (
            ("document", "Δικαιολογητικό", "Document"),
            ("missing", "Λείπει", "Missing"),
            ("expired", "Έληξε", "Expired"),
        ),
        readiness_backlog,
    ),
    _spec(
        "placements",
        "Τοποθετήσεις σε εργασία και παρακολούθηση",
        "Job placements and follow-up",
        YearParams,
        (
            ("month", "Μήνας", "Month"),
            ("placements", "Τοποθετήσεις", "Placements"),
            ("employed_1m", "Εργάζονται στον 1ο μήνα", "Employed at 1 month"),
            ("employed_3m", "Εργάζονται στον 3ο μήνα", "Employed at 3 months"),
            ("employed_6m", "Εργάζονται στον 6ο μήνα", "Employed at 6 months"),
            ("followups_open", "Εκκρεμείς παρακολουθήσεις", "Open follow-ups"),
        ),
        placements,
    ),
    _spec(
        "school_enrolment",
        "Σχολική εγγραφή και φοίτηση",
        "School enrolment status",
        SchoolParams,
        (
            ("status", "Κατάσταση εγγραφής", "Enrolment status"),
            ("children", "Παιδιά", "Children"),
            ("attendance_concern", "Ανησυχία για φοίτηση", "Attendance concern"),
        ),
        school_enrolment,
    ),
)
