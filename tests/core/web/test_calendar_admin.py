"""Calendar, tenant administration and consortium console pages, with isolation checks."""

from __future__ import annotations

import re
from typing import Any

import httpx

from core.i18n import t
from core.testing import make_staff, make_tenant
from tests.core.scheduling.helpers import make_world
from tests.core.web.conftest import csrf_token, sign_in, unlabelled


async def test_week_view_booking_conflict_move_and_cancel(
    client: Any, browser: httpx.AsyncClient
) -> None:
    world = await make_world(client)
    slug = world.tenant.slug
    await sign_in(browser, world.worker.username, world.worker.password)
    week = await browser.get(
        f"/t/{slug}/calendar", params={"staff": str(world.staff), "week": "2027-W09"}
    )
    assert week.status_code == 200
    assert not unlabelled(week.text)
    slot = f"/t/{slug}/calendar/book?staff={world.staff}&amp;start=2027-03-01T10:00"
    assert slot in week.text  # a free slot links to the booking form
    form = await browser.get(slot.replace("&amp;", "&"))
    assert form.status_code == 200 and 'value="2027-03-01T10:00"' in form.text
    assert not unlabelled(form.text)
    people = await client.get(
        f"{world.api}/beneficiaries/{world.person}", headers=world.worker.headers
    )
    fields = {
        "_csrf_token": csrf_token(form.text),
        "person": "Παπαδοπούλου Ελένη",
        "staff_id": str(world.staff),
        "service": "core.counselling",
        "mode": "in_person",
        "start": "2027-03-01T10:00",
        "minutes": "60",
    }
    assert people.status_code == 200
    booked = await browser.post(f"/t/{slug}/calendar/book", data=fields)
    assert booked.status_code == 303, booked.text[-2000:]
    assert "week=2027-W09" in booked.headers["location"]
    week = await browser.get(booked.headers["location"])
    assert "10:00–11:00" in week.text
    assert slot not in week.text  # the slot is no longer free

    again = await browser.post(f"/t/{slug}/calendar/book", data=fields)
    assert again.status_code == 409
    assert 'role="alert"' in again.text and 'aria-invalid="true"' in again.text
    holiday = await browser.post(
        f"/t/{slug}/calendar/book", data={**fields, "start": "2027-03-25T10:00"}
    )  # 25 March, a national holiday
    assert holiday.status_code == 422
    assert "25/03/2027" in holiday.text

    listed = await client.get(
        f"{world.api}/appointments",
        params={"start": "2027-03-01T00:00:00+02:00", "end": "2027-03-08T00:00:00+02:00"},
        headers=world.worker.headers,
    )
    (appointment,) = listed.json()["items"]
    page = await browser.get(f"/t/{slug}/calendar/appointments/{appointment['id']}")
    assert page.status_code == 200 and not unlabelled(page.text)
    moved = await browser.post(
        f"/t/{slug}/calendar/appointments/{appointment['id']}/move",
        data={"_csrf_token": csrf_token(page.text), "start": "2027-03-02T12:00"},
    )
    assert moved.status_code == 303
    stored = await client.get(
        f"{world.api}/appointments/{appointment['id']}", headers=world.worker.headers
    )
    assert stored.json()["start"].startswith("2027-03-02T10:00")  # UTC
    no_reason = await browser.post(
        f"/t/{slug}/calendar/appointments/{appointment['id']}/cancel",
        data={"_csrf_token": csrf_token(page.text), "reason": ""},
    )
    assert no_reason.status_code == 422
    cancelled = await browser.post(
        f"/t/{slug}/calendar/appointments/{appointment['id']}/cancel",
        data={"_csrf_token": csrf_token(page.text), "reason": "Ασθένεια"},
    )
    assert cancelled.status_code == 303
    stored = await client.get(
        f"{world.api}/appointments/{appointment['id']}", headers=world.worker.headers
    )
    assert stored.json()["status"] == "cancelled"
    team = await browser.get(f"/t/{slug}/calendar", params={"staff": "team", "week": "2027-W09"})
    assert team.status_code == 200


async def test_calendar_of_another_tenant_is_404(client: Any, browser: httpx.AsyncClient) -> None:
    world = await make_world(client)
    other = await make_world(client)
    await sign_in(browser, world.worker.username, world.worker.password)
    theirs = await client.post(
        f"{other.api}/appointments",
        json={
            "staff_id": str(other.staff),
            "beneficiary_id": str(other.person),
            "service": "core.counselling",
            "start": "2027-03-01T10:00:00+02:00",
            "end": "2027-03-01T11:00:00+02:00",
        },
        headers=other.worker.headers,
    )
    assert theirs.status_code == 201, theirs.text
    their_id = theirs.json()["id"]
    mine = world.tenant.slug
    for path in (
        f"/t/{mine}/calendar?staff={other.staff}",
        f"/t/{mine}/calendar/appointments/{their_id}",
        f"/t/{other.tenant.slug}/calendar",
    ):
        assert (await browser.get(path)).status_code == 404, path
    page = await browser.get(f"/t/{mine}/calendar?week=2027-W09&staff=team")
    assert their_id not in page.text
    token = csrf_token(page.text)
    cancel = await browser.post(
        f"/t/{mine}/calendar/appointments/{their_id}/cancel",
        data={"_csrf_token": token, "reason": "x"},
    )
    assert cancel.status_code == 404
    booked = await browser.post(
        f"/t/{mine}/calendar/book",
        data={
            "_csrf_token": token,
            "person": str(other.person),
            "staff_id": str(world.staff),
            "service": "core.counselling",
            "mode": "in_person",
            "start": "2027-03-03T10:00",
            "minutes": "60",
        },
    )
    assert booked.status_code == 422  # their person is unknown here
    assert "Παπαδοπούλου" not in booked.text


async def test_tenant_admin_invite_reset_deactivate_hours_settings_and_grant(
    client: Any, browser: httpx.AsyncClient
) -> None:
    world = await make_world(client, modules=["food_bank"])
    slug = world.tenant.slug
    helper = await make_staff(None, [], consortium_admin=True)
    await sign_in(browser, world.admin.username, world.admin.password)
    page = await browser.get(f"/t/{slug}/admin")
    assert page.status_code == 200
    assert world.worker.username in page.text
    assert not unlabelled(page.text)
    token = csrf_token(page.text)
    invited = await browser.post(
        f"/t/{slug}/admin/invite",
        data={
            "_csrf_token": token,
            "username": f"new-{slug}",
            "display_name": "Νέα Συνάδελφος",
            "roles": "social_worker",
        },
    )
    assert invited.status_code == 200
    assert re.search(r"/reset-password/[A-Za-z0-9_-]{20,}", invited.text)
    duplicate = await browser.post(
        f"/t/{slug}/admin/invite",
        data={
            "_csrf_token": token,
            "username": f"new-{slug}",
            "display_name": "Άλλη",
            "roles": "social_worker",
        },
    )
    assert duplicate.status_code == 409 and 'id="invite-username-error"' in duplicate.text
    no_role = await browser.post(
        f"/t/{slug}/admin/invite",
        data={"_csrf_token": token, "username": f"x-{slug}", "display_name": "Άλλη"},
    )
    assert no_role.status_code == 422 and 'id="invite-roles-error"' in no_role.text

    # The social worker has a caseload: deactivating needs a colleague to take it over.
    person = await client.patch(
        f"{world.api}/beneficiaries/{world.person}",
        json={"case_worker_id": str(world.staff)},
        headers=world.worker.headers,
    )
    assert person.status_code == 200, person.text
    refused = await browser.post(
        f"/t/{slug}/admin/accounts/{world.worker.user_id}/deactivate", data={"_csrf_token": token}
    )
    assert refused.status_code == 422
    done = await browser.post(
        f"/t/{slug}/admin/accounts/{world.worker.user_id}/deactivate",
        data={"_csrf_token": token, "handover_to": str(world.psych)},
    )
    assert done.status_code == 303
    moved = await client.get(
        f"{world.api}/beneficiaries/{world.person}", headers=world.admin.headers
    )
    assert moved.json()["case_worker_id"] == str(world.psych)

    hours = await browser.get(f"/t/{slug}/admin/hours")
    assert hours.status_code == 200 and 'value="08:00-15:00"' in hours.text
    assert not unlabelled(hours.text)
    bad = await browser.post(
        f"/t/{slug}/admin/hours", data={"_csrf_token": token, "mon": "nonsense"}
    )
    assert bad.status_code == 422
    ok = await browser.post(
        f"/t/{slug}/admin/hours",
        data={"_csrf_token": token, "mon": "08:00-14:00", "tue": "08:00-15:00, 17:00-20:00"},
    )
    assert ok.status_code == 303
    profile = await client.get(f"{world.api}/profile", headers=world.admin.headers)
    assert profile.json()["operating_hours"]["tue"] == [["08:00", "15:00"], ["17:00", "20:00"]]
    holiday = await browser.post(
        f"/t/{slug}/admin/holidays",
        data={
            "_csrf_token": token,
            "date": "2027-11-09",
            "name_el": "Πολιούχος",
            "recurring": "true",
        },
    )
    assert holiday.status_code == 303
    assert "Πολιούχος" in (await browser.get(f"/t/{slug}/admin/hours")).text

    settings = await browser.get(f"/t/{slug}/admin/modules/food_bank")
    assert settings.status_code == 200 and not unlabelled(settings.text)
    assert (await browser.get(f"/t/{slug}/admin/modules/help_at_home")).status_code == 404

    grant = await browser.post(
        f"/t/{slug}/admin/consortium-access",
        data={"_csrf_token": token, "username": helper.username, "hours": "4"},
    )
    assert grant.status_code == 303
    accounts = await client.get(f"{world.api}/staff-accounts", headers=world.admin.headers)
    granted = [a for a in accounts.json()["items"] if a["username"] == helper.username]
    assert granted and granted[0]["expires_at"]
    not_admin = await browser.post(
        f"/t/{slug}/admin/consortium-access",
        data={"_csrf_token": token, "username": world.psych_user.username, "hours": "4"},
    )
    assert not_admin.status_code == 422 and 'id="grant-username-error"' in not_admin.text


async def test_admin_pages_are_for_administrators_of_this_tenant(
    client: Any, browser: httpx.AsyncClient
) -> None:
    world = await make_world(client)
    other = await make_world(client)
    await sign_in(browser, world.worker.username, world.worker.password)
    assert (await browser.get(f"/t/{world.tenant.slug}/admin")).status_code == 403
    browser.cookies.clear()
    await sign_in(browser, world.admin.username, world.admin.password)
    page = await browser.get(f"/t/{world.tenant.slug}/admin")
    assert other.worker.username not in page.text
    token = csrf_token(page.text)
    for path in (
        f"/t/{world.tenant.slug}/admin/accounts/{other.worker.user_id}/deactivate",
        f"/t/{world.tenant.slug}/admin/accounts/{other.worker.user_id}/reset-password",
    ):
        assert (await browser.post(path, data={"_csrf_token": token})).status_code == 404, path
    assert (await browser.get(f"/t/{other.tenant.slug}/admin")).status_code == 404


async def test_consortium_onboards_a_tenant_enables_a_module_suspends_and_sees_stats(
    client: Any, browser: httpx.AsyncClient
) -> None:
    admin = await make_staff(None, [], consortium_admin=True)
    await sign_in(browser, admin.username, admin.password)
    console = await browser.get("/admin/")
    assert console.status_code == 200
    wizard = await browser.get("/admin/tenants/new")
    assert wizard.status_code == 200 and not unlabelled(wizard.text)
    token = csrf_token(wizard.text)
    slug = f"web-{admin.username}".lower()[:40]
    bad = await browser.post(
        "/admin/tenants/new", data={"_csrf_token": token, "slug": "Κακό Slug", "name": "Δήμος"}
    )
    assert bad.status_code == 422 and 'id="tenant-slug-error"' in bad.text
    created = await browser.post(
        "/admin/tenants/new",
        data={
            "_csrf_token": token,
            "slug": slug,
            "name": "Δήμος Ιστού",
            "name_en": "Web",
            "modules": "food_bank",
            "admin_username": f"admin@{slug}",
            "admin_password": "a-long-passphrase-1",
        },
    )
    assert created.status_code == 303, created.text[-1500:]
    page = await browser.get(created.headers["location"])
    assert page.status_code == 200 and t("web.consortium.created", "el") in page.text
    assert not unlabelled(page.text)
    from tenants.services import settings_model

    defaults = settings_model("help_at_home")().model_dump(mode="json")
    assert 'name="scales" value="katz" checked' in page.text  # the defaults are pre-filled
    form = {"_csrf_token": token, "scales": defaults["scales"], "min_age": "70"}
    no_scales = await browser.post(
        f"/admin/tenants/{slug}/modules/help_at_home", data={**form, "scales": []}
    )
    assert no_scales.status_code == 422 and 'id="m-help_at_home-scales"' in no_scales.text
    enabled = await browser.post(f"/admin/tenants/{slug}/modules/help_at_home", data=form)
    assert enabled.status_code == 303, re.findall(
        r"field-error[^<]*<span[^>]*>[^<]*</span>([^<]*)", enabled.text
    )
    detail = await client.get(f"/api/v1/admin/tenants/{slug}", headers=admin.headers)
    assert set(detail.json()["modules"]) == {"food_bank", "help_at_home"}
    assert detail.json()["module_settings"]["help_at_home"]["min_age"] == 70
    suspended = await browser.post(f"/admin/tenants/{slug}/suspend", data={"_csrf_token": token})
    assert suspended.status_code == 303
    assert (await client.get(f"/api/v1/admin/tenants/{slug}", headers=admin.headers)).json()[
        "status"
    ] == "suspended"
    resumed = await browser.post(f"/admin/tenants/{slug}/resume", data={"_csrf_token": token})
    assert resumed.status_code == 303
    stats = await browser.get("/admin/stats", params={"tenant": slug})
    assert stats.status_code == 200 and "<svg" in stats.text and slug in stats.text

    # Staff of a tenant get nothing of the console.
    tenant = await make_tenant()
    worker = await make_staff(tenant, ["tenant_admin"])
    browser.cookies.clear()
    await sign_in(browser, worker.username, worker.password)
    for path in ("/admin/", "/admin/tenants/new", f"/admin/tenants/{slug}", "/admin/stats"):
        assert (await browser.get(path)).status_code == 404, path
