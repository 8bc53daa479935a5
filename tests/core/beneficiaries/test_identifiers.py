"""Identifier validators against the vectors and traps of domain FACTS §1."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic_core import PydanticCustomError

from core.beneficiaries import identifiers as ids


def code_of(fn, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PydanticCustomError) as info:
        fn(*args)
    return info.value.type


def test_amka_vectors_and_traps() -> None:
    assert ids.amka("01013099997") == "01013099997"
    assert ids.amka("010130 99997") == "01013099997"
    assert code_of(ids.amka, "01013099999") == "invalid_amka"
    assert code_of(ids.amka, "00000000000") == "amka_all_zero"
    assert code_of(ids.amka, "0101309999") == "invalid_amka"
    assert code_of(ids.amka, "3213309999x") == "invalid_amka"
    # A Luhn-valid number whose date part is impossible (32/13).
    partial = "3213309999"
    assert code_of(ids.amka, partial + ids.luhn_check_digit(partial)) == "invalid_amka"


def test_amka_date_mismatch_is_only_detected() -> None:
    assert ids.amka_matches_birth_date("01013099997", date(1930, 1, 1))
    assert not ids.amka_matches_birth_date("01013099997", date(1930, 1, 2))


@pytest.mark.parametrize("sex", ["male", "female"])
def test_generated_amka_is_valid_and_encodes_sex(sex: str) -> None:
    for n in range(50):
        number = ids.make_amka(date(2003, 12, 31), n, sex)
        assert ids.amka(number) == number
        assert int(number[9]) % 2 == (1 if sex == "male" else 0)
        assert number.startswith("311203")


def test_afm_vectors_and_traps() -> None:
    assert ids.afm("094259216") == "094259216"
    assert ids.afm("123456783") == "123456783"
    assert ids.afm("EL 094259216") == "094259216"
    assert ids.afm("GR094259216") == "094259216"
    assert ids.afm("94259216") == "094259216"  # old 8-digit form
    assert code_of(ids.afm, "123456781") == "invalid_afm"
    assert code_of(ids.afm, "000000000") == "afm_all_zero"
    assert code_of(ids.afm, "12345") == "invalid_afm"
    for n in range(50):
        number = ids.make_afm(n * 1_234_567)
        assert ids.afm(number) == number


def test_personal_number() -> None:
    assert ids.personal_number("AB K 094259216") == "ABK094259216"
    assert ids.personal_number("αβκ094259216") == "ABK094259216"  # Greek look-alikes
    assert code_of(ids.personal_number, "AB1094259216") == "invalid_personal_number"
    assert code_of(ids.personal_number, "ABK123456781") == "invalid_personal_number"
    assert code_of(ids.personal_number, "ABK000000000") == "invalid_personal_number"


def test_id_documents() -> None:
    assert ids.id_document("old_id", "AB 123456") == "ΑΒ123456"
    assert ids.id_document("old_id", "Χ-123456") == "Χ123456"
    assert ids.id_document("old_id", "x123456") == "Χ123456"
    assert code_of(ids.id_document, "old_id", "ABC123456") == "invalid_old_id"
    assert code_of(ids.id_document, "old_id", "AB12345") == "invalid_old_id"
    assert ids.id_document("passport", "ab 1234567") == "AB1234567"
    assert ids.id_document("new_id", "AB1234567") == "AB1234567"
    assert code_of(ids.id_document, "new_id", "AB1") == "invalid_id_document"
    assert code_of(ids.id_document, "residence_permit", "00000000") == "invalid_id_document"


def test_iban() -> None:
    assert ids.iban("GR16 0110 1250 0000 0001 2300 695") == "GR1601101250000000012300695"
    assert ids.format_iban("GR1601101250000000012300695") == "GR16 0110 1250 0000 0001 2300 695"
    assert code_of(ids.iban, "GR1601101250000000012300696") == "invalid_iban"
    assert code_of(ids.iban, "DE89370400440532013000") == "iban_not_greek"
    assert code_of(ids.iban, "GR160110125000000001230069") == "invalid_iban"


@pytest.mark.parametrize(
    ("raw", "e164", "kind"),
    [
        ("6912345678", "+306912345678", "mobile"),
        ("+30 691 234 5678", "+306912345678", "mobile"),
        ("0030-691-234-5678", "+306912345678", "mobile"),
        ("6851234567", "+306851234567", "mobile"),
        ("210 123 4567", "+302101234567", "fixed_line"),
        ("2310.123.456", "+302310123456", "fixed_line"),
        ("+44 20 7946 0958", "+442079460958", "foreign"),
    ],
)
def test_phone(raw: str, e164: str, kind: str) -> None:
    assert ids.phone(raw) == e164
    assert ids.phone_kind(e164) == kind


@pytest.mark.parametrize(
    "raw", ["12345", "6812345678", "8001234567", "9091234567", "06912345678", "+30691234567", "abc"]
)
def test_phone_refused(raw: str) -> None:
    assert code_of(ids.phone, raw) == "invalid_phone"


def test_postcode() -> None:
    assert ids.postcode("105 57") == "10557"
    assert ids.postcode("15124") == "15124"
    for bad in ("1055", "105 577", "905 57", "05557", "ΑΒ123"):
        assert code_of(ids.postcode, bad) == "invalid_postcode"
