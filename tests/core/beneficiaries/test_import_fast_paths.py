"""The import's shortcuts give exactly what the services compute for one person.

`bulk.person_values` reads the model without `model_dump`, and `bulk.person_keys` splits the
search keys and tokens into a memoised name part and an identifier part. If a change of the
model or of `core.beneficiaries.search` breaks either shortcut, these tests fail.
"""

from __future__ import annotations

import random
from datetime import date
from itertools import pairwise
from typing import Any

from core.beneficiaries import bulk
from core.beneficiaries import search as search_keys
from core.beneficiaries.identifiers import make_afm, make_amka
from core.beneficiaries.schemas import BeneficiaryCreate, ValidationScope, validation_scope
from core.beneficiaries.services import _keys, _values_from_create

FIRST = ["Ευάγγελος", "Μαρία-Ελένη", "Σπυρίδων", "Άννα", "Ευφροσύνη", "John", "Ιωάννης", "Ντίνος"]
LAST = [
    "Μπαλής",
    "Παπαδόπουλος-Κωνσταντίνου",
    "Ξενάκης",
    "Ντ'Αλέσιο",
    "Καϊάφα",
    "Smith",
    "Οικονόμου",
    "Τσίπρας",
]
SCOPE = ValidationScope(
    categories=frozenset({"unemployed", "min_income", "disability", "roma", "large_family"}),
    sees_special=True,
)


def body(rng: random.Random, n: int) -> dict[str, Any]:
    """A create body with a random choice of the optional fields."""
    birth = date(1940 + rng.randrange(70), 1 + rng.randrange(12), 1 + rng.randrange(28))
    out: dict[str, Any] = {
        "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST),
        "birth_date": birth.isoformat(),
    }
    optional: dict[str, Any] = {
        "amka": make_amka(birth, n, rng.choice(["male", "female"])),
        "afm": make_afm(30_000_000 + n),
        "phone": f"69{n:08d}",
        "other_phones": [f"210{n:07d}", f"+44 20 7946 {n % 10000:04d}"],
        "email": f"person{n}@example.org",
        "iban": "GR16 0110 1250 0000 0001 2300 695",
        "personal_number": f"12A{make_afm(40_000_000 + n)}",
        "latin_first_name": "Spyros",
        "latin_last_name": "Xenakis-Papas",
        "father_name": "Νικόλαος",
        "mother_name": "Ζωή",
        "sex": rng.choice(["female", "male", "other"]),
        "preferred_language": "en",
        "categories": rng.sample(["unemployed", "min_income", "disability", "roma"], 2),
        "disability_percent": 67,
        "address": {"street": "Ερμού", "number": "12Α", "city": "Αθήνα", "postcode": "105 63"},
    }
    for name, value in optional.items():
        if rng.random() < 0.5:
            out[name] = value
    if rng.random() < 0.3:
        out["id_document_type"], out["id_document_number"] = rng.choice(
            [("old_id", "ΑΒ 123456"), ("new_id", "AB1234567"), ("passport", "XK9876543")]
        )
    return out


def models(count: int) -> list[BeneficiaryCreate]:
    rng = random.Random(11)
    with validation_scope(SCOPE):
        return [BeneficiaryCreate.model_validate(body(rng, n)) for n in range(count)]


def test_person_values_equal_the_services_values() -> None:
    for model in models(300):
        assert bulk.person_values(model) == _values_from_create(model)


def test_person_keys_equal_the_search_functions() -> None:
    seen_names = set()
    for model in models(300):
        values = _values_from_create(model)
        keys, tokens = bulk.person_keys(values)
        assert keys == _keys(values)
        assert tokens == search_keys.person_tokens(values)
        seen_names.add((values["first_name"], values["last_name"]))
    assert len(seen_names) > 20  # the memoised name part was reused and recomputed


def test_sorted_ids_are_random_version_4_in_order() -> None:
    ids = bulk.sorted_ids(2000)
    assert ids == sorted(ids)
    assert len(set(ids)) == 2000
    assert {u.version for u in ids} == {4}
    assert {u.variant for u in ids} == {"specified in RFC 4122"}
    assert ids[0].int < 2**124 < ids[-1].int  # spread over the whole id space


def test_id_prefixes_rise_through_the_id_space() -> None:
    prefixes = bulk._id_prefixes(20)
    assert len(set(prefixes)) == 20
    steps = {(b - a) % 256 for a, b in pairwise(prefixes)}
    assert steps <= {12, 13}
    assert bulk._id_prefixes(1)[0] in range(256)


def _code(fn: Any, value: str) -> str:
    """The stored form, or the error code."""
    from pydantic_core import PydanticCustomError

    try:
        return str(fn(value))
    except PydanticCustomError as exc:
        return exc.type


def test_amka_and_afm_checks_equal_python_stdnum_on_the_whole_number() -> None:
    """`identifiers.amka`/`afm` call python-stdnum's check digit (and AMKA date) on the
    compact number; the outcome must be that of its full `validate` on every input."""
    import re

    from stdnum.gr import amka as stdnum_amka
    from stdnum.gr import vat as stdnum_vat

    from core.beneficiaries import identifiers

    separators = re.compile(r"[\s\-./()]+")

    def full_amka(value: str) -> str:
        number = separators.sub("", value.strip())
        if not number.isdigit() or len(number) != 11:
            return "invalid_amka"
        if set(number) == {"0"}:
            return "amka_all_zero"
        return number if stdnum_amka.is_valid(number) else "invalid_amka"

    def full_afm(value: str) -> str:
        raw = separators.sub("", value.strip()).upper()
        raw = raw[2:] if raw.startswith(("EL", "GR")) else raw
        if not raw.isdigit() or len(raw) not in (8, 9):
            return "invalid_afm"
        if set(raw.zfill(9)) == {"0"}:
            return "afm_all_zero"
        return raw.zfill(9) if stdnum_vat.is_valid(raw.zfill(9)) else "invalid_afm"

    rng = random.Random(5)
    amkas = ["00000000000", "3102990000" + "0", "1705800011٣", "17 05 80 0011 3", "29029900012"]
    afms = ["000000000", "EL094259216", "gr 094 259 216", "94259216", "09425921٦", "12345678"]
    for n in range(3000):
        birth = date(1900 + rng.randrange(125), 1 + rng.randrange(12), 1 + rng.randrange(28))
        good = make_amka(birth, n)
        amkas += [good, good[:-1] + str((int(good[-1]) + 1 + n % 9) % 10)]
        amkas.append("".join(rng.choice("0123456789") for _ in range(11)))
        afms += [make_afm(n * 7919), "".join(rng.choice("0123456789") for _ in range(9))]
    outcomes = set()
    for value in amkas:
        assert _code(identifiers.amka, value) == full_amka(value), value
        outcomes.add(full_amka(value)[:7])
    for value in afms:
        assert _code(identifiers.afm, value) == full_afm(value), value
        outcomes.add(full_afm(value)[:7])
    assert {"invalid", "amka_al", "afm_all"} <= outcomes and len(outcomes) > 100
