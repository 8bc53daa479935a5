"""The signed-in staff member's appointments of one day, for the UI's "today" panel."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.i18n import t
from core.manifest import AgendaEntry
from core.scheduling import services


async def agenda(ctx: Any, day: date) -> list[AgendaEntry]:
    if not ctx.has(services.READ):
        return []
    staff_id = await services.staff_for_user(ctx.user_id)
    if staff_id is None:
        return []
    tz = ZoneInfo(ctx.tenant.timezone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    items, _ = await services.list_appointments(
        ctx,
        start=start,
        end=start + timedelta(days=1),
        staff_id=staff_id,
        limit=200,
        audit=False,
    )
    entries = []
    for item in items:
        if item["status"] == "cancelled":
            continue
        marks = [await services.person_initials(p) for p in item["beneficiary_ids"]]
        detail = " ".join(
            x for x in (t(f"scheduling.mode.{item['mode']}"), ", ".join(m for m in marks if m)) if x
        )
        entries.append(
            AgendaEntry(
                id=str(item["id"]),
                start=item["start_local"],
                end=item["end_local"],
                title=item["service_title"],
                detail=detail,
                path=None,
            )
        )
    return entries
