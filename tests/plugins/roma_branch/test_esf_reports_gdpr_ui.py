"""ESF records and the indicator report (both periods, hand-counted), reports isolation,
export/erase hooks, demo data and the web pages."""

from __future__ import annotations

from typing import Any

from core.testing import make_staff, make_tenant
from tests.plugins.roma_branch.helpers import BASE, codes, make_person, make_world

E2021 = {
    "sex": "female",
    "employment_status": "long_term_unemployed",
    "education": "isced_0_2",
    "disability": "declined",
    "third_country_national": "no",
    "foreign_background": "no",
    "minority": "yes",
    "homeless": "no",
    "rural": "no",
}
E2014 = {
    "sex": "male",
    "employment_status": "inactive_not_in_education",
    "education": "isced_1_2",
    "migrant_minority": "declined",
    "disability": "no",
    "other_disadvantaged": "yes",
    "homeless": "no",
    "rural": "yes",
}


async def _report(client: Any, tenant: Any, staff: Any, **params: str) -> dict[str, dict[str, Any]]:
    r = await client.get(
        f"{tenant.api}/reports/roma_branch.esf_indicators",
        params={"format": "json", **params},
        headers=staff.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body["rows"] if isinstance(body, dict) and "rows" in body else body["items"]
    return {row["code"]: row for row in rows}


async def test_esf_records_and_indicator_report_for_both_periods(client: Any) -> None:
    w = await make_world(client)
    url = w.url("/esf-records")
    adult = w.person  # born 1990-05-02
    older = await make_person(
        client, w.tenant, w.admin, birth_date="1960-01-01", first_name="Κώστας"
    )
    young = await make_person(
        client, w.tenant, w.admin, birth_date="2008-06-01", first_name="Δήμητρα"
    )
    # fields of the other period are refused, naming the field; nothing stored
    r = await client.post(
        url,
        json={
            "person_id": str(adult),
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "period": "2021_2027",
            "fields": {**E2021, "migrant_minority": "yes"},
        },
        headers=w.worker.headers,
    )
    assert r.status_code == 422 and ("fields.migrant_minority", "extra_forbidden") in codes(r)
    r = await client.post(
        url,
        json={
            "person_id": str(adult),
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "period": "2014_2020",
            "fields": {**E2014, "sex": "non_binary"},
        },
        headers=w.worker.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "fields.sex"
    r = await client.post(
        url,
        json={
            "person_id": str(adult),
            "kind": "exit",
            "recorded_on": "2026-01-10",
            "fields": E2021,
        },
        headers=w.worker.headers,
    )
    assert r.status_code == 422  # results missing and no entry yet
    # 2021–27 (the default period): three entries
    entries = [
        (adult, {**E2021}),
        (
            older,
            {
                **E2021,
                "sex": "male",
                "employment_status": "inactive",
                "minority": "declined",
                "education": "isced_3_4",
            },
        ),
        (
            young,
            {
                **E2021,
                "sex": "non_binary",
                "employment_status": "unemployed",
                "homeless": "yes",
                "disability": "yes",
            },
        ),
    ]
    for person, fields in entries:
        r = await client.post(
            url,
            json={
                "person_id": str(person),
                "kind": "entry",
                "recorded_on": "2026-01-10",
                "fields": fields,
            },
            headers=w.mediator.headers,
        )
        assert r.status_code == 201, r.text
    assert r.json()["fields"]["age_band"] == "under_18"  # derived from the birth date: 17
    r = await client.post(
        url,
        json={
            "person_id": str(adult),
            "kind": "entry",
            "recorded_on": "2026-01-11",
            "fields": E2021,
        },
        headers=w.mediator.headers,
    )
    assert r.status_code == 409
    rows = await _report(client, w.tenant, w.admin, period="2021_2027")
    assert (rows["total"]["female"], rows["total"]["male"], rows["total"]["non_binary"]) == (
        1,
        1,
        1,
    )
    assert rows["unemployed_incl_ltu"]["total"] == 2 and rows["long_term_unemployed"]["female"] == 1
    assert rows["inactive"]["male"] == 1
    assert rows["age_55_plus"]["male"] == 1 and rows["age_18_29"]["total"] == 0
    assert rows["age_under_18"]["non_binary"] == 1
    assert rows["minority"]["total"] == 2 and rows["minority_declined"]["male"] == 1
    assert rows["disability_declined"]["total"] == 2 and rows["disability"]["non_binary"] == 1
    assert rows["homeless"]["total"] == 1 and rows["isced_0_2"]["total"] == 2
    # an exit record with results
    r = await client.post(
        url,
        json={
            "person_id": str(adult),
            "kind": "exit",
            "recorded_on": "2026-06-30",
            "fields": {
                **E2021,
                "job_searching": "yes",
                "in_education": "no",
                "qualification": "yes",
                "in_employment": "no",
            },
        },
        headers=w.mediator.headers,
    )
    assert r.status_code == 201, r.text
    exits = await _report(client, w.tenant, w.admin, period="2021_2027", kind="exit")
    assert exits["result_qualification"]["female"] == 1 and exits["total"]["total"] == 1
    # 2014–20: its own bands and indicators
    r = await client.post(
        url,
        json={
            "person_id": str(older),
            "kind": "entry",
            "recorded_on": "2020-05-01",
            "period": "2014_2020",
            "fields": E2014,
        },
        headers=w.worker.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["fields"]["age_band"] == "over_54"  # 60 years old in 2020
    old = await _report(client, w.tenant, w.admin, period="2014_2020")
    assert old["total"]["male"] == 1 and old["total"]["non_binary"] == 0
    assert old["inactive"]["male"] == 1 and old["inactive_not_in_education"]["male"] == 1
    assert old["age_over_54_unemployed_or_inactive"]["male"] == 1
    assert old["isced_1_2"]["male"] == 1 and old["migrant_minority_declined"]["male"] == 1
    assert old["other_disadvantaged"]["male"] == 1 and old["rural"]["male"] == 1
    # another tenant's report counts none of it, and its staff cannot read the records
    other = await make_tenant(["roma_branch"])
    other_admin = await make_staff(other, ["tenant_admin"])
    theirs = await _report(client, other, other_admin, period="2021_2027")
    assert theirs["total"]["total"] == 0
    r = await client.get(f"{other.api}{BASE}/esf-records", headers=other_admin.headers)
    assert r.json()["items"] == []
    # roles: a pedagogue works in the branch but does not keep ESF records; reception sees nothing
    r = await client.get(url, headers=w.pedagogue.headers)
    assert r.status_code == 403
    r = await client.get(url, headers=w.reception.headers)
    assert r.status_code == 404
    r = await client.get(
        f"{w.tenant.api}/reports/roma_branch.esf_indicators", headers=w.reception.headers
    )
    assert r.status_code in (403, 404)


async def test_export_and_erase_person_hooks(client: Any) -> None:
    """merimna_export_person / merimna_erase_person through the tenant's plugin host."""
    from core import db
    from core.plugin_host import get_host
    from tenants.resolution import resolve_tenant
    from tenants.scoping import tenant_context

    w = await make_world(client)
    await client.post(
        w.url("/reception"),
        json={
            "person_id": str(w.person),
            "visited_on": "2026-02-02",
            "request_type": "housing",
            "outcome": "assisted",
            "notes": "Ιδιαίτερη σημείωση",
        },
        headers=w.worker.headers,
    )
    r = await client.post(
        w.url("/applications"),
        json={
            "person_id": str(w.person),
            "benefit": "housing",
            "adults": 1,
            "minors": 0,
            "single_parent": False,
        },
        headers=w.worker.headers,
    )
    assert r.status_code == 201
    await client.post(
        w.url("/esf-records"),
        json={
            "person_id": str(w.person),
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "fields": E2021,
        },
        headers=w.worker.headers,
    )
    info = await resolve_tenant(w.tenant.slug)
    assert info is not None
    hooks = get_host().for_tenant(info.modules)
    with tenant_context(w.tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(w.tenant.id)
            exported = (await hooks.export_person(info.ref, w.person))["roma_branch"]
            assert exported["reception"][0]["notes"] == "Ιδιαίτερη σημείωση"
            assert exported["applications"][0]["benefit"] == "housing"
            assert len(exported["applications"][0]["checklist"]) >= 3
            assert exported["esf"][0]["fields"]["minority"] == "yes"
            reasons = await hooks.erase_person(info.ref, w.person)
            assert any("ΕΚΤ" in reason for reason in reasons)
            after = (await hooks.export_person(info.ref, w.person))["roma_branch"]
            assert after["reception"] == [] and after["applications"] == []
            assert len(after["esf"]) == 1  # kept for the operation's audit
    r = await client.get(w.url("/reception"), headers=w.admin.headers)
    assert r.json()["items"][0]["person_id"] is None  # kept as an anonymous count


async def test_demo_data_loads_and_reports_render(client: Any) -> None:
    """merimna_demo_data for a Chios-like tenant, then every report in JSON."""
    from core import db
    from core.plugin_host import get_host
    from tenants.resolution import resolve_tenant
    from tenants.scoping import tenant_context

    tenant = await make_tenant(["roma_branch"], name="Δήμος Χίου")
    admin = await make_staff(tenant, ["tenant_admin"])
    names = ["Ελένη", "Γιώργος", "Μαρία", "Νίκος", "Σοφία", "Κώστας"]
    for i in range(24):
        await make_person(
            client, tenant, admin, first_name=names[i % 6], birth_date=f"{1960 + i}-03-0{1 + i % 9}"
        )
    info = await resolve_tenant(tenant.slug)
    assert info is not None
    with tenant_context(tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant.id)
            await get_host().for_tenant(info.modules).demo_data(info.ref, 7)
    # Its free text is ciphertext at rest, as the services write it.
    from plugins.roma_branch.tables import Accompaniment, Reception, SchoolAction

    with tenant_context(tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant.id)
            stored = [r["follow_up"] for r in await Reception.select(Reception.follow_up)]
            stored += [r["purpose"] for r in await Accompaniment.select(Accompaniment.purpose)]
            stored += [r["notes"] for r in await SchoolAction.select(SchoolAction.notes)]
    assert any(stored) and all(v.startswith("enc:v1:") for v in stored if v)
    base = f"{tenant.api}{BASE}"
    for path, minimum in (
        ("/reception", 20),
        ("/applications", 6),
        ("/job-seekers", 8),
        ("/vacancies", 4),
        ("/school-records", 8),
        ("/esf-records", 12),
    ):
        r = await client.get(f"{base}{path}", headers=admin.headers)
        assert r.status_code == 200 and len(r.json()["items"]) >= minimum, path
    for report in (
        "esf_indicators",
        "accompaniments",
        "applications",
        "readiness_backlog",
        "placements",
        "school_enrolment",
    ):
        r = await client.get(f"{tenant.api}/reports/roma_branch.{report}", headers=admin.headers)
        assert r.status_code == 200, (report, r.text[:200])
    rows = await _report(client, tenant, admin, period="2021_2027")
    assert rows["total"]["total"] == 12


async def test_pages_render(client: Any) -> None:
    w = await make_world(client)
    await client.post(
        w.url("/reception"),
        json={"visited_on": "2026-02-02", "request_type": "civil_registry", "outcome": "informed"},
        headers=w.worker.headers,
    )
    r = await client.post(
        w.url("/applications"),
        json={
            "person_id": str(w.person),
            "benefit": "min_income",
            "adults": 2,
            "minors": 2,
            "single_parent": False,
            "income_6m": "0",
        },
        headers=w.worker.headers,
    )
    app_id = r.json()["id"]
    ui = f"/t/{w.tenant.slug}/roma_branch"
    expect = {
        "/": "Παράρτημα Ρομά",
        "/reception": "Δημοτολογική τακτοποίηση",
        "/applications": "Ελάχιστο εγγυημένο εισόδημα",
        f"/applications/{app_id}": "Εγγυημένο ποσό: 432.00 €",
        "/estimate": "Υπολογισμός",
        "/job-seekers": "Αναζητούντες εργασία",
        "/school": "Σχολική παρακολούθηση",
        "/esf": "Δελτία ΕΚΤ",
    }
    for path, text in expect.items():
        r = await client.get(ui + path, headers=w.worker.headers)
        assert r.status_code == 200, (path, r.text[:300])
        assert text in r.text, path
    r = await client.get(ui + "/", headers=w.reception.headers)
    assert r.status_code == 404
    home = await client.get(f"/t/{w.tenant.slug}/", headers=w.worker.headers)
    assert "Παράρτημα Ρομά" in home.text
    assert f'href="/t/{w.tenant.slug}/roma_branch/"' in home.text
    home = await client.get(f"/t/{w.tenant.slug}/", headers=w.reception.headers)
    # no menu entry and no link for staff outside the branch (core may still name the module)
    assert f'href="/t/{w.tenant.slug}/roma_branch/"' not in home.text
