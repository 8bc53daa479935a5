"""Encryption keys as a core area: the key table and the key-management commands."""

import click

from core.hookspecs import hookimpl


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.crypto.piccolo_app"]


@hookimpl
def merimna_cli(group: click.Group) -> None:
    from core.crypto.cli import keys

    group.add_command(keys)
