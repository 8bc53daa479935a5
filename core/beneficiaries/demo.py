"""Demo beneficiaries: Greek names in proper male/female forms, valid AMKA and AFM, phones,
addresses in the tenant's town, households with children at school. Deterministic per seed."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from faker import Faker

from core.beneficiaries import identifiers
from core.beneficiaries.bulk import insert_people
from core.beneficiaries.composition import age_on
from core.beneficiaries.schemas import BeneficiaryCreate
from core.beneficiaries.services import SystemActor
from core.beneficiaries.tables import Beneficiary, Household, HouseholdMember
from core.refs import TenantRef

# slug -> (town, postcodes, landline prefix)
TOWNS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "chalandri": ("Χαλάνδρι", ("15231", "15232", "15233", "15234"), "210"),
    "kordelio-evosmos": ("Εύοσμος", ("56224", "56225", "56334"), "2310"),
    "athens": ("Αθήνα", ("10431", "10434", "10440", "10557", "11141", "11254", "11364"), "210"),
    "chios": ("Χίος", ("82100", "82131", "82132"), "22710"),
    "demo-welfare": ("Επίδειξη", ("14561", "14562"), "210"),
}
DEFAULT_TOWN = ("Αθήνα", ("10431", "10557"), "210")


def _female_forms(male: str, female: set[str]) -> list[str]:
    candidates = []
    if male.endswith("όπουλος"):
        candidates.append(male[:-7] + "οπούλου")
    for ending, form in (
        ("ίδης", "ίδου"),
        ("άδης", "άδου"),
        ("ος", "ου"),
        ("ης", "η"),
        ("ής", "ή"),
        ("ας", "α"),
        ("άς", "ά"),
        ("ου", "ου"),
    ):
        if male.endswith(ending):
            candidates.append(male[: -len(ending)] + form)
    return [c for c in candidates if c in female]


_FAMILY_NAMES: list[tuple[str, str]] = []


def _family_names() -> list[tuple[str, str]]:
    """(male, female) surname pairs whose female form Faker also knows: proper forms only."""
    if not _FAMILY_NAMES:
        from faker.providers.person.el_GR import Provider

        female = set(Provider.last_names_female)
        for male in sorted(set(Provider.last_names_male)):
            forms = _female_forms(male, female)
            if forms:
                _FAMILY_NAMES.append((male, forms[0]))
    return _FAMILY_NAMES


def _school_level(age: int) -> str:
    if age < 4:
        return "none"
    if age < 6:
        return "preschool"
    if age < 12:
        return "primary"
    if age < 15:
        return "lower_secondary"
    if age < 18:
        return "upper_secondary"
    return "other"


class _Maker:
    def __init__(self, tenant: TenantRef, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("el_GR")
        self.fake.seed_instance(seed)
        self.town, self.postcodes, self.landline = TOWNS.get(tenant.slug, DEFAULT_TOWN)
        self.roma = "roma_branch" in tenant.modules or tenant.slug == "chios"
        self.today = date.today()
        self.sequence = (seed % 2000) * 2  # even; the sex digit then adds 0 or 1

    def birth_date(self, low: int, high: int) -> date:
        age_days = self.rng.randint(low * 365, high * 365 + 364)
        return self.today - timedelta(days=age_days)

    def phone(self) -> str:
        if self.rng.random() < 0.8:
            return f"+3069{self.rng.randint(0, 99_999_999):08d}"
        rest = 10 - len(self.landline)
        return f"+30{self.landline}{self.rng.randint(10 ** (rest - 1), 10**rest - 1)}"

    def address(self) -> dict[str, str]:
        return {
            "street": self.fake.street_name(),
            "number": str(self.rng.randint(1, 160)),
            "city": self.town,
            "postcode": self.rng.choice(self.postcodes),
        }

    def person(
        self,
        sex: str,
        birth: date,
        last_name: str | None = None,
        address: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        male = sex == "male"
        self.sequence += 2
        first = self.fake.first_name_male() if male else self.fake.first_name_female()
        last = last_name or (self.fake.last_name_male() if male else self.fake.last_name_female())
        categories: list[str] = []
        age = age_on(birth, self.today)
        roll = self.rng.random
        if roll() < 0.2:
            categories.append("min_income")
        if 18 <= age < 67 and roll() < 0.25:
            categories.append("long_term_unemployed" if roll() < 0.4 else "unemployed")
        if roll() < 0.1:
            categories.append("uninsured")
        if self.roma and roll() < 0.45:
            categories.append("roma")
        elif roll() < 0.06:
            categories.append("third_country_national")
        disability = None
        if roll() < 0.09:
            categories.append("disability")
            disability = self.rng.choice((50, 60, 67, 67, 80, 95))
        return {
            "first_name": first,
            "last_name": last,
            "father_name": self.fake.first_name_male(),
            "mother_name": self.fake.first_name_female(),
            "birth_date": birth,
            "sex": sex,
            "amka": identifiers.make_amka(birth, self.sequence, sex) if roll() < 0.93 else None,
            "afm": identifiers.make_afm(self.rng.randint(10_000_000, 99_999_999))
            if age >= 18 and roll() < 0.85
            else None,
            "phone": self.phone() if age >= 16 else None,
            "address": address or self.address(),
            "categories": categories,
            "disability_percent": disability,
        }


async def load_demo(tenant: TenantRef, seed: int) -> None:
    """60-200 people: households (couples or single parents with children), people living
    alone (older people among them), each with categories that fit the tenant."""
    from core.plugin_host import get_host

    maker = _Maker(tenant, seed)
    rng = maker.rng
    target = rng.randint(80, 150)
    people: list[dict[str, Any]] = []
    households: list[dict[str, Any]] = []
    while len(people) < target:
        kind = rng.random()
        if kind < 0.45:  # a family
            single = rng.random() < 0.3
            head_sex = "female" if single or rng.random() < 0.4 else "male"
            family, female_form = rng.choice(_family_names())
            address = maker.address()
            head = maker.person(
                head_sex,
                maker.birth_date(24, 55),
                family if head_sex == "male" else female_form,
                address,
            )
            members = [(head, "head")]
            if not single:
                spouse = maker.person(
                    "female" if head_sex == "male" else "male",
                    maker.birth_date(24, 55),
                    female_form if head_sex == "male" else family,
                    address,
                )
                members.append((spouse, "spouse"))
            children = [maker.birth_date(0, 17) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
            if single:
                head["categories"].append("single_parent")
            if len(children) >= 3:
                head["categories"].append("large_family")
            households.append({"members": members, "children": children, "family": family})
            people += [m for m, _r in members]
        else:
            old = rng.random() < 0.4
            sex = rng.choice(("female", "male"))
            person = maker.person(
                sex, maker.birth_date(68, 92) if old else maker.birth_date(18, 67)
            )
            if old and rng.random() < 0.6:
                person["categories"].append("elderly_alone")
            people.append(person)
    for person in people:
        if person["disability_percent"] is None and "disability" in person["categories"]:
            person["disability_percent"] = 67
    models = [BeneficiaryCreate.model_validate(p) for p in people]
    actor = SystemActor(
        tenant=tenant, hooks=get_host().for_tenant(tenant.modules), request_id="demo", client="demo"
    )
    ids = await insert_people(actor, models, audit_action="create")
    by_person = {id(p): pid for p, pid in zip(people, ids, strict=True)}
    now = datetime.now(UTC)
    for household in households:
        household_id = uuid4()
        head = household["members"][0][0]
        await Household.insert(
            Household(
                id=household_id,
                name=household["family"],
                created_at=now,
                updated_at=now,
                address_street=head["address"]["street"],
                address_number=head["address"]["number"],
                address_city=head["address"]["city"],
                address_postcode=head["address"]["postcode"],
            )
        )
        rows = []
        for person, relation in household["members"]:
            pid: UUID = by_person[id(person)]
            rows.append(
                HouseholdMember(
                    id=uuid4(),
                    household_id=household_id,
                    beneficiary_id=pid,
                    relation=relation,
                    created_at=now,
                )
            )
            await Beneficiary.update({Beneficiary.household_id: household_id}).where(
                Beneficiary.id == pid
            )
        for birth in household["children"]:
            sex = rng.choice(("female", "male"))
            name = maker.fake.first_name_male() if sex == "male" else maker.fake.first_name_female()
            rows.append(
                HouseholdMember(
                    id=uuid4(),
                    household_id=household_id,
                    first_name=name,
                    birth_date=birth,
                    sex=sex,
                    relation="child",
                    school_level=_school_level(age_on(birth, maker.today)),
                    created_at=now,
                )
            )
        await HouseholdMember.insert(*rows)
