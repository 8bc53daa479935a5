"""The social grocery's tables. Tenant-owned: `TenantScoped` filters and stamps every query."""

from core.api import EncryptedText, TenantScoped
from piccolo.columns import UUID, Date, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Card(TenantScoped, Table, tablename="social_grocery_card"):
    """An application and its decision; approved ones are the beneficiary's card until
    `valid_until` (renewal is a new application)."""

    id = UUID(primary_key=True)
    person_id = UUID()
    persons_14_plus = Integer()
    children_under_14 = Integer()
    dependants = Integer()
    annual_income = Integer()  # euros, the household's, as declared
    disability_percent = Integer(default=0)
    status = Varchar(length=16)  # approved | rejected
    reasons = Varchar(length=200, default="")  # codes, comma-separated
    points_per_month = Integer(default=0)
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    decided_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class Entry(TenantScoped, Table, tablename="social_grocery_entry"):
    """A shopping visit: what kind of goods and how many points it used."""

    id = UUID(primary_key=True)
    person_id = UUID()
    kind = Varchar(length=32)
    occurred_on = Date()
    # Free text about a person may hold anything: encrypted with the tenant's key.
    note = EncryptedText()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    points = Integer(default=0)
