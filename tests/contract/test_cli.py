"""Every `merimna` sub-command answers `--help` (CONTRACT.md), including plugins' commands."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from core.cli import build_cli

CONTRACT_COMMANDS = {
    "migrate",
    "demo",
    "serve",
    "tenants list",
    "tenants create",
    "tenants enable",
    "tenants disable",
    "tenants suspend",
    "tenants resume",
    "tenants export",
    "tenants import",
    "tenants delete",
    "plugins list",
    "users create",
    "admins create",
    "audit verify",
    "import beneficiaries",
}


def _walk(group: click.Group, prefix: str = "") -> Iterator[str]:
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        yield path
        if isinstance(command, click.Group):
            yield from _walk(command, path + " ")


ROOT = build_cli()
ALL = sorted(_walk(ROOT))


@pytest.mark.parametrize("command", ALL)
def test_help(command: str) -> None:
    result = CliRunner().invoke(ROOT, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_contract_commands_exist() -> None:
    missing = CONTRACT_COMMANDS - set(ALL)
    assert not missing, f"CONTRACT.md commands missing: {sorted(missing)}"
