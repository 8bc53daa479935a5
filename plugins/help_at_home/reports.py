"""Reports of Help at Home (`help_at_home.*`); the core renders them as JSON, CSV, XLSX, HTML.

Each `run` reads the module's tenant-scoped tables only (and people through `core.api`), so a
report never holds another municipality's data. Every parameter has a default.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.api import ReportSpec, get_people, invalid, local_today, t
from plugins.help_at_home import rules, services
from plugins.help_at_home.tables import Application, Assessment, CarePlan, Incident, Visit


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BandParams(Params):
    scale: Literal["barthel", "katz", "lawton"] = Field(
        default="barthel", description="The scale whose latest band groups the people."
    )


class MonthParams(Params):
    month: str = Field(default="", description="YYYY-MM; default: the current month.")

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise invalid("help_at_home.invalid_month")
        return value

    def bounds(self, today: date) -> tuple[date, date]:
        year, month = (
            (int(p) for p in self.month.split("-")) if self.month else (today.year, today.month)
        )
        first = date(year, month, 1)
        return first, rules.add_months(first, 1)


class PeriodParams(Params):
    date_from: date | None = Field(default=None, description="Default: 1 January this year.")
    date_to: date | None = Field(default=None, description="Default: today.")

    @field_validator("date_to")
    @classmethod
    def _order(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise invalid("period_reversed")
        return value


class DueParams(Params):
    within_days: int = Field(default=30, ge=0, le=3660, description="Due within so many days.")


class YearParams(Params):
    year: int = Field(
        default_factory=lambda: local_today().year,
        ge=2000,
        le=2100,
        description="Calendar year; default: this year.",
    )


def _name(person: dict[str, Any]) -> str:
    return f"{person.get('last_name', '')} {person.get('first_name', '')}".strip()


async def active_by_band(ctx: Any, params: BandParams) -> list[dict[str, Any]]:
    """People with an active plan, by their latest band on the scale, sex and age group.

    Three queries whatever the caseload: the plans, their people, their assessments."""
    plans = await CarePlan.select(CarePlan.person_id).where(CarePlan.status == "active")
    people = await get_people({p["person_id"] for p in plans})
    latest: dict[Any, str] = {}
    if people:
        rows = (
            await Assessment.select(Assessment.person_id, Assessment.band)
            .where(Assessment.person_id.is_in(list(people)) & (Assessment.scale == params.scale))
            .order_by(Assessment.assessed_on)
            .order_by(Assessment.signed_at)
        )
        latest = {r["person_id"]: r["band"] for r in rows}  # the last one of each wins
    counts: Counter[tuple[str, str, str]] = Counter()
    today = local_today(ctx.tenant)
    for person_id, person in people.items():
        band = latest.get(person_id, "not_assessed")
        birth = person.get("birth_date")
        age = rules.age_on(birth, today) if isinstance(birth, date) else None
        counts[(band, person.get("sex") or "unknown", rules.age_group(age))] += 1
    order = {b: i for i, b in enumerate((*rules.BANDS[params.scale], "not_assessed"))}
    rows = []
    for (band, sex, group), count in sorted(
        counts.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1], kv[0][2])
    ):
        rows.append(
            {
                "band": band,
                "band_title": t(f"help_at_home.band.{params.scale}.{band}"),
                "sex": sex,
                "sex_title": t(f"help_at_home.sex.{sex}"),
                "age_group": group,
                "age_group_title": t(f"help_at_home.age_group.{group}"),
                "count": count,
            }
        )
    return rows


async def visits_by_worker(ctx: Any, params: MonthParams) -> list[dict[str, Any]]:
    """Visits planned and done per worker in one month (cancelled ones are not planned)."""
    first, after = params.bounds(local_today(ctx.tenant))
    rows = await Visit.select(Visit.staff_id, Visit.status, Visit.late_minutes).where(
        (Visit.planned_day >= first) & (Visit.planned_day < after)
    )
    settings = await services.settings_for(ctx.tenant)
    stats: dict[Any, Counter[str]] = defaultdict(Counter)
    for r in rows:
        c = stats[r["staff_id"]]
        c[r["status"]] += 1
        if r["status"] != "cancelled":
            c["planned_total"] += 1
        if r["late_minutes"] > settings.late_after_minutes:
            c["late"] += 1
    names = await services.staff_names(stats)
    out = []
    for staff_id, c in stats.items():
        name = names.get(staff_id, "")
        planned = c["planned_total"]
        out.append(
            {
                "staff_id": str(staff_id),
                "staff_name": name,
                "month": first.strftime("%Y-%m"),
                "planned": planned,
                "done": c["done"],
                "missed": c["missed"],
                "cancelled": c["cancelled"],
                "late": c["late"],
                "done_percent": round(100 * c["done"] / planned, 1) if planned else 0.0,
            }
        )
    out.sort(key=lambda r: (r["staff_name"], r["staff_id"]))
    return out


async def hours_by_service(ctx: Any, params: PeriodParams) -> list[dict[str, Any]]:
    """Hours of care delivered (check-in to check-out) and planned, per service."""
    today = local_today(ctx.tenant)
    start = params.date_from or date(today.year, 1, 1)
    end = params.date_to or today
    rows = await Visit.select(
        Visit.service,
        Visit.status,
        Visit.planned_start,
        Visit.planned_end,
        Visit.check_in_at,
        Visit.check_out_at,
    ).where((Visit.planned_day >= start) & (Visit.planned_day <= end))
    done: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    planned: Counter[str] = Counter()
    for r in rows:
        if r["status"] != "cancelled":
            planned[r["service"]] += (r["planned_end"] - r["planned_start"]).total_seconds() / 60
        if r["status"] == "done" and r["check_in_at"] and r["check_out_at"]:
            done[r["service"]] += 1
            minutes[r["service"]] += (r["check_out_at"] - r["check_in_at"]).total_seconds() / 60
    out = []
    for service in ("nursing_visit", "home_help", "psychosocial_support", "accompaniment"):
        if not planned[service] and not done[service]:
            continue
        out.append(
            {
                "service": service,
                "service_title": t(f"help_at_home.service.{service}"),
                "visits_done": done[service],
                "hours_done": round(minutes[service] / 60, 1),
                "hours_planned": round(planned[service] / 60, 1),
            }
        )
    return out


async def waiting_list(ctx: Any, params: Params) -> list[dict[str, Any]]:
    """Applications on the waiting list, highest priority first, then the oldest."""
    rows = await Application.select().where(Application.status == "waiting").output(load_json=True)
    rows.sort(key=lambda r: (-r["priority_score"], r["received_on"], str(r["id"])))
    people = await get_people(r["person_id"] for r in rows)
    out = []
    for rank, r in enumerate(rows, start=1):
        person = people.get(r["person_id"], {})
        data = r["data"] or {}
        out.append(
            {
                "rank": rank,
                "application_id": str(r["id"]),
                "person": _name(person),
                "received_on": r["received_on"],
                "decision": r["decision"],
                "decision_title": t(f"help_at_home.decision.{r['decision']}"),
                "priority_score": r["priority_score"],
                "lives_alone": data.get("living_situation") == "alone",
                "family_support": data.get("family_support", ""),
            }
        )
    return out


async def reassessments_due(ctx: Any, params: DueParams) -> list[dict[str, Any]]:
    due = await services.reassessments(ctx, within_days=params.within_days)
    people = await get_people(item["person_id"] for item in due)
    out = []
    for item in due:
        person = people.get(item["person_id"], {})
        out.append(
            {
                "person": _name(person),
                "scale": item["scale"],
                "last_assessed": item["last_assessed"],
                "due": item["due"],
                "reason": t(f"help_at_home.due_reason.{item['reason']}"),
                "overdue": item["overdue"],
            }
        )
    return out


async def yearly_summary(ctx: Any, params: YearParams) -> list[dict[str, Any]]:
    """The year in figures, for the municipality's annual report."""
    first, last = date(params.year, 1, 1), date(params.year, 12, 31)
    start_ts = datetime(params.year, 1, 1, tzinfo=UTC)
    end_ts = datetime(params.year + 1, 1, 1, tzinfo=UTC)
    apps = await Application.select(Application.status, Application.received_on).where(
        (Application.received_on >= first) & (Application.received_on <= last)
    )
    plans = await CarePlan.select(
        CarePlan.person_id, CarePlan.start_date, CarePlan.closed_on, CarePlan.end_date
    )
    served = {
        p["person_id"]
        for p in plans
        if p["start_date"] <= last and (p["closed_on"] or p["end_date"] or last) >= first
    }
    visits = await Visit.select(Visit.status, Visit.check_in_at, Visit.check_out_at).where(
        (Visit.planned_day >= first) & (Visit.planned_day <= last)
    )
    minutes = sum(
        (v["check_out_at"] - v["check_in_at"]).total_seconds() / 60
        for v in visits
        if v["status"] == "done" and v["check_in_at"] and v["check_out_at"]
    )
    incidents = Counter(
        i["kind"]
        for i in await Incident.select(Incident.kind).where(
            (Incident.occurred_on >= first) & (Incident.occurred_on <= last)
        )
    )
    assessments = await Assessment.count().where(
        (Assessment.signed_at >= start_ts) & (Assessment.signed_at < end_ts)
    )
    status = Counter(a["status"] for a in apps)
    vstatus = Counter(v["status"] for v in visits)
    figures: list[tuple[str, float | int]] = [
        ("applications_received", len(apps)),
        ("applications_admitted", status["admitted"] + status["closed"]),
        ("applications_rejected", status["rejected"]),
        ("applications_waiting", status["waiting"]),
        ("beneficiaries_served", len(served)),
        ("plans_started", sum(1 for p in plans if first <= p["start_date"] <= last)),
        (
            "plans_closed",
            sum(1 for p in plans if p["closed_on"] and first <= p["closed_on"] <= last),
        ),
        ("visits_done", vstatus["done"]),
        ("visits_missed", vstatus["missed"]),
        ("hours_of_care", round(minutes / 60, 1)),
        ("assessments", assessments),
        ("incidents_fall", incidents["fall"]),
        ("incidents_hospital_admission", incidents["hospital_admission"]),
        ("incidents_death", incidents["death"]),
    ]
    return [
        {
            "year": params.year,
            "metric": code,
            "title": t(f"help_at_home.metric.{code}"),
            "value": value,
        }
        for code, value in figures
    ]


REPORTS = (
    ReportSpec(
        id="help_at_home.active_by_band",
        title_el="Ενεργοί ωφελούμενοι ανά βαθμό εξάρτησης, φύλο και ηλικία",
        title_en="Active beneficiaries by dependency band, sex and age group",
        params_model=BandParams,
        columns=(
            ("band", "Βαθμός (κωδικός)", "Band (code)"),
            ("band_title", "Βαθμός εξάρτησης", "Dependency band"),
            ("sex", "Φύλο (κωδικός)", "Sex (code)"),
            ("sex_title", "Φύλο", "Sex"),
            ("age_group", "Ηλικιακή ομάδα (κωδικός)", "Age group (code)"),
            ("age_group_title", "Ηλικιακή ομάδα", "Age group"),
            ("count", "Πλήθος", "Count"),
        ),
        run=active_by_band,
        chart="bar",
    ),
    ReportSpec(
        id="help_at_home.visits_by_worker",
        title_el="Επισκέψεις προγραμματισμένες και πραγματοποιημένες ανά εργαζόμενο",
        title_en="Visits planned vs done per worker",
        params_model=MonthParams,
        columns=(
            ("staff_name", "Εργαζόμενος/η", "Worker"),
            ("staff_id", "Κωδικός εργαζομένου", "Staff id"),
            ("month", "Μήνας", "Month"),
            ("planned", "Προγραμματισμένες", "Planned"),
            ("done", "Πραγματοποιημένες", "Done"),
            ("missed", "Χαμένες", "Missed"),
            ("cancelled", "Ακυρωμένες", "Cancelled"),
            ("late", "Με καθυστέρηση", "Late"),
            ("done_percent", "Ποσοστό (%)", "Done (%)"),
        ),
        run=visits_by_worker,
        chart="bar",
    ),
    ReportSpec(
        id="help_at_home.hours_by_service",
        title_el="Ώρες φροντίδας ανά υπηρεσία",
        title_en="Hours of care by service",
        params_model=PeriodParams,
        columns=(
            ("service", "Υπηρεσία (κωδικός)", "Service (code)"),
            ("service_title", "Υπηρεσία", "Service"),
            ("visits_done", "Επισκέψεις", "Visits done"),
            ("hours_done", "Ώρες φροντίδας", "Hours of care"),
            ("hours_planned", "Προγραμματισμένες ώρες", "Hours planned"),
        ),
        run=hours_by_service,
        chart="bar",
    ),
    ReportSpec(
        id="help_at_home.waiting_list",
        title_el="Λίστα αναμονής κατά προτεραιότητα",
        title_en="Waiting list by priority",
        params_model=Params,
        columns=(
            ("rank", "Σειρά", "Rank"),
            ("person", "Ωφελούμενος", "Beneficiary"),
            ("priority_score", "Μόρια", "Priority score"),
            ("received_on", "Παραλαβή", "Received on"),
            ("decision_title", "Επιλεξιμότητα", "Eligibility"),
            ("lives_alone", "Μένει μόνος/η", "Lives alone"),
            ("family_support", "Οικογενειακή υποστήριξη", "Family support"),
            ("application_id", "Αίτηση", "Application"),
        ),
        run=waiting_list,
        permission="help_at_home.read",
    ),
    ReportSpec(
        id="help_at_home.reassessments_due",
        title_el="Επαναξιολογήσεις που οφείλονται",
        title_en="Reassessments due",
        params_model=DueParams,
        columns=(
            ("person", "Ωφελούμενος", "Beneficiary"),
            ("scale", "Κλίμακα", "Scale"),
            ("last_assessed", "Τελευταία αξιολόγηση", "Last assessed"),
            ("due", "Οφείλεται", "Due"),
            ("reason", "Αιτία", "Reason"),
            ("overdue", "Εκπρόθεσμη", "Overdue"),
        ),
        run=reassessments_due,
        permission="help_at_home.read",
    ),
    ReportSpec(
        id="help_at_home.yearly_summary",
        title_el="Ετήσια σύνοψη για τον Δήμο",
        title_en="Yearly summary for the municipality",
        params_model=YearParams,
        columns=(
            ("year", "Έτος", "Year"),
            ("metric", "Δείκτης (κωδικός)", "Metric (code)"),
            ("title", "Δείκτης", "Metric"),
            ("value", "Τιμή", "Value"),
        ),
        run=yearly_summary,
    ),
)
