"""Reports and exports cost a constant number of queries, however many rows they cover (no
query per placement, application or school record: N+1 would not survive a real branch)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest

from core import db
from plugins.roma_branch import reports, services
from tests.plugins.roma_branch.helpers import DAY, World, api, make_records, make_world
from tests.plugins.roma_branch.test_encryption import in_tenant


async def count_queries(
    monkeypatch: pytest.MonkeyPatch, w: World, run: Callable[[], Awaitable[Any]]
) -> tuple[int, Any]:
    engine = db.engine()
    real = type(engine).run_querystring
    seen = 0

    async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal seen
        seen += 1
        return await real(self, *args, **kwargs)

    async with in_tenant(w.tenant.id):
        with monkeypatch.context() as patch:
            patch.setattr(type(engine), "run_querystring", counting)
            result = await run()
    return seen, result


def _runs(w: World) -> dict[str, Callable[[], Awaitable[Any]]]:
    ctx = SimpleNamespace(tenant=SimpleNamespace(timezone="Europe/Athens"), language="el")
    return {
        "esf_indicators": lambda: reports.esf_indicators(ctx, reports.EsfParams()),
        "accompaniments": lambda: reports.accompaniments(ctx, reports.YearParams()),
        "applications": lambda: reports.applications(ctx, reports.YearParams()),
        "readiness_backlog": lambda: reports.readiness_backlog(ctx, reports._Params()),
        "placements": lambda: reports.placements(ctx, reports.YearParams()),
        "school_enrolment": lambda: reports.school_enrolment(ctx, reports.SchoolParams()),
        "export": lambda: services.export_person(w.person),
    }


async def test_reports_and_the_export_use_a_constant_number_of_queries(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = await make_world(client)
    ids = await make_records(client, w)
    # One of each kind for the person first (an empty list may skip a query altogether).
    await api(
        client,
        w,
        w.pedagogue,
        "/school-records",
        {"child_id": str(w.person), "school_year": "2019-2020", "enrolment_status": "enrolled"},
    )
    before = {name: await count_queries(monkeypatch, w, run) for name, run in _runs(w).items()}
    # Three times as much of everything, for the same person.
    for n in range(3):
        await api(
            client,
            w,
            w.admin,
            "/placements",
            {
                "seeker_id": ids["seeker"],
                "employer_id": ids["employer"],
                "start_date": "2026-02-01",
            },
        )
        await api(
            client,
            w,
            w.admin,
            "/applications",
            {"person_id": str(w.person), "benefit": "child", "adults": 1, "minors": 1},
        )
        await api(
            client,
            w,
            w.admin,
            "/accompaniments",
            {
                "person_id": str(w.person),
                "agency": "dypa",
                "purpose": "Κάρτα ανεργίας",
                "start": f"{DAY}T09:{20 * n:02d}:00+02:00",
                "end": f"{DAY}T09:{20 * n + 15:02d}:00+02:00",
                "mediator_staff_id": ids["mediator_staff"],
            },
        )
        await api(
            client,
            w,
            w.pedagogue,
            "/school-records",
            {
                "child_id": str(w.person),
                "school_year": f"{2020 + n}-{2021 + n}",
                "enrolment_status": "dropped_out",
            },
        )
        await api(
            client,
            w,
            w.pedagogue,
            f"/school-records/{ids['school']}/actions",
            {"on": "2026-02-0" + str(n + 1), "action": "home_visit", "notes": "Επίσκεψη"},
        )
    after = {name: await count_queries(monkeypatch, w, run) for name, run in _runs(w).items()}
    for name in before:
        assert after[name][0] == before[name][0], (name, before[name][0], after[name][0])
    # ...and the rows did grow: the counts above covered more data.
    assert len(after["export"][1]["placements"]) == len(before["export"][1]["placements"]) + 3
    assert len(after["export"][1]["school"]) == len(before["export"][1]["school"]) + 3
    placements = {r["month"]: r["placements"] for r in after["placements"][1]}
    assert placements.get("2026-02") == 3
