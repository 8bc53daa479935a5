"""The cases list costs the same number of statements whatever the page size (issue 11: list
endpoints constant in page size), and each case still carries its own session count.

Measured at 100 k beneficiaries (`python -m bench.modules`): a page of 50 cases sent 52
statements, one session count per case; the counts now come from one grouped statement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.testing import make_staff, make_tenant
from tests.bench.test_round_trips import counting
from tests.plugins.family_center.conftest import SLUG, make_person


async def _statements(client: Any, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    await client.get(url, headers=headers)  # warm caches as a running server has them
    with counting() as seen:
        response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return len(seen), response.json()


async def test_cases_page_is_constant_in_page_size(client: Any) -> None:
    tenant = await make_tenant([SLUG], prefix="fcq")
    other = await make_tenant([SLUG], prefix="fcqo")
    psychologist = await make_staff(tenant, ["psychologist"])
    other_staff = await make_staff(other, ["psychologist"])
    api = f"{tenant.api}/modules/{SLUG}"
    h = psychologist.headers
    sessions_of: dict[str, int] = {}
    for i in range(6):
        person = await make_person(
            client, tenant, psychologist, "Ελένη", f"Σταθερή{chr(0x3B1 + i)}", date(1980, 1, 1 + i)
        )
        body = {"person_id": str(person), "problems": ["grief"], "referral_source": "self"}
        r = await client.post(f"{api}/cases", json=body, headers=h)
        assert r.status_code == 201, r.text
        case_id = r.json()["id"]
        for k in range(i % 3):
            held = (datetime.now(UTC) - timedelta(days=k + 1)).replace(microsecond=0)
            r = await client.post(
                f"{api}/cases/{case_id}/sessions",
                json={
                    "session_type": "individual",
                    "mode": "in_person",
                    "held_at": held.isoformat(),
                    "duration_minutes": 50,
                    "participant_ids": [str(person)],
                },
                headers=h,
            )
            assert r.status_code == 201, r.text
        sessions_of[case_id] = i % 3
    # Another municipality's case with sessions never adds to these counts.
    stranger = await make_person(client, other, other_staff, "Άννα", "Ξένη", date(1990, 1, 1))
    r = await client.post(
        f"{other.api}/modules/{SLUG}/cases",
        json={"person_id": str(stranger), "problems": ["grief"], "referral_source": "self"},
        headers=other_staff.headers,
    )
    assert r.status_code == 201, r.text

    small, page = await _statements(client, f"{api}/cases?limit=2", h)
    large, full = await _statements(client, f"{api}/cases?limit=6", h)
    assert len(page["items"]) == 2 and len(full["items"]) == 6
    assert small == large, (small, large)
    assert {c["id"]: c["sessions"] for c in full["items"]} == sessions_of
