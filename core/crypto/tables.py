"""Per-tenant data keys, stored wrapped by the key derived from `MERIMNA_MASTER_KEY`.

A platform table: a wrapped key is useless without the master key, and master-key rotation
must reach every tenant's keys in one pass.
"""

from piccolo.columns import UUID, Integer, Text, Timestamptz
from piccolo.table import Table


class TenantKey(Table, tablename="tenant_key"):
    id = UUID(primary_key=True)
    tenant_id = UUID(index=True)
    version = Integer(default=1)
    wrapped_key = Text()
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)
