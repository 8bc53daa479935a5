"""The module's tables. Tenant-owned: `TenantScoped` filters and stamps every query."""

from core.api import EncryptedText, TenantScoped
from piccolo.columns import UUID, Date, Timestamptz, Varchar
from piccolo.table import Table


class Entry(TenantScoped, Table, tablename="social_grocery_entry"):
    id = UUID(primary_key=True)
    person_id = UUID()
    kind = Varchar(length=32)
    occurred_on = Date()
    # Free text about a person may hold anything: encrypted with the tenant's key.
    note = EncryptedText()
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
