"""Tables of casework: consent records and case notes on a person.

A note's body is stored encrypted with the tenant's key (`core.crypto`); who may read it is
decided from the columns beside it (confidentiality level, the author's profession, the named
readers), so access can be checked without decrypting anything.
"""

from piccolo.columns import UUID, Date, Timestamptz, Varchar
from piccolo.table import Table

from core.crypto.fields import EncryptedText
from tenants.scoping import TenantScoped


class Consent(TenantScoped, Table, tablename="consent"):
    id = UUID(primary_key=True)
    person_id = UUID()
    purpose = Varchar(length=32)
    status = Varchar(length=16, default="given")  # given | withdrawn
    given_at = Timestamptz()
    valid_until = Date(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    by_whom = Varchar(length=32, default="self")  # self | guardian | legal_representative
    legal_basis = Varchar(length=32, default="consent")  # consent | explicit_consent
    document_id = UUID(null=True, default=None)  # the signed form (core.documents)
    recorded_by = UUID(null=True, default=None)
    withdrawn_by = UUID(null=True, default=None)
    created_at = Timestamptz()


class CaseNote(TenantScoped, Table, tablename="case_note"):
    id = UUID(primary_key=True)
    person_id = UUID()
    author_id = UUID()
    note_date = Date()
    # normal: staff who read the registry; profession: holders of `profession`;
    # named: the author and the users in case_note_reader.
    confidentiality = Varchar(length=16, default="normal")
    profession = Varchar(length=64, null=True, default=None)
    body = EncryptedText(default="")  # encrypted
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CaseNoteReader(TenantScoped, Table, tablename="case_note_reader"):
    """A colleague named on a `named` note."""

    id = UUID(primary_key=True)
    note_id = UUID()
    user_id = UUID()


TENANT_TABLES = (Consent, CaseNote, CaseNoteReader)
