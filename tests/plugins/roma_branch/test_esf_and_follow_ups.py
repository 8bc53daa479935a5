"""ESF participant records from the staff screens, and marking a contact's follow-up done
(API and screen): labelled forms built from the API's models in Greek and English, 422 by the
field with nothing stored, stored and redirected when valid, 403 for a branch role without
the permission, 404 outside the branch and for another tenant's ids, the open follow-ups in
the tasks until done, and the change in the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from core.audit import chain
from core.i18n import t
from plugins.roma_branch.pages import esf_form
from plugins.roma_branch.schemas import ESF_MODELS
from tests.core.web.conftest import html_lang, unlabelled
from tests.plugins.roma_branch.helpers import (
    World,
    api,
    codes,
    make_person,
    make_world,
    signed_in,
    token_of,
)


@pytest.fixture
async def _no_seal_left_running() -> AsyncIterator[None]:
    """PostgreSQL seals the audit chain in the background: let it finish inside the test."""
    yield
    await chain.drain()


def athens_today() -> Any:
    """The tenant's date, as the services reckon "today" (never the server's)."""
    return datetime.now(ZoneInfo("Europe/Athens")).date()


def ui(w: World) -> str:
    return f"/t/{w.tenant.slug}/roma_branch"


async def esf_records(client: Any, w: World, **params: Any) -> list[dict[str, Any]]:
    r = await client.get(w.url("/esf-records"), params=params, headers=w.admin.headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


ENTRY_2021 = {
    "recorded_on": "2026-01-10",
    "sex": "female",
    "employment_status": "long_term_unemployed",
    "education": "isced_0_2",
    "disability": "no",
    "third_country_national": "no",
    "foreign_background": "no",
    "minority": "yes",
    "homeless": "declined",
    "rural": "no",
}
RESULTS = {"job_searching": "yes", "in_education": "no", "qualification": "no"}


# -- ESF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("period", "kind"), list(ESF_MODELS))
async def test_every_indicator_field_and_option_is_labelled_in_both_languages(
    period: str, kind: str, merimna_app: Any
) -> None:
    """The form has the API model's fields, each labelled from the catalogues the app loaded
    (no key shown as a label), and every option of every select too."""
    form = esf_form(period, kind)
    assert set(form.model_fields) == {"recorded_on", *ESF_MODELS[(period, kind)].model_fields}
    for name, info in form.model_fields.items():
        extra = info.json_schema_extra
        assert isinstance(extra, dict)
        for lang in ("el", "en"):
            label = extra[f"label_{lang}"]
            assert label and not str(label).startswith("roma_branch."), (name, lang)
            if name == "recorded_on":
                continue
            options = extra[f"options_{lang}"]
            assert options, (name, lang)
            for value, text in options.items():
                assert text and not text.startswith("roma_branch."), (name, value, lang)
        assert extra["label_el"] != extra["label_en"] or name == "age_band"


async def test_esf_screens_render_in_greek_and_english_with_labelled_inputs(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    record = await api(
        client,
        w,
        w.admin,
        "/esf-records",
        {
            "person_id": str(w.person),
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "fields": {k: v for k, v in ENTRY_2021.items() if k != "recorded_on"},
        },
    )
    pages = [
        f"/people/{w.person}/esf/entry",
        f"/people/{w.person}/esf/exit",
        f"/people/{w.person}/esf/entry?period=2014_2020",
        f"/people/{w.person}/esf/exit?period=2014_2020",
        f"/esf/{record['id']}",
        "/esf",
        f"/people/{w.person}",
    ]
    async with signed_in(merimna_app, w.worker) as http:
        for path in pages:
            sep = "&" if "?" in path else "?"
            for lang, words in (
                ("el", ("Παράρτημα Ρομά", "Δελτία ΕΚΤ")),
                ("en", ("Roma branch", "ESF records")),
            ):
                r = await http.get(f"{ui(w)}{path}{sep}lang={lang}")
                assert r.status_code == 200, (path, lang, r.text[:400])
                assert html_lang(r.text) == lang, path
                assert all(word in r.text for word in words), (path, lang)
                assert not unlabelled(r.text), (path, unlabelled(r.text))
                assert "roma_branch.esf" not in r.text and "roma_branch.ui" not in r.text, path
                assert " style=" not in r.text, path  # the CSP allows no inline style
        entry = await http.get(f"{ui(w)}/people/{w.person}/esf/entry?lang=el")
        assert '<select id="rb-esf-entry-sex"' in entry.text
        assert "Δεν επιθυμεί να απαντήσει" in entry.text and "Μειονότητα (συμπ. Ρομά)" in entry.text
        assert "2021–2027" in entry.text
        assert f"/people/{w.person}/esf/entry?period=2014_2020" in entry.text
        exit_form = await http.get(f"{ui(w)}/people/{w.person}/esf/exit?lang=en")
        assert '<select id="rb-esf-exit-in_employment"' in exit_form.text
        assert "In employment on leaving" in exit_form.text
        # The exit starts from the entry's answers, the participant's fields before the results.
        assert '<option value="long_term_unemployed" selected>' in exit_form.text
        text = exit_form.text
        assert text.index('id="rb-esf-exit-sex"') < text.index('id="rb-esf-exit-job_searching"')
        old = await http.get(f"{ui(w)}/people/{w.person}/esf/entry?period=2014_2020&lang=en")
        assert '<select id="rb-esf-entry-migrant_minority"' in old.text
        assert '<select id="rb-esf-entry-minority"' not in old.text
        shown = await http.get(f"{ui(w)}/esf/{record['id']}?lang=en")
        assert "Long-term unemployed" in shown.text and "Declined to answer" in shown.text
        # The facts: label over value in core's panel classes (no list left to indent).
        assert '<ul class="panel-list facts">' in shown.text and "<dl" not in shown.text
        assert '<li><span class="detail">Sex</span>Female</li>' in shown.text
        # The entry is recorded: the person's page and the record offer the exit next.
        person = await http.get(f"{ui(w)}/people/{w.person}")
        assert f"/esf/{record['id']}" in person.text
        assert f"/people/{w.person}/esf/exit" in person.text
        assert f"/people/{w.person}/esf/entry" not in person.text
        assert f"/people/{w.person}/esf/exit?period=2021_2027" in shown.text
        listing = await http.get(f"{ui(w)}/esf")
        assert f'href="{ui(w)}/esf/{record["id"]}"' in listing.text
        assert f'href="{ui(w)}/people"' in listing.text
        # A person without records: the entry form is offered.
        fresh = await http.get(f"{ui(w)}/people/{w.child}")
        assert f"/people/{w.child}/esf/entry" in fresh.text
        # Neither a kind nor a period other than the known ones exists.
        for path in (f"/people/{w.person}/esf/middle", f"/people/{w.person}/esf/entry?period=x"):
            assert (await http.get(ui(w) + path)).status_code == 404, path


async def test_esf_forms_refuse_bad_answers_by_the_field_and_store_good_ones(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    older = await make_person(client, w.tenant, w.admin, birth_date="1960-01-01")
    base = ui(w)
    async with signed_in(merimna_app, w.mediator) as http:
        token = await token_of(http, base + "/esf")

        async def post(path: str, data: dict[str, Any]) -> httpx.Response:
            return await http.post(base + path, data={**data, "_csrf_token": token})

        entry = f"/people/{w.person}/esf/entry"
        # A missing answer and an unknown one: 422 naming each field, the rest kept.
        bad = await post(entry, {**ENTRY_2021, "sex": "", "rural": "maybe"})
        assert bad.status_code == 422
        assert 'id="rb-esf-entry-sex-error"' in bad.text
        assert 'id="rb-esf-entry-rural-error"' in bad.text
        assert '<option value="long_term_unemployed" selected>' in bad.text
        # The service's own checks come back by the field too: the age band contradicts the
        # birth date (1990: 35 years old in 2026).
        bad = await post(entry, {**ENTRY_2021, "age_band": "18_29"})
        assert bad.status_code == 422 and 'id="rb-esf-entry-age_band-error"' in bad.text
        # An exit before any entry: refused, the reason in the error summary.
        exit_path = f"/people/{w.person}/esf/exit"
        bad = await post(exit_path, {**ENTRY_2021, **RESULTS, "in_employment": "no"})
        assert bad.status_code == 422
        assert t("validation.roma_branch_exit_without_entry", "el") in bad.text
        assert await esf_records(client, w) == []

        good = await post(entry, ENTRY_2021)
        assert good.status_code == 303, good.text[:500]
        assert "/esf/" in good.headers["location"]
        (stored,) = await esf_records(client, w)
        assert stored["person_id"] == str(w.person)
        assert (stored["period"], stored["kind"], stored["recorded_on"]) == (
            "2021_2027",
            "entry",
            "2026-01-10",
        )
        assert stored["fields"]["minority"] == "yes"
        assert stored["fields"]["age_band"] == "30_54"  # derived from the birth date
        shown = await http.get(good.headers["location"].replace("http://testserver", ""))
        assert shown.status_code == 200 and "Αποθηκεύτηκε" in shown.text

        # A second entry for the period: 409 by the form, nothing stored.
        again = await post(entry, ENTRY_2021)
        assert again.status_code == 409 and 'class="notice notice--error"' in again.text
        # The exit before the entry's date: 422 on the date; then a good exit.
        early = {**ENTRY_2021, **RESULTS, "in_employment": "no", "recorded_on": "2026-01-01"}
        bad = await post(exit_path, early)
        assert bad.status_code == 422 and 'id="rb-esf-exit-recorded_on-error"' in bad.text
        good = await post(exit_path, {**early, "recorded_on": "2026-06-30"})
        assert good.status_code == 303
        assert {r["kind"] for r in await esf_records(client, w)} == {"entry", "exit"}

        # The other period, chosen on the page: its own fields.
        old = {
            "recorded_on": "2020-05-05",
            "sex": "male",
            "employment_status": "inactive_not_in_education",
            "education": "isced_1_2",
            "migrant_minority": "yes",
            "disability": "no",
            "other_disadvantaged": "declined",
            "homeless": "no",
            "rural": "yes",
        }
        good = await post(f"/people/{older}/esf/entry?period=2014_2020", old)
        assert good.status_code == 303, good.text[:500]
        (past,) = await esf_records(client, w, person_id=str(older))
        assert past["period"] == "2014_2020" and past["fields"]["age_band"] == "over_54"


async def test_esf_screens_403_without_the_permission_404_outside_and_for_other_tenants(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    other = await make_world(client)
    fields = {k: v for k, v in ENTRY_2021.items() if k != "recorded_on"}
    body = {"kind": "entry", "recorded_on": "2026-01-10", "fields": fields}
    mine = await api(client, w, w.admin, "/esf-records", {**body, "person_id": str(w.person)})
    theirs = await api(
        client, other, other.admin, "/esf-records", {**body, "person_id": str(other.person)}
    )
    base = ui(w)
    forms = [f"/people/{w.child}/esf/entry", f"/people/{w.person}/esf/exit"]
    # The pedagogue works in the branch without ESF records: 403 for the screens and forms.
    async with signed_in(merimna_app, w.pedagogue) as http:
        token = await token_of(http, base + "/")
        for path in [*forms, f"/esf/{mine['id']}", "/esf"]:
            assert (await http.get(base + path)).status_code == 403, path
        for path in forms:
            r = await http.post(base + path, data={**ENTRY_2021, "_csrf_token": token})
            assert r.status_code == 403, path
        person = await http.get(f"{base}/people/{w.child}")
        assert "/esf/" not in person.text
    # Staff outside the branch: 404 for all of it.
    async with signed_in(merimna_app, w.reception) as http:
        token = await token_of(http, f"/t/{w.tenant.slug}/")
        for path in [*forms, f"/esf/{mine['id']}", "/esf"]:
            assert (await http.get(base + path)).status_code == 404, path
        for path in forms:
            r = await http.post(base + path, data={**ENTRY_2021, "_csrf_token": token})
            assert r.status_code == 404, path
    assert len(await esf_records(client, w)) == 1
    # Another tenant's person and record: 404; their record is not in our list.
    async with signed_in(merimna_app, w.admin) as http:
        token = await token_of(http, base + "/esf")
        for path in (f"/people/{other.person}/esf/entry", f"/esf/{theirs['id']}"):
            assert (await http.get(base + path)).status_code == 404, path
        r = await http.post(
            f"{base}/people/{other.person}/esf/exit",
            data={**ENTRY_2021, **RESULTS, "in_employment": "yes", "_csrf_token": token},
        )
        assert r.status_code == 404
        listing = await http.get(base + "/esf")
        assert str(theirs["id"]) not in listing.text and str(mine["id"]) in listing.text
    assert len(await esf_records(client, other)) == 1


# -- a contact's follow-up marked done ----------------------------------------------------------


async def contact(client: Any, w: World, staff: Any, **fields: Any) -> dict[str, Any]:
    body = {
        "person_id": str(w.person),
        "visited_on": "2026-02-02",
        "request_type": "civil_registry",
        "outcome": "pending",
        **fields,
    }
    return dict(await api(client, w, staff, "/reception", body))


@pytest.mark.usefixtures("_no_seal_left_running")
async def test_api_marks_a_follow_up_done_once_in_range_and_audits_it(client: Any) -> None:
    w = await make_world(client)
    due = await contact(
        client, w, w.worker, follow_up="Φέρνει πιστοποιητικό", follow_up_on="2026-02-09"
    )
    plain = await contact(client, w, w.worker)
    url = w.url(f"/reception/{due['id']}/follow-up-done")
    assert due["follow_up_done_on"] is None and due["follow_up_done_by"] is None

    # Before the contact, after today, missing: 422 naming `done_on`, nothing changed.
    tomorrow = athens_today() + timedelta(days=2)
    for value in ("2026-02-01", tomorrow.isoformat(), None):
        r = await client.post(
            url,
            json={} if value is None else {"done_on": value},
            headers=w.worker.headers,
        )
        assert r.status_code == 422, (value, r.text)
        assert codes(r)[0][0] == "done_on", value
    got = await client.get(w.url(f"/reception/{due['id']}"), headers=w.admin.headers)
    assert got.json()["follow_up_done_on"] is None

    r = await client.post(url, json={"done_on": "2026-02-10"}, headers=w.worker.headers)
    assert r.status_code == 200, r.text
    assert r.json()["follow_up_done_on"] == "2026-02-10"
    assert r.json()["follow_up_done_by"] == str(w.worker.user_id)
    assert r.json()["follow_up"] == "Φέρνει πιστοποιητικό"
    # Done once: a second time is a conflict, the first date kept.
    again = await client.post(url, json={"done_on": "2026-02-11"}, headers=w.admin.headers)
    assert again.status_code == 409 and again.json()["code"] == "roma_branch_follow_up_done"
    got = await client.get(w.url(f"/reception/{due['id']}"), headers=w.admin.headers)
    assert got.json()["follow_up_done_on"] == "2026-02-10"
    # A contact without a follow-up has nothing to mark done.
    r = await client.post(
        w.url(f"/reception/{plain['id']}/follow-up-done"),
        json={"done_on": "2026-02-10"},
        headers=w.worker.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "roma_branch_no_follow_up"

    # The change is in the audit trail: ids and codes, no text of the follow-up.
    trail = await client.get(
        f"{w.tenant.api}/audit",
        params={"object_type": "roma_branch.reception", "object_id": due["id"]},
        headers=w.admin.headers,
    )
    assert trail.status_code == 200
    updates = [e for e in trail.json()["items"] if e["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["user_id"] == str(w.worker.user_id)
    assert updates[0]["details"]["follow_up_done_on"] == "2026-02-10"
    assert "πιστοποιητικό" not in trail.text


async def test_api_follow_up_done_is_404_outside_the_branch_and_for_another_tenant(
    client: Any,
) -> None:
    w = await make_world(client)
    other = await make_world(client)
    theirs = await contact(client, other, other.worker, follow_up_on="2026-02-09")
    mine = await contact(client, w, w.worker, follow_up_on="2026-02-09")
    body = {"done_on": "2026-02-10"}
    r = await client.post(
        w.url(f"/reception/{theirs['id']}/follow-up-done"), json=body, headers=w.admin.headers
    )
    assert r.status_code == 404
    r = await client.post(
        w.url(f"/reception/{mine['id']}/follow-up-done"), json=body, headers=w.reception.headers
    )
    assert r.status_code == 404
    for world, record in ((other, theirs), (w, mine)):
        got = await client.get(world.url(f"/reception/{record['id']}"), headers=world.admin.headers)
        assert got.json()["follow_up_done_on"] is None


async def test_open_follow_ups_stay_in_the_tasks_until_done_from_the_contact_page(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    today = athens_today()
    # Long overdue, and due next week: both open tasks of the social worker who recorded them.
    overdue = await contact(
        client,
        w,
        w.worker,
        visited_on=(today - timedelta(days=90)).isoformat(),
        follow_up="Επανεπικοινωνία",
        follow_up_on=(today - timedelta(days=60)).isoformat(),
    )
    soon = await contact(
        client,
        w,
        w.worker,
        visited_on=today.isoformat(),
        follow_up_on=(today + timedelta(days=7)).isoformat(),
    )
    base = ui(w)
    home = f"/t/{w.tenant.slug}/"
    async with signed_in(merimna_app, w.worker) as http:
        r = await http.get(home)
        for record in (overdue, soon):
            assert f"{base}/reception/{record['id']}" in r.text
        page = await http.get(f"{base}/reception/{overdue['id']}")
        assert page.status_code == 200
        assert 'id="rb-follow-up-done-done_on"' in page.text
        assert f'action="{base}/reception/{overdue["id"]}/follow-up-done"' in page.text
        token = await token_of(http, f"{base}/reception/{overdue['id']}")

        async def mark(record: dict[str, Any], value: str) -> httpx.Response:
            return await http.post(
                f"{base}/reception/{record['id']}/follow-up-done",
                data={"done_on": value, "_csrf_token": token},
            )

        # A date after today: 422 by the field, still open, still a task.
        bad = await mark(overdue, (today + timedelta(days=3)).isoformat())
        assert bad.status_code == 422
        assert 'id="rb-follow-up-done-done_on-error"' in bad.text
        assert t("validation.roma_branch_date_in_future", "el") in bad.text
        assert f"{base}/reception/{overdue['id']}" in (await http.get(home)).text

        good = await mark(overdue, today.isoformat())
        assert good.status_code == 303
        assert good.headers["location"].endswith(f"/reception/{overdue['id']}?saved=1")
        page = await http.get(f"{base}/reception/{overdue['id']}?lang=el")
        assert t("roma_branch.ui.follow_up_done_on", "el", on=today.isoformat()) in page.text
        assert 'id="rb-follow-up-done-done_on"' not in page.text
        r = await http.get(home)
        assert f"{base}/reception/{overdue['id']}" not in r.text
        assert f"{base}/reception/{soon['id']}" in r.text
        # Marked again (an old tab): the reason as a notice, nothing changed.
        again = await mark(overdue, today.isoformat())
        assert again.status_code == 409 and 'class="notice notice--error"' in again.text
        # The log and the person's page tell open from done.
        log = await http.get(f"{base}/reception?lang=el")
        assert "Έγινε" in log.text
        person = await http.get(f"{base}/people/{w.person}?lang=el")
        assert "badge badge--warning" in person.text and ">Έγινε<" in person.text
    # Another tenant's contact: the screen and the form are 404.
    other = await make_world(client)
    theirs = await contact(client, other, other.worker, follow_up_on=today.isoformat())
    async with signed_in(merimna_app, w.admin) as http:
        token = await token_of(http, base + "/reception")
        assert (await http.get(f"{base}/reception/{theirs['id']}")).status_code == 404
        r = await http.post(
            f"{base}/reception/{theirs['id']}/follow-up-done",
            data={"done_on": today.isoformat(), "_csrf_token": token},
        )
        assert r.status_code == 404
    got = await client.get(other.url(f"/reception/{theirs['id']}"), headers=other.admin.headers)
    assert got.json()["follow_up_done_on"] is None
