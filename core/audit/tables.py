"""The audit trail: ids and codes only, never names, so erasing a person never touches it."""

from piccolo.columns import JSON, UUID, BigInt, Timestamptz, Varchar
from piccolo.table import Table

from tenants.scoping import TenantScoped


class AuditEvent(TenantScoped, Table, tablename="audit_event"):
    id = UUID(primary_key=True)
    at = Timestamptz()
    user_id = UUID(null=True, default=None)
    action = Varchar(length=32)  # create | read | update | delete | export | denied | admin
    object_type = Varchar(length=64, default="")
    object_id = Varchar(length=64, default="")
    outcome = Varchar(length=16, default="ok")  # ok | denied | failed
    request_id = Varchar(length=64, default="")
    client_address = Varchar(length=64, default="")
    details = JSON(default={})
    # Filled by the chain sequencer (tamper evidence): order and hash per tenant.
    seq = BigInt(null=True, default=None)
    hash = Varchar(length=64, default="")


class AuditChain(TenantScoped, Table, tablename="audit_chain"):
    """One row per tenant: the head of its hash chain and the anchor left by pruning.

    The sequencer (`core.audit.chain.seal`) moves the head; pruning moves the base (the seq and
    hash of the last record deleted), so the remaining records still chain from it.
    """

    id = UUID(primary_key=True)
    head_seq = BigInt(default=0)
    head_hash = Varchar(length=64, default="")
    base_seq = BigInt(default=0)
    base_hash = Varchar(length=64, default="")
    sealed_at = Timestamptz(null=True, default=None)


class PlatformAuditEvent(Table, tablename="platform_audit_event"):
    """Consortium actions (onboarding, enabling modules, maintenance paths)."""

    id = UUID(primary_key=True)
    at = Timestamptz()
    user_id = UUID(null=True, default=None)
    tenant_id = UUID(null=True, default=None)
    action = Varchar(length=64)
    object_type = Varchar(length=64, default="")
    object_id = Varchar(length=64, default="")
    outcome = Varchar(length=16, default="ok")
    request_id = Varchar(length=64, default="")
    client_address = Varchar(length=64, default="")
    details = JSON(default={})
