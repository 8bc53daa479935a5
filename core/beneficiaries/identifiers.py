"""Validators of Greek personal identifiers (domain FACTS §1), built on python-stdnum.

Each returns the value in its stored form or raises `core.errors.invalid(code)`, a pydantic
custom error carrying a stable code and a translated message, so the same functions serve the
API's models, the CSV import and the demo data. Every all-zero number is refused explicitly:
it passes the checksums.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gr import amka as stdnum_amka
from stdnum.gr import vat as stdnum_vat

from core.errors import invalid
from core.text import normalise_id

ID_DOCUMENT_TYPES = ("old_id", "new_id", "passport", "residence_permit")

_SEPARATORS = re.compile(r"[\s\-./()]+")
_PERSONAL_NUMBER = re.compile(r"^[A-Z0-9]{2}[A-Z]\d{9}$")
_OLD_ID = re.compile(r"^[Α-Ω]{1,2}\d{6}$")
_OTHER_DOCUMENT = re.compile(r"^[A-ZΑ-Ω0-9]{5,20}$")
_NEW_ID = re.compile(r"^[A-ZΑ-Ω0-9]{6,12}$")
_GR_IBAN = re.compile(r"^GR\d{2}\d{3}\d{4}[A-Z0-9]{16}$")
_MOBILE = re.compile(r"^6(?:8[57-9]|9\d)\d{7}$")
_FIXED = re.compile(r"^2\d{9}$")
_PERSONAL_PHONE = re.compile(r"^70\d{8}$")
_FOREIGN_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_POSTCODE = re.compile(r"^[1-8]\d{2} ?\d{2}$")


def _digits_only(value: str) -> str:
    return _SEPARATORS.sub("", value.strip())


def amka(value: str) -> str:
    """11 digits: DDMMYY birth date, sequence, Luhn check digit.

    The number is compact ASCII digits here, so python-stdnum's checks are called directly
    (`amka.validate` would first clean it again, twice, which was most of the time of
    validating a CSV import's row): the same checks, in the same order.
    """
    number = _digits_only(value)
    if not _ascii_digits(number) or len(number) != 11:
        raise invalid("invalid_amka")
    if set(number) == {"0"}:
        raise invalid("amka_all_zero")
    try:
        stdnum_luhn.validate(number)
        stdnum_amka.get_birth_date(number)
    except StdnumError:
        raise invalid("invalid_amka") from None
    return number


def _ascii_digits(number: str) -> bool:
    return number.isascii() and number.isdigit()


def amka_matches_birth_date(number: str, birth_date: date) -> bool:
    """Whether the AMKA's DDMMYY part is this birth date (a mismatch is only a warning)."""
    return number[:6] == birth_date.strftime("%d%m%y")


def afm(value: str) -> str:
    """9 digits with a mod-11 check digit; an `EL`/`GR` prefix and separators are dropped."""
    raw = _digits_only(value).upper()
    if raw.startswith(("EL", "GR")):
        raw = raw[2:]
    if not _ascii_digits(raw) or len(raw) not in (8, 9):
        raise invalid("invalid_afm")
    number = raw.zfill(9)
    if set(number) == {"0"}:
        raise invalid("afm_all_zero")
    # python-stdnum's check digit on the compact number (`vat.is_valid` cleans it first).
    if stdnum_vat.calc_check_digit(number[:-1]) != number[-1]:
        raise invalid("invalid_afm")
    return number


def personal_number(value: str) -> str:
    """12 characters: 2 chosen, 1 check letter, then the 9-digit AFM (shape + AFM check)."""
    number = normalise_id(value, script="latin")
    if not _PERSONAL_NUMBER.match(number):
        raise invalid("invalid_personal_number")
    tail = number[3:]
    if set(tail) == {"0"} or not stdnum_vat.is_valid(tail):
        raise invalid("invalid_personal_number")
    return number


def id_document(doc_type: str, value: str) -> str:
    """The number of an identity document of the given type, in its stored form."""
    if doc_type == "old_id":
        number = normalise_id(value, script="greek")
        if not _OLD_ID.match(number):
            raise invalid("invalid_old_id")
        return number
    number = _SEPARATORS.sub("", value.strip()).upper()
    pattern = _NEW_ID if doc_type == "new_id" else _OTHER_DOCUMENT
    if not pattern.match(number) or set(number) == {"0"}:
        raise invalid("invalid_id_document")
    return number


def iban(value: str) -> str:
    """A Greek IBAN (27 characters, mod-97), stored without spaces."""
    number = _SEPARATORS.sub("", value).upper()
    if not number.startswith("GR"):
        raise invalid("iban_not_greek")
    if not _GR_IBAN.match(number) or not stdnum_iban.is_valid(number):
        raise invalid("invalid_iban")
    if set(number[4:]) == {"0"}:
        raise invalid("invalid_iban")
    return number


def format_iban(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def phone(value: str) -> str:
    """A personal phone in E.164: Greek mobile (69x, 685, 687-689) or fixed line (2x), or a
    foreign number written with its country code."""
    raw = _SEPARATORS.sub("", value.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+") and not raw.startswith("+30"):
        if _FOREIGN_E164.match(raw):
            return raw
        raise invalid("invalid_phone")
    national = raw[3:] if raw.startswith("+30") else raw
    if not national.isdigit() or len(national) != 10:
        raise invalid("invalid_phone")
    if not (_MOBILE.match(national) or _FIXED.match(national) or _PERSONAL_PHONE.match(national)):
        raise invalid("invalid_phone")
    return "+30" + national


def phone_kind(e164: str) -> str:
    national = e164[3:] if e164.startswith("+30") else ""
    if _MOBILE.match(national):
        return "mobile"
    if _FIXED.match(national):
        return "fixed_line"
    if _PERSONAL_PHONE.match(national):
        return "personal"
    return "foreign"


def national_phone_digits(e164: str) -> str:
    """The digits people type for a phone: the 10-digit national number for Greek ones."""
    return e164[3:] if e164.startswith("+30") else e164.lstrip("+")


def postcode(value: str) -> str:
    """5 digits (written `105 57`), stored without the space."""
    raw = value.strip()
    if not _POSTCODE.match(raw):
        raise invalid("invalid_postcode")
    return raw.replace(" ", "")


# -- generators for demo and test data ------------------------------------------------------


def luhn_check_digit(partial: str) -> str:
    total = 0
    for index, ch in enumerate(reversed(partial)):
        d = int(ch)
        if index % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_amka(birth_date: date, sequence: int, sex: str | None = None) -> str:
    """A valid AMKA for a birth date; the 10th digit is odd for men and even for women."""
    seq = f"{sequence % 10000:04d}"
    if sex in ("male", "female"):
        last = int(seq[3])
        want_odd = sex == "male"
        if (last % 2 == 1) != want_odd:
            last = (last + 1) % 10
        seq = seq[:3] + str(last)
    partial = birth_date.strftime("%d%m%y") + seq
    return partial + luhn_check_digit(partial)


def afm_check_digit(first8: str) -> str:
    c = 0
    for ch in first8:
        c = c * 2 + int(ch)
    return str(c * 2 % 11 % 10)


def make_afm(first8: int) -> str:
    body = f"{first8 % 100_000_000:08d}"
    if set(body) == {"0"}:
        body = "10000000"
    return body + afm_check_digit(body)
