"""`merimna keys ...`: rotation and shredding of encryption keys."""

from __future__ import annotations

import sys

import click

from core.cli import CLIError, run_async


@click.group(help="Encryption keys: rotate the master key or a tenant's data key.")
def keys() -> None:
    pass


@keys.command(
    "rotate-master",
    help="Re-wrap every tenant key under the master key now in MERIMNA_MASTER_KEY. "
    "The previous master key is read from standard input.",
)
@click.option("--old-key-stdin", is_flag=True, required=True, help="Read the old key from stdin.")
def rotate_master(old_key_stdin: bool) -> None:
    from core.crypto.keys import rotate_master_key
    from core.settings import get_settings

    old = sys.stdin.readline().strip()
    if not old:
        raise CLIError("the old master key was not given on standard input")
    count = run_async(rotate_master_key)(old, get_settings().master_key)
    click.echo(f"re-wrapped {count} tenant keys")


@keys.command("rotate-tenant", help="Start a new data-key version for one tenant.")
@click.argument("slug")
def rotate_tenant(slug: str) -> None:
    from core.crypto.keys import rotate_tenant_key
    from tenants.tables import Tenant

    async def body() -> int:
        row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
        if row is None:
            raise CLIError(f"no tenant {slug!r}")
        return await rotate_tenant_key(row["id"])

    version = run_async(body)()
    click.echo(f"{slug}: new data key version {version}")
