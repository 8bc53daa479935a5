"""Demo data of the Family Support Centre: cases and sessions, a minor with a guardian's
consent, groups and school workshops, volunteers, and prosecutor orders in every deadline
state. Deterministic per seed; loaded through the services, like the API.

Needs people and staff (the core areas load them first); with none, nothing is created.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from faker import Faker

from core.api import (
    BeneficiaryCreate,
    active_person_ids,
    create_beneficiary,
    get_person,
    staff_by_profession,
    system_actor,
)
from plugins.family_center import services
from plugins.family_center.schemas import (
    CaseCreate,
    ConsentCreate,
    DispatchCreate,
    HelperCreate,
    InvestigationCreate,
    MeetingCreate,
    NoteCreate,
    ProgrammeCreate,
    ReportDraft,
    SessionCreate,
    SupervisionCreate,
)

PROBLEM_SETS = (
    ["family_conflict", "adolescence"],
    ["divorce", "parenting"],
    ["grief"],
    ["school", "parenting"],
    ["mental_health"],
    ["domestic_violence", "family_conflict"],
    ["parenting"],
)
OFFICES = (
    "Εισαγγελία Πρωτοδικών Αθηνών - Τμήμα Ανηλίκων",
    "Εισαγγελία Πρωτοδικών Θεσσαλονίκης - Τμήμα Ανηλίκων",
    "Εισαγγελία Ανηλίκων Αθηνών",
)
SCHOOLS = ("1ο Γυμνάσιο", "3ο Δημοτικό Σχολείο", "2ο Γενικό Λύκειο", "5ο Δημοτικό Σχολείο")
NOTES = (
    "Η συνεδρία εστίασε στην επικοινωνία των γονέων με τον έφηβο. Συμφωνήθηκαν κανόνες.",
    "Εκφράστηκε έντονο άγχος για τη μετάβαση μετά τον χωρισμό. Συνέχεια σε δύο εβδομάδες.",
    "Επεξεργασία της απώλειας· ενθαρρύνθηκε η συμμετοχή στην ομάδα γονέων.",
)


@dataclass(frozen=True)
class _As:
    """The system actor acting as one staff member (author of notes, assignee)."""

    base: Any
    user_id: UUID | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def has(self, permission: str) -> bool:
        return True


async def _users(*professions: str) -> list[UUID]:
    out: list[UUID] = []
    for profession in professions:
        for staff in await staff_by_profession(profession):
            if staff.get("user_id") and staff["user_id"] not in out:
                out.append(staff["user_id"])
    return out


def surname(last: str, *, female: bool) -> str:
    """A parent's surname in the child's gender (Παπαδάκης/Παπαδάκη, Παπαδόπουλος/
    Παπαδοπούλου); genitive surnames (Νικολάου) are the same for both."""
    if female:
        if last.endswith("όπουλος"):
            return last[: -len("όπουλος")] + "οπούλου"
        if last.endswith(("ης", "ας", "ής", "άς")):
            return last[:-1]
        return last
    if last.endswith("οπούλου"):
        return last[: -len("οπούλου")] + "όπουλος"
    if last.endswith(("η", "α", "ή", "ά")):
        return last + "ς"
    return last


async def _children(
    actor: Any, parents: list[UUID], rng: random.Random, fake: Faker, today: date, count: int
) -> list[UUID]:
    """The core's demo registers adults; families here have children, registered like any
    beneficiary (a child shares a parent's surname)."""
    out: list[UUID] = []
    for parent_id in rng.sample(parents, min(count, len(parents))):
        parent = await get_person(parent_id)
        girl = rng.random() < 0.5
        first = fake.first_name_female() if girl else fake.first_name_male()
        last = surname(parent["last_name"], female=girl)
        born = today - timedelta(days=rng.randint(4 * 365, 17 * 365))
        person, _ = await create_beneficiary(
            actor, BeneficiaryCreate(first_name=first, last_name=last, birth_date=born)
        )
        out.append(person["id"])
    return out


async def load(tenant: Any, seed: int) -> None:
    people = await active_person_ids(200)
    if len(people) < 6:
        return
    actor = await system_actor(tenant.slug, request_id="demo")
    counsellors = await _users("psychologist", "social_worker")
    team = await _users("child_protection_officer", "social_worker", "psychologist")
    rng = random.Random(seed)
    fake = Faker("el_GR")
    fake.seed_instance(seed)
    tz = services.zone(actor)
    today = datetime.now(tz).date()
    births = {pid: (await get_person(pid)).get("birth_date") for pid in people}
    adults = [p for p, b in births.items() if b and (today - b).days > 18 * 366]
    minors = [p for p, b in births.items() if b and (today - b).days < 17 * 365]
    who = _As(actor, counsellors[0] if counsellors else None)
    if len(minors) < 6:
        minors += await _children(actor, adults, rng, fake, today, 8 - len(minors))

    # Counselling cases with sessions (and a minor with a guardian's consent).
    for i, client in enumerate(rng.sample(adults, min(8, len(adults)))):
        family = [p for p in rng.sample(adults, 2) if p != client][:1]
        minor = minors[i % len(minors)] if minors and i % 3 == 0 else None
        opened = today - timedelta(days=rng.randint(20, 200))
        case = await services.create_case(
            who,
            CaseCreate(
                person_id=client,
                problems=PROBLEM_SETS[i % len(PROBLEM_SETS)],  # type: ignore[arg-type]
                referral_source=rng.choice(["self", "school", "social_service", "health_service"]),
                family_member_ids=[*family, *([minor] if minor else [])],
                opened_on=opened,
            ),
        )
        participants = [client]
        if minor is not None:
            await services.add_consent(
                who,
                case["id"],
                ConsentCreate(minor_id=minor, kind="consent", guardian_id=client),
            )
            participants.append(minor)
        kinds = ["individual", "family", "parent_child", "couple", "divorce", "grief"]
        for n in range(rng.randint(2, 12)):
            day = opened + timedelta(days=7 * n + 1)
            if day >= today:
                break
            held = datetime.combine(day, time(9 + rng.randint(0, 6), 0), tz)
            session = await services.create_session(
                who,
                case["id"],
                SessionCreate(
                    session_type=kinds[(i + n) % len(kinds)]  # type: ignore[arg-type]
                    if len(participants) > 1
                    else rng.choice(["individual", "grief", "divorce"]),
                    mode=rng.choice(["in_person", "in_person", "phone", "video"]),
                    held_at=held,
                    duration_minutes=rng.choice([45, 50, 60, 90]),
                    participant_ids=participants,
                ),
            )
            if who.user_id is not None and n % 3 == 0:
                await services.create_note(who, session["id"], NoteCreate(body=rng.choice(NOTES)))

    # Groups and school workshops.
    for kind, title in (
        ("parents_school", "Σχολή Γονέων: Επικοινωνία με τους εφήβους"),
        ("parents_group", "Ομάδα αυτογνωσίας γονέων"),
        ("teens_group", "Ομάδα εφήβων: Διαχείριση θυμού"),
        ("school_workshop", "Βιωματικό εργαστήριο: Σχολικός εκφοβισμός"),
        ("school_seminar", "Ομιλία: Ψηφιακή ασφάλεια και οικογένεια"),
    ):
        starts = today - timedelta(days=rng.randint(30, 90))
        school = kind.startswith("school")
        enrolled = [] if school else rng.sample(adults, min(8, len(adults)))
        programme = await services.create_programme(
            who,
            ProgrammeCreate(
                kind=kind,  # type: ignore[arg-type]
                title=title,
                partner=f"{rng.choice(SCHOOLS)} {fake.city()}" if school else "",
                starts_on=starts,
                ends_on=starts + timedelta(days=70),
                enrolled_ids=enrolled,
            ),
        )
        for week in range(1 if school else 6):
            meeting_day = starts + timedelta(days=7 * week)
            if meeting_day > today:
                break
            await services.add_meeting(
                who,
                programme["id"],
                MeetingCreate(
                    held_on=meeting_day,
                    topic=title,
                    pupils=rng.randint(20, 60) if school else 0,
                    parents=rng.randint(5, 20) if school else len(enrolled),
                    teachers=rng.randint(2, 6) if school else 0,
                    present_ids=[p for p in enrolled if rng.random() < 0.8],
                ),
            )

    # Volunteers and trainee students.
    for kind, institution in (
        ("trainee", "Τμήμα Κοινωνικής Εργασίας, Πανεπιστήμιο Δυτικής Αττικής"),
        ("trainee", "Τμήμα Ψυχολογίας, Πάντειο Πανεπιστήμιο"),
        ("volunteer", "Εθελόντρια ψυχολόγος"),
    ):
        helper = await services.create_helper(
            who,
            HelperCreate(
                kind=kind,  # type: ignore[arg-type]
                full_name=fake.name(),
                institution=institution,
                starts_on=today - timedelta(days=60),
            ),
        )
        for week in range(4):
            await services.add_supervision(
                who,
                helper["id"],
                SupervisionCreate(
                    supervised_on=today - timedelta(days=56 - 14 * week),
                    hours=rng.choice([1.0, 1.5, 2.0]),
                    topic="Εποπτεία περιστατικών",
                ),
            )

    # Prosecutor orders: completed, on time, approaching and overdue.
    if not team or not minors:
        return
    settings = await services.settings_for(actor)
    for n in range(10):
        received = today - timedelta(days=rng.randint(3, 60))
        own_deadline = n % 2 == 0
        deadline = received + timedelta(days=rng.choice([10, 20, 30])) if own_deadline else None
        children = rng.sample(minors, min(len(minors), rng.randint(1, 2)))
        order = await services.create_investigation(
            replace(who, user_id=team[n % len(team)]),
            InvestigationCreate(
                order_protocol=f"{rng.randint(100, 9999)}/{received.year}",
                our_protocol=f"Δ{rng.randint(1000, 99999)}",
                prosecutor_office=rng.choice(OFFICES),
                received_on=received,
                deadline=deadline,
                priority="urgent" if n % 4 == 0 else "normal",
                allegation=rng.choice(["abuse", "neglect", "neglect", "other"]),  # type: ignore[arg-type]
                children_ids=children,
                adult_ids=[p for p in rng.sample(adults, 1) if p not in children],
                assigned=[team[n % len(team)]],
            ),
        )
        finish = received + timedelta(days=rng.randint(7, 40))
        if n % 3 == 0 and finish <= today:
            await services.save_report(
                who,
                order["id"],
                ReportDraft(body=(await services.report_template(who, order["id"]))),
            )
            await services.add_dispatch(
                who,
                order["id"],
                DispatchCreate(
                    sent_on=finish,
                    recipient=order["prosecutor_office"],
                    protocol=f"Δ{rng.randint(1000, 99999)}",
                    method=rng.choice(["e_filing", "courier", "by_hand"]),  # type: ignore[arg-type]
                ),
            )
    del settings
