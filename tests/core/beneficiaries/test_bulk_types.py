"""`bulk_insert` knows an SQL array type for every column of every table (EncryptedText too)."""

from __future__ import annotations

from piccolo.columns import Text

from core.beneficiaries.bulk import _pg_type
from core.crypto.fields import EncryptedText
from core.scheduling.tables import Appointment


def test_every_column_of_every_table_has_a_bulk_type() -> None:
    from piccolo.conf.apps import Finder

    tables = Finder().get_table_classes()
    assert Appointment in tables
    for table in tables:
        for column in table._meta.columns:
            assert _pg_type(column), (table._meta.tablename, column._meta.name)


def test_encrypted_text_is_text() -> None:
    assert _pg_type(EncryptedText()) == "text" == _pg_type(Text())
