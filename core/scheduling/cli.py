"""`merimna notifications send|daily`: the reminder jobs (run them from cron or a timer).

*/5 * * * *  merimna notifications send     # empty the outbox, retrying with back-off
0 18 * * *   merimna notifications daily    # queue reminders for tomorrow
"""

from __future__ import annotations

from datetime import date

import click

from core.cli import CLIError, run_async


def add_commands(group: click.Group) -> None:
    group.add_command(notifications)


@click.group("notifications", help="Reminders by e-mail and SMS: the outbox and its jobs.")
def notifications() -> None:
    pass


@notifications.command(
    "send",
    help="Send every due message of the outbox (all active tenants, or --tenant). Failed "
    "deliveries stay queued and are retried with exponential back-off.",
)
@click.option("--tenant", "slug", default=None, help="Only this tenant's outbox.")
@click.option(
    "--limit",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="At most this many messages per tenant in one run.",
)
def send_command(slug: str | None, limit: int) -> None:
    from core.scheduling.notifications import dispatch_due

    stats = run_async(dispatch_due)(slug=slug, limit=limit)
    click.echo(f"notifications: {stats}")


@notifications.command(
    "daily",
    help="Announce tomorrow's appointments (merimna_appointments_tomorrow): queues reminders "
    "for beneficiaries who agreed to them and each staff member's agenda. Safe to repeat.",
)
@click.option("--tenant", "slug", default=None, help="Only this tenant.")
@click.option("--today", default=None, help="Act as if today were this date (YYYY-MM-DD).")
def daily_command(slug: str | None, today: str | None) -> None:
    from core.scheduling.notifications import run_daily

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise CLIError(f"--today: not a date: {today}") from exc
    counts = run_async(run_daily)(day, slug)
    total = sum(counts.values())
    click.echo(f"tomorrow's appointments: {total} in {len(counts)} tenant(s)")
