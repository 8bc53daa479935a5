"""The document register. The file itself is on disk, encrypted, under a random name."""

from piccolo.columns import UUID, Date, Integer, Timestamptz, Varchar
from piccolo.table import Table

from core.crypto.fields import EncryptedText
from tenants.scoping import TenantScoped


class Document(TenantScoped, Table, tablename="document"):
    id = UUID(primary_key=True)
    # "person", or a module's record type ("{module}.{record}")
    owner_type = Varchar(length=64)
    owner_id = UUID()
    doc_type = Varchar(length=64)
    issue_date = Date(null=True, default=None)
    expiry_date = Date(null=True, default=None)
    original_filename = EncryptedText(default="")  # encrypted: a file name can name the person
    content_type = Varchar(length=64)
    size = Integer()
    # 64 hex characters (32 random bytes): the file's name under the tenant's folder
    storage_key = Varchar(length=64)
    uploaded_by = UUID(null=True, default=None)
    created_at = Timestamptz()


TENANT_TABLES = (Document,)
