"""Tables of the beneficiary registry: people, their households, categories and search keys.

Search keys live beside the person (`name_key`, `latin_key`, `search_key`) and, for indexed
prefix search on every database, one row per searchable token in `beneficiary_search_token`.
Category codes are kept both on the person (JSON, for reading) and in `beneficiary_category`
(one row per code, for indexed filters and counts); `core.beneficiaries.services` is the only
writer and keeps them in step.
"""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from tenants.scoping import TenantScoped


class Beneficiary(TenantScoped, Table, tablename="beneficiary"):
    id = UUID(primary_key=True)
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    father_name = Varchar(length=100, default="")
    mother_name = Varchar(length=100, default="")
    # The official Latin form (ELOT 743 unless the person's documents say otherwise).
    latin_first_name = Varchar(length=100, default="")
    latin_last_name = Varchar(length=100, default="")
    birth_date = Date()
    sex = Varchar(length=16, null=True, default=None)
    amka = Varchar(length=11, null=True, default=None)
    afm = Varchar(length=9, null=True, default=None)
    personal_number = Varchar(length=12, null=True, default=None)
    id_document_type = Varchar(length=20, null=True, default=None)
    id_document_number = Varchar(length=20, null=True, default=None)
    iban = Varchar(length=34, null=True, default=None)
    phone = Varchar(length=16, null=True, default=None)  # E.164
    other_phones = JSON(default=[])
    email = Varchar(length=254, null=True, default=None)
    address_street = Varchar(length=200, default="")
    address_number = Varchar(length=20, default="")
    address_city = Varchar(length=100, default="")
    address_postcode = Varchar(length=5, default="")
    preferred_language = Varchar(length=8, default="el")
    categories = JSON(default=[])
    disability_percent = Integer(null=True, default=None)
    status = Varchar(length=16, default="active")
    merged_into = UUID(null=True, default=None)
    case_worker_id = UUID(null=True, default=None)
    household_id = UUID(null=True, default=None)
    # Search keys (core.text): folded Greek name, phonetic Latin key, one text for trigrams.
    sort_key = Varchar(length=250, default="")
    name_key = Varchar(length=250, default="")
    latin_key = Varchar(length=250, default="")
    search_key = Text(default="")
    anonymised_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    created_by = UUID(null=True, default=None)
    updated_at = Timestamptz()
    updated_by = UUID(null=True, default=None)


class BeneficiarySearchToken(TenantScoped, Table, tablename="beneficiary_search_token"):
    """One searchable token of a person: folded Greek word, phonetic key, or an identifier.

    `sort_key` is a copy of the person's, so a search orders its matches from the token
    index alone (`core.beneficiaries.services._list_sql`). Left NULL by a writer, the
    database fills it in from the person; a change of the person's sort key is copied to
    their tokens (triggers on both databases).
    """

    id = UUID(primary_key=True)
    beneficiary_id = UUID()
    token = Varchar(length=64)
    sort_key = Varchar(length=250, null=True, default=None)


class BeneficiaryCategory(TenantScoped, Table, tablename="beneficiary_category"):
    """A person's category code, one row each (indexed filters and statutory counts)."""

    id = UUID(primary_key=True)
    beneficiary_id = UUID()
    code = Varchar(length=80)


class CategoryCode(TenantScoped, Table, tablename="beneficiary_category_code"):
    """A category a tenant adds to the core and module ones (`local.{code}`)."""

    id = UUID(primary_key=True)
    code = Varchar(length=80)
    title_el = Varchar(length=200)
    title_en = Varchar(length=200, default="")
    special = Boolean(default=False)
    active = Boolean(default=True)
    created_at = Timestamptz()
    created_by = UUID(null=True, default=None)


class Household(TenantScoped, Table, tablename="household"):
    id = UUID(primary_key=True)
    name = Varchar(length=200, default="")
    address_street = Varchar(length=200, default="")
    address_number = Varchar(length=20, default="")
    address_city = Varchar(length=100, default="")
    address_postcode = Varchar(length=5, default="")
    created_at = Timestamptz()
    created_by = UUID(null=True, default=None)
    updated_at = Timestamptz()


class HouseholdMember(TenantScoped, Table, tablename="household_member"):
    """A registered beneficiary in a household, or a lightweight member (a child, say)."""

    id = UUID(primary_key=True)
    household_id = UUID()
    beneficiary_id = UUID(null=True, default=None)
    first_name = Varchar(length=100, default="")
    birth_date = Date(null=True, default=None)
    sex = Varchar(length=16, null=True, default=None)
    relation = Varchar(length=20, default="other")
    school_level = Varchar(length=20, null=True, default=None)
    created_at = Timestamptz()
