"""Request and response models of the registry: the forms, the OpenAPI and the CSV import.

Category codes and the special-category field depend on the tenant and the user's roles, which
a pydantic model cannot know by itself: the route (or the import) sets a `ValidationScope` in a
context variable before the body is decoded, so one validation pass reports every bad field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from core import clock
from core.beneficiaries import identifiers
from core.errors import invalid

Sex = Literal["female", "male", "other", "declined"]
Status = Literal["active", "inactive", "deceased", "merged"]
EditableStatus = Literal["active", "inactive", "deceased"]
IdDocumentType = Literal["old_id", "new_id", "passport", "residence_permit"]
Relation = Literal["head", "spouse", "child", "parent", "sibling", "grandparent", "other"]
SchoolLevel = Literal["none", "preschool", "primary", "lower_secondary", "upper_secondary", "other"]

_NAME_EXTRA = set(" -'.’")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z '.\-]*$")
_CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class ValidationScope:
    """What the current user may set: category codes, and special categories at all."""

    categories: frozenset[str]
    sees_special: bool


_scope: ContextVar[ValidationScope | None] = ContextVar("merimna_beneficiary_scope", default=None)


def set_scope(scope: ValidationScope | None) -> Any:
    return _scope.set(scope)


@contextmanager
def validation_scope(scope: ValidationScope) -> Iterator[None]:
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def _clean(value: str) -> str:
    return " ".join(value.split())


def _name(value: str) -> str:
    value = _clean(value)
    if not value or not any(ch.isalpha() for ch in value):
        raise invalid("invalid_name")
    if any(not (ch.isalpha() or ch in _NAME_EXTRA) for ch in value):
        raise invalid("invalid_name")
    return value


def _optional_name(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None if value is None else ""
    return _name(value)


def _latin(value: str | None) -> str | None:
    if value is None:
        return None
    value = _clean(value)
    if value and not _LATIN_NAME.match(value):
        raise invalid("invalid_latin_name")
    return value


def _birth_date(value: date | None) -> date | None:
    if value is None:
        return None
    if value > clock.today():
        raise invalid("birth_date_future")
    if value.year < 1900:
        raise invalid("birth_date_too_old")
    return value


def _categories(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    scope = _scope.get()
    out: list[str] = []
    for code in value:
        code = code.strip()
        if not _CATEGORY_CODE.match(code):
            raise invalid("unknown_category", category=code[:80])
        if scope is not None and code not in scope.categories:
            # A special code the role may not set looks exactly like an unknown one.
            raise invalid("unknown_category", category=code)
        if code not in out:
            out.append(code)
    return out


def _special_allowed(value: Any) -> Any:
    scope = _scope.get()
    if value is not None and scope is not None and not scope.sees_special:
        raise invalid("special_not_allowed")
    return value


def _opt(fn: Any) -> Any:
    def run(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return fn(value)

    return run


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(default="", max_length=200)
    number: str = Field(default="", max_length=20)
    city: str = Field(default="", max_length=100)
    postcode: str = Field(default="", max_length=8, description="5 digits, e.g. 105 57")

    @field_validator("street", "number", "city")
    @classmethod
    def _text(cls, value: str) -> str:
        return _clean(value)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return identifiers.postcode(value) if value.strip() else ""


class _PersonFields(BaseModel):
    """Validators shared by create and update (fields are declared by each)."""

    model_config = ConfigDict(extra="forbid", str_max_length=300)
    partial: ClassVar[bool] = False  # an update: absent fields keep their stored value

    @field_validator("first_name", "last_name", check_fields=False)
    @classmethod
    def _required_name(cls, value: str | None) -> str | None:
        if value is None:  # only an update can send it, as an explicit null
            raise invalid("required_not_null")
        return _name(value)

    @field_validator("father_name", "mother_name", check_fields=False)
    @classmethod
    def _other_names(cls, value: str | None) -> str | None:
        return _optional_name(value)

    @field_validator("latin_first_name", "latin_last_name", check_fields=False)
    @classmethod
    def _latin_names(cls, value: str | None) -> str | None:
        return _latin(value)

    @field_validator("birth_date", "status", check_fields=False)
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise invalid("required_not_null")
        return _birth_date(value) if isinstance(value, date) else value

    @field_validator("amka", check_fields=False)
    @classmethod
    def _amka(cls, value: str | None) -> str | None:
        return _opt(identifiers.amka)(value)

    @field_validator("afm", check_fields=False)
    @classmethod
    def _afm(cls, value: str | None) -> str | None:
        return _opt(identifiers.afm)(value)

    @field_validator("personal_number", check_fields=False)
    @classmethod
    def _personal_number(cls, value: str | None) -> str | None:
        return _opt(identifiers.personal_number)(value)

    @field_validator("iban", check_fields=False)
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        return _opt(identifiers.iban)(value)

    @field_validator("phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _opt(identifiers.phone)(value)

    @field_validator("other_phones", check_fields=False)
    @classmethod
    def _other_phones(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out: list[str] = []
        for item in value:
            if item.strip():
                number = identifiers.phone(item)
                if number not in out:
                    out.append(number)
        return out

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise invalid("invalid_email") from None

    @field_validator("preferred_language", check_fields=False)
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not _LANGUAGE.match(value):
            raise invalid("invalid_language")
        return value

    @field_validator("categories", check_fields=False)
    @classmethod
    def _categories(cls, value: list[str] | None) -> list[str] | None:
        return _categories(value)

    @field_validator("disability_percent", check_fields=False)
    @classmethod
    def _disability(cls, value: int | None) -> int | None:
        return _special_allowed(value)  # type: ignore[no-any-return]

    @field_validator("id_document_number", check_fields=False)
    @classmethod
    def _document(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Checked against `id_document_type` (declared before it); an update that changes
        only the number is checked against the stored type by the service."""
        if value is None or not value.strip():
            return None
        doc_type = info.data.get("id_document_type")
        if doc_type is None:
            if cls.partial:
                return value.strip()
            raise invalid("id_document_type_required")
        return identifiers.id_document(doc_type, value)


class BeneficiaryCreate(_PersonFields):
    """A new person. `first_name`, `last_name` and `birth_date` are required."""

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    father_name: str = Field(default="", max_length=100)
    mother_name: str = Field(default="", max_length=100)
    latin_first_name: str | None = Field(
        default=None, max_length=100, description="Official Latin form; ELOT 743 if omitted"
    )
    latin_last_name: str | None = Field(default=None, max_length=100)
    birth_date: date
    sex: Sex | None = None
    amka: str | None = Field(default=None, max_length=20)
    afm: str | None = Field(default=None, max_length=20)
    personal_number: str | None = Field(default=None, max_length=20)
    id_document_type: IdDocumentType | None = None
    id_document_number: str | None = Field(default=None, max_length=30)
    iban: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=30, description="Main phone")
    other_phones: list[str] = Field(default_factory=list, max_length=5)
    email: str | None = Field(default=None, max_length=254)
    address: Address | None = None
    preferred_language: str = "el"
    categories: list[str] = Field(default_factory=list, max_length=50)
    disability_percent: int | None = Field(default=None, ge=0, le=100)
    case_worker_id: UUID | None = None
    household_id: UUID | None = None
    household_relation: Relation = "other"

    @model_validator(mode="after")
    def _document_type_needs_number(self) -> BeneficiaryCreate:
        if self.id_document_number is None and self.id_document_type is not None:
            self.id_document_type = None
        return self


class BeneficiaryUpdate(_PersonFields):
    """Fields to change; an explicit null clears an optional field."""

    partial: ClassVar[bool] = True

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    father_name: str | None = Field(default=None, max_length=100)
    mother_name: str | None = Field(default=None, max_length=100)
    latin_first_name: str | None = Field(default=None, max_length=100)
    latin_last_name: str | None = Field(default=None, max_length=100)
    birth_date: date | None = None
    sex: Sex | None = None
    amka: str | None = Field(default=None, max_length=20)
    afm: str | None = Field(default=None, max_length=20)
    personal_number: str | None = Field(default=None, max_length=20)
    id_document_type: IdDocumentType | None = None
    id_document_number: str | None = Field(default=None, max_length=30)
    iban: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=30)
    other_phones: list[str] | None = Field(default=None, max_length=5)
    email: str | None = Field(default=None, max_length=254)
    address: Address | None = None
    preferred_language: str | None = None
    categories: list[str] | None = Field(default=None, max_length=50)
    disability_percent: int | None = Field(default=None, ge=0, le=100)
    status: EditableStatus | None = None
    case_worker_id: UUID | None = None


class Warning(BaseModel):
    code: str
    message: str
    field: str | None = None
    existing_ids: list[UUID] = Field(default_factory=list)


class BeneficiaryOut(BaseModel):
    id: UUID
    first_name: str
    last_name: str
    father_name: str
    mother_name: str
    latin_first_name: str
    latin_last_name: str
    birth_date: date
    sex: str | None
    amka: str | None
    afm: str | None
    personal_number: str | None
    id_document_type: str | None
    id_document_number: str | None
    iban: str | None
    phone: str | None
    other_phones: list[str]
    email: str | None
    address: Address
    preferred_language: str
    categories: list[str]
    disability_percent: int | None = Field(
        default=None, description="Only for roles that may see special categories"
    )
    status: str
    merged_into: UUID | None
    case_worker_id: UUID | None
    household_id: UUID | None
    created_at: datetime
    created_by: UUID | None
    updated_at: datetime
    updated_by: UUID | None


class BeneficiaryCreated(BeneficiaryOut):
    warnings: list[Warning] = Field(default_factory=list)


class BeneficiaryPage(BaseModel):
    items: list[BeneficiaryOut]
    next_cursor: str | None = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicate_id: UUID


class MemberIn(BaseModel):
    """A registered beneficiary (`beneficiary_id`) or a lightweight member (name, birth date)."""

    model_config = ConfigDict(extra="forbid")

    beneficiary_id: UUID | None = None
    first_name: str | None = Field(default=None, max_length=100, validate_default=True)
    birth_date: date | None = Field(default=None, validate_default=True)
    sex: Sex | None = None
    relation: Relation
    school_level: SchoolLevel | None = None

    @field_validator("first_name")
    @classmethod
    def _first(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("beneficiary_id") is None:
                raise invalid("missing")
            return None
        return _name(value)

    @field_validator("birth_date")
    @classmethod
    def _birth(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            if info.data.get("beneficiary_id") is None:
                raise invalid("missing")
            return None
        return _birth_date(value)


class MemberOut(BaseModel):
    id: UUID
    beneficiary_id: UUID | None
    first_name: str
    last_name: str | None = None
    birth_date: date | None
    sex: str | None
    relation: str
    school_level: str | None


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    address: Address | None = None
    members: list[MemberIn] = Field(default_factory=list, max_length=30)


class HouseholdOut(BaseModel):
    id: UUID
    name: str
    address: Address
    members: list[MemberOut]
    created_at: datetime
    updated_at: datetime


class HouseholdPage(BaseModel):
    items: list[HouseholdOut]
    next_cursor: str | None = None


class CategoryOut(BaseModel):
    code: str
    title: str
    title_el: str
    title_en: str
    special: bool
    source: Literal["core", "module", "local"]


class CategoryCreate(BaseModel):
    """A tenant's own category; stored as `local.{code}`."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    title_el: str = Field(min_length=1, max_length=200)
    title_en: str = Field(default="", max_length=200)
    special: bool = False


class CategoryPage(BaseModel):
    items: list[CategoryOut]
    next_cursor: str | None = None
