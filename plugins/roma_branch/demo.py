"""Demo data of the Roma branch (the Chios demo tenant): realistic, synthetic, repeatable.

Records attach to people the core's demo created (`active_person_ids`); the same seed gives
the same data. Employers get valid (synthetic) tax numbers; amounts follow FACTS.md §4.5.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from faker import Faker

from core.api import TenantRef, active_person_ids, encrypt, local_today
from plugins.roma_branch import rules
from plugins.roma_branch.schemas import AGENCIES, REQUEST_TYPES
from plugins.roma_branch.settings import DEFAULT_CHECKLISTS, Benefit
from plugins.roma_branch.tables import (
    Accompaniment,
    Application,
    ChecklistItem,
    Employer,
    EsfRecord,
    Followup,
    JobSeeker,
    Placement,
    Reception,
    SchoolAction,
    SchoolRecord,
    Vacancy,
)

SKILLS = [
    "καθαρισμός χώρων",
    "γεωργικές εργασίες",
    "συλλογή μαστίχας",
    "οικοδομικές εργασίες",
    "εμπόριο",
    "μάγειρας",
    "αποθήκη",
    "οδήγηση",
]
LICENCES = ["δίπλωμα Β", "δίπλωμα Γ", "άδεια χειριστή κλαρκ"]
SCHOOLS = ["1ο Δημοτικό Σχολείο Χίου", "3ο Δημοτικό Σχολείο Χίου", "Γυμνάσιο Βροντάδου"]
EMPLOYERS = [
    ("Μαστιχοπαραγωγική Ένωση Χίου", "Γεωργία"),
    ("Ξενοδοχείο Χανδρής", "Τουρισμός"),
    ("Σούπερ Μάρκετ Αιγαίου", "Εμπόριο"),
    ("Τεχνική Κατασκευαστική Νήσων", "Κατασκευές"),
]


def _afm(rng: random.Random) -> str:
    while True:
        body = [rng.randint(0, 9) for _ in range(8)]
        check = sum(d << (8 - i) for i, d in enumerate(body)) % 11 % 10
        value = "".join(map(str, body)) + str(check)
        if value != "000000000":
            return value


async def load(tenant: TenantRef, seed: int) -> None:
    rng = random.Random(seed)
    fake = Faker("el_GR")
    fake.seed_instance(seed)
    people = await active_person_ids(40)
    if not people:
        return
    now = datetime.now(UTC)
    today = local_today(tenant)
    follow_up = await encrypt(
        "Επανεπικοινωνία για δικαιολογητικά", "roma_branch.reception.follow_up"
    )
    purpose = await encrypt(
        "Συνοδεία για έκδοση δικαιολογητικών", "roma_branch.accompaniment.purpose"
    )
    # reception log: named and anonymous contacts over the last three months; a follow-up
    # is due a week after the contact, and marked done when that week is long past
    contacts = []
    for _ in range(30):
        row = Reception(
            id=uuid4(),
            person_id=rng.choice(people) if rng.random() < 0.8 else None,
            people_count=1,
            visited_on=today - timedelta(days=rng.randint(0, 90)),
            channel=rng.choice(["visit", "visit", "phone"]),
            request_type=rng.choice(REQUEST_TYPES),
            outcome=rng.choice(["informed", "assisted", "referred", "pending"]),
            follow_up="" if rng.random() < 0.6 else follow_up,
            created_at=now,
        )
        if row.follow_up:
            row.follow_up_on = row.visited_on + timedelta(days=7)
            if row.follow_up_on < today - timedelta(days=14):
                row.follow_up_done_on = row.follow_up_on
        contacts.append(row)
    await Reception.insert(*contacts)
    # accompaniments in the past (done), one per agency at least
    for i, agency in enumerate(AGENCIES):
        start = datetime.combine(
            today - timedelta(days=7 + 3 * i), datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=7)
        await Accompaniment(
            id=uuid4(),
            person_id=rng.choice(people),
            agency=agency,
            agency_other="Ληξιαρχείο Χίου" if agency == "other" else "",
            purpose=purpose,
            start=start,
            end=start + timedelta(hours=2),
            day=start.date(),
            mediator_staff_id=uuid4(),
            status="done",
            outcome=rng.choice(["completed", "partly"]),
            created_at=now,
            updated_at=now,
        ).save()
    # benefit applications with checklists
    benefits: list[Benefit] = [
        "min_income",
        "min_income",
        "min_income",
        "housing",
        "child",
        "disability",
    ]
    for i, benefit in enumerate(benefits):
        adults, minors = rng.choice([(1, 0), (2, 2), (1, 2), (2, 3), (3, 1)])
        single = adults == 1 and minors > 0
        income = Decimal(rng.randrange(0, 1800, 50))
        app_id = uuid4()
        h = rules.Household(adults, minors, single)
        estimate = (
            rules.minimum_income(
                h, income, real_estate=Decimal(0), vehicles=Decimal(1500), deposits=Decimal(300)
            ).as_dict()
            if benefit == "min_income"
            else {}
        )
        items = []
        missing = 0
        for pos, tpl in enumerate(DEFAULT_CHECKLISTS[benefit]):
            received = rng.random() < 0.7
            expiry = today + timedelta(days=rng.randint(-20, 400)) if tpl.expires else None
            if tpl.required and (not received or (expiry is not None and expiry < today)):
                missing += 1
            items.append(
                ChecklistItem(
                    id=uuid4(),
                    application_id=app_id,
                    position=pos,
                    code=tpl.code,
                    title_el=tpl.title_el,
                    title_en=tpl.title_en,
                    required=tpl.required,
                    expires=tpl.expires,
                    received=received,
                    received_on=today - timedelta(days=rng.randint(1, 30)) if received else None,
                    expiry_date=expiry if received else None,
                )
            )
        await Application(
            id=app_id,
            person_id=people[i % len(people)],
            benefit=benefit,
            adults=adults,
            minors=minors,
            single_parent=single,
            income_6m=income,
            real_estate=Decimal(0),
            vehicles=Decimal(1500),
            deposits=Decimal(300),
            estimate=estimate,
            readiness="ready" if missing == 0 else "not_ready",
            missing_count=missing,
            created_at=now,
            updated_at=now,
        ).save()
        await ChecklistItem.insert(*items)
    # job bank
    employer_ids = []
    for name, sector in EMPLOYERS:
        employer = Employer(
            id=uuid4(),
            name=name,
            afm=_afm(rng),
            sector=sector,
            area="Χίος",
            contact_name=fake.name(),
            phone=f"22710{rng.randint(20000, 99999)}",
            created_at=now,
        )
        await employer.save()
        employer_ids.append(employer.id)
    for employer_id in employer_ids:
        await Vacancy(
            id=uuid4(),
            employer_id=employer_id,
            title=rng.choice(["Εργάτης/τρια", "Καθαριστής/τρια", "Βοηθός κουζίνας", "Οδηγός"]),
            skills=rng.sample(SKILLS, 2),
            licences=rng.sample(LICENCES, 1) if rng.random() < 0.3 else [],
            min_education=rng.choice(["none", "isced_1_2"]),
            min_experience_years=rng.randint(0, 2),
            availability=rng.choice(["full_time", "seasonal", "any"]),
            positions=rng.randint(1, 3),
            posted_on=today - timedelta(days=rng.randint(0, 20)),
            created_at=now,
        ).save()
    seekers = []
    for person_id in people[6:14]:
        seeker_row = JobSeeker(
            id=uuid4(),
            person_id=person_id,
            education=rng.choice(["none", "isced_1_2", "isced_1_2", "isced_3_4"]),
            skills=rng.sample(SKILLS, 3),
            experience_years=rng.randint(0, 10),
            experience="Εποχική εργασία σε συγκομιδή μαστίχας",
            licences=rng.sample(LICENCES, 1) if rng.random() < 0.4 else [],
            languages=["Ελληνικά", "Ρομανί"],
            availability=rng.choice(["full_time", "seasonal", "any"]),
            registered_dypa=rng.random() < 0.7,
            created_at=now,
            updated_at=now,
        )
        await seeker_row.save()
        seekers.append(seeker_row)
    for seeker in seekers[:3]:
        started = today - timedelta(days=rng.randint(20, 200))
        placement_id = uuid4()
        await Placement(
            id=placement_id,
            seeker_id=seeker.id,
            person_id=seeker.person_id,
            employer_id=rng.choice(employer_ids),
            start_date=started,
            contract="seasonal",
            created_at=now,
        ).save()
        for month, due in rules.followup_dates(started, [1, 3, 6]):
            done = due < today
            await Followup(
                id=uuid4(),
                placement_id=placement_id,
                month=month,
                due_on=due,
                done_on=due if done else None,
                still_employed=True if done else None,
            ).save()
    # school follow-up
    year = today.year if today.month >= 9 else today.year - 1
    for person_id in people[14:22]:
        record_id = uuid4()
        await SchoolRecord(
            id=record_id,
            child_id=person_id,
            school_year=f"{year}-{year + 1}",
            school=rng.choice(SCHOOLS),
            grade=rng.choice(["Α΄", "Β΄", "Γ΄", "Δ΄", "Ε΄", "ΣΤ΄"]),
            enrolment_status=rng.choice(
                ["enrolled", "enrolled", "enrolled", "pending", "dropped_out"]
            ),
            attendance_concern=rng.choice(["none", "low", "medium", "high"]),
            absences=rng.randint(0, 60),
            created_at=now,
            updated_at=now,
        ).save()
        if rng.random() < 0.5:
            await SchoolAction(
                id=uuid4(),
                school_record_id=record_id,
                action_on=today - timedelta(days=rng.randint(1, 40)),
                action=rng.choice(["home_visit", "school_meeting", "parent_meeting"]),
                notes=await encrypt("Συζήτηση για τις απουσίες", "roma_branch.school_action.notes"),
                created_at=now,
            ).save()
    # ESF participant entry records (2021–27)
    for person_id in people[:12]:
        fields: dict[str, Any] = {
            "sex": rng.choice(["female", "male"]),
            "age_band": rng.choice(["18_29", "30_54", "55_plus"]),
            "employment_status": rng.choice(["unemployed", "long_term_unemployed", "inactive"]),
            "education": rng.choice(["isced_0_2", "isced_0_2", "isced_3_4"]),
            "disability": rng.choice(["no", "no", "declined"]),
            "third_country_national": "no",
            "foreign_background": "no",
            "minority": rng.choice(["yes", "yes", "declined"]),
            "homeless": rng.choice(["no", "yes"]),
            "rural": "no",
        }
        await EsfRecord(
            id=uuid4(),
            person_id=person_id,
            period="2021_2027",
            kind="entry",
            recorded_on=today - timedelta(days=rng.randint(30, 300)),
            sex=fields["sex"],
            fields=fields,
            created_at=now,
        ).save()
