"""Calendar pages: a weekly series from the booking form (skipped dates shown inline), free
slots in the team view, a unit's week; another tenant's unit or person is never reachable."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.core.scheduling.helpers import make_profile, make_world
from tests.core.web.conftest import csrf_token, sign_in, unlabelled


def _slot(slug: str, staff: Any, start: str) -> str:
    return f"/t/{slug}/calendar/book?staff={staff}&amp;start={start}"


async def test_series_team_and_unit_views(client: Any, browser: httpx.AsyncClient) -> None:
    world = await make_world(client)
    other = await make_world(client)
    slug = world.tenant.slug
    await sign_in(browser, world.worker.username, world.worker.password)
    form = await browser.get(f"/t/{slug}/calendar/book")
    assert form.status_code == 200 and not unlabelled(form.text)
    assert 'name="weekdays" value="TH"' in form.text  # the series part of the form
    base = {
        "_csrf_token": csrf_token(form.text),
        "person": "Παπαδοπούλου Ελένη",
        "staff_id": str(world.staff),
        "service": "core.counselling",
        "mode": "in_person",
        "minutes": "60",
    }
    # Mondays and Thursdays from 22 March until 29 March: 25 March is a national holiday.
    series = await browser.post(
        f"/t/{slug}/calendar/book",
        data={**base, "start": "2027-03-22T10:00", "weekdays": ["MO", "TH"], "until": "2027-03-29"},
    )
    assert series.status_code == 201, series.text[-3000:]
    booked = re.findall(r"(\d\d/\d\d/2027) <time>10:00–11:00</time>", series.text)
    assert booked == ["22/03/2027", "29/03/2027"]
    skipped = series.text[series.text.index('id="skipped-title"') :]
    assert "(1)" in skipped[:200] and "25/03/2027" in skipped
    listed = await client.get(
        f"{world.api}/appointments",
        params={"start": "2027-03-22T00:00:00+02:00", "end": "2027-03-30T00:00:00+03:00"},
        headers=world.worker.headers,
    )
    assert len(listed.json()["items"]) == 2
    assert len({a["series_id"] for a in listed.json()["items"]}) == 1

    # Every two weeks, twice, on the start's weekday.
    fortnight = await browser.post(
        f"/t/{slug}/calendar/book",
        data={**base, "start": "2027-03-02T12:00", "interval": "2", "count": "2"},
    )
    assert fortnight.status_code == 201
    assert re.findall(r"(\d\d/\d\d/2027) <time>12:00", fortnight.text) == [
        "02/03/2027",
        "16/03/2027",
    ]
    assert 'id="skipped-title"' not in fortnight.text

    # A repetition without an end: the error sits next to the form, nothing is booked.
    no_end = await browser.post(
        f"/t/{slug}/calendar/book", data={**base, "start": "2027-04-05T10:00", "interval": "1"}
    )
    assert no_end.status_code == 422
    assert 'aria-invalid="true"' in no_end.text and "λήξης" in no_end.text
    too_many = await browser.post(
        f"/t/{slug}/calendar/book", data={**base, "start": "2027-04-05T10:00", "count": "500"}
    )
    assert too_many.status_code == 422 and 'id="book-count-error"' in too_many.text
    # Only the holiday: nothing booked, the skipped date listed inline.
    empty = await browser.post(
        f"/t/{slug}/calendar/book", data={**base, "start": "2027-03-25T10:00", "count": "1"}
    )
    assert empty.status_code == 422
    assert 'id="skipped-title"' in empty.text and "25/03/2027" in empty.text
    after = await client.get(
        f"{world.api}/appointments",
        params={"start": "2027-04-01T00:00:00+03:00", "end": "2027-04-30T00:00:00+03:00"},
        headers=world.worker.headers,
    )
    assert after.json()["items"] == []

    # Team view: each free hour names who is free; the booked hour is not free for the worker.
    team = await browser.get(f"/t/{slug}/calendar", params={"staff": "team", "week": "2027-W12"})
    assert team.status_code == 200 and not unlabelled(team.text)
    assert _slot(slug, world.psych, "2027-03-22T10:00") in team.text
    assert _slot(slug, world.staff, "2027-03-22T11:00") in team.text
    assert _slot(slug, world.staff, "2027-03-22T10:00") not in team.text
    assert _slot(slug, world.staff, "2027-03-25T11:00") not in team.text  # the holiday

    # A unit's week: its staff only, under the unit's name.
    unit = await client.post(
        f"{world.api}/units",
        json={"code": "kapi", "name_el": "ΚΑΠΗ Κέντρου", "name_en": "Day centre"},
        headers=world.admin.headers,
    )
    assert unit.status_code == 201, unit.text
    unit_id = unit.json()["id"]
    member = await make_profile(
        client, world.tenant, world.admin, None, "social_worker", unit_ids=[unit_id]
    )
    week = await browser.get(
        f"/t/{slug}/calendar", params={"staff": f"unit:{unit_id}", "week": "2027-W12"}
    )
    assert week.status_code == 200
    assert "ΚΑΠΗ Κέντρου" in week.text and f'value="unit:{unit_id}" selected' in week.text
    assert _slot(slug, member, "2027-03-22T10:00") in week.text
    assert f"staff={world.psych}" not in week.text and "10:00–11:00" not in week.text

    # Another tenant's unit, staff or person: never reachable from this tenant.
    foreign = await client.post(
        f"{other.api}/units", json={"code": "kapi", "name_el": "Ξένη"}, headers=other.admin.headers
    )
    assert foreign.status_code == 201
    for staff in (f"unit:{foreign.json()['id']}", str(other.staff), "unit:nonsense"):
        page = await browser.get(f"/t/{slug}/calendar", params={"staff": staff})
        assert page.status_code == 404, staff
    stranger = await browser.post(
        f"/t/{slug}/calendar/book",
        data={**base, "person": str(other.person), "start": "2027-04-06T10:00", "count": "2"},
    )
    assert stranger.status_code == 422 and 'id="book-person-error"' in stranger.text
    foreign_staff = await browser.post(
        f"/t/{slug}/calendar/book",
        data={**base, "staff_id": str(other.staff), "start": "2027-04-06T10:00", "count": "2"},
    )
    assert foreign_staff.status_code == 422
    theirs = await client.get(f"{other.api}/appointments", headers=other.worker.headers)
    assert theirs.json()["items"] == []
