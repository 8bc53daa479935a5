"""The module conformance suite, run here for every installed module: the four built-in ones
and the example package installed by the test tooling (module authors run the same file
with `pytest --merimna-module SLUG`)."""

from core.conformance_tests import (
    test_every_report_renders_in_every_format,
    test_greek_and_english_messages_are_complete,
    test_manifest,
    test_no_app_has_unmigrated_table_changes,
    test_no_pending_migrations_after_migrate,
    test_routes_answer_404_when_the_module_is_disabled,
    test_tables_are_tenant_scoped,
    test_tenant_tables_are_exported,
)

__all__ = [
    "test_every_report_renders_in_every_format",
    "test_greek_and_english_messages_are_complete",
    "test_manifest",
    "test_no_app_has_unmigrated_table_changes",
    "test_no_pending_migrations_after_migrate",
    "test_routes_answer_404_when_the_module_is_disabled",
    "test_tables_are_tenant_scoped",
    "test_tenant_tables_are_exported",
]
