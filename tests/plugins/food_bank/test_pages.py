"""The food bank's staff screens: every page renders in Greek and English with labelled inputs;
every form refuses bad input with a 422 naming the field and stores nothing, stores and
redirects on good input, is refused (403) to a role without the permission, and answers 404
for another municipality's ids; CSRF on every form. Plus the API's pickup-slot booking."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.i18n import catalogue
from core.testing import sign_in
from tests.core.web.conftest import html_lang, unlabelled
from tests.plugins.food_bank.conftest import Bank, M, field_errors, options, today, working_day

ATHENS = ZoneInfo("Europe/Athens")


async def _lots(bank: Bank, **params: Any) -> list[dict[str, Any]]:
    r = await bank.api(bank.admin, "GET", "/lots", include_empty=True, limit=200, **params)
    return r.json()["items"]


async def test_every_screen_renders_in_greek_and_english(bank: Bank) -> None:
    lot = (await _lots(bank))[0]["id"]
    person = bank.people[0]
    r = await bank.api(
        bank.admin,
        "POST",
        "/distribution-days",
        {"day": today().isoformat(), "staff_id": bank.staff_id},
    )
    day = r.json()["id"]
    pages = {
        "": ("Τράπεζα τροφίμων", "Food, clothing and toy bank"),
        "items": ("Κατάλογος ειδών", "Catalogue"),
        f"items/{bank.items['rice']}": ("Ενεργό είδος", "Active item"),
        "stock": ("Πηγή χρηματοδότησης", "Funding source"),
        f"lots/{lot}": ("Αιτία απόσυρσης", "Reason"),
        "donors": ("Νέος δωρητής", "New donor"),
        f"donors/{bank.donor}": ("Νέα δωρεά", "New donation"),
        "donations": ("Αρ. αποδεικτικού", "Receipt no."),
        "donations/new": ("Γραμμή 2: Είδος", "Line 2: Item"),
        "eligibility": ("Πρόσφατες αποφάσεις", "Recent decisions"),
        f"eligibility/{person}": ("Νέος έλεγχος", "New check"),
        "days": ("Νέα ημέρα διανομής", "Plan a distribution day"),
        f"days/{day}": ("Ραντεβού της ημέρας", "Book a pickup slot"),
        f"days/{day}?q=Καραγιάννη": ("Καραγιάννη", "Καραγιάννη"),
        "pickup?q=Καραγιάννη": ("Καραγιάννη", "Καραγιάννη"),
        f"pickup/{person}": ("Επιβεβαίωση παραλαβής", "Confirm the pickup"),
        "pickups": ("Παραλαβές", "Pickups"),
        "snacks": ("Σχολικά σνακ", "School snack packs"),
    }
    async with bank.browser(bank.admin) as b:
        for path, (greek, english) in pages.items():
            for lang, text in (("el", greek), ("en", english)):
                sep = "&" if "?" in path else "?"
                page = await b.get(f"{bank.root}{path}{sep}lang={lang}")
                assert page.status_code == 200, (path, page.text[:300])
                assert html_lang(page.text) == lang, path
                assert text in page.text, (path, lang)
                assert unlabelled(page.text) == [], (path, unlabelled(page.text))
                assert "<option>" not in page.text, path  # a browser would send the label
        # Nobody types an id: items, donors, warehouses, sources and staff are selects.
        stock = (await b.get(bank.root + "stock?lang=el")).text
        assert options(stock, "item_id")[bank.items["rice"]] == "Είδος rice (συσκ.)"
        assert set(options(stock, "funding_source")) == {"teba", "donation", "municipal"}
        assert options(stock, "warehouse") == {"main": "Κεντρική αποθήκη"}
        assert bank.donor in options(stock, "donor_id")
        days = (await b.get(bank.root + "days")).text
        assert bank.staff_id in options(days, "staff_id")
        assert bank.items["rice"] in options(
            (await b.get(bank.root + "donations/new")).text, "line1_item_id"
        )


async def test_roles_and_other_municipality(bank: Bank) -> None:
    o = bank.other_ids
    async with bank.browser(bank.psychologist) as b:  # no food bank at all
        for path in ("", "items", "stock", "days", "eligibility", "pickups", "snacks"):
            assert (await b.get(bank.root + path)).status_code == 403, path
    async with bank.browser(bank.volunteer) as b:  # reads and distributes, nothing else
        for path in ("donors", "donations", "donations/new", f"items/{bank.items['rice']}"):
            assert (await b.get(bank.root + path)).status_code == 403, path
        stock = await b.get(bank.root + "stock")
        assert stock.status_code == 200 and 'name="item_id"' not in stock.text
        assert (await b.get(bank.root + "pickup")).status_code == 200
        for path, data in (
            ("items", {"code": "x", "name_el": "Χ", "category": "food", "unit": "pack"}),
            ("stock", {"item_id": bank.items["rice"], "quantity": "1"}),
            ("donors", {"kind": "other", "name": "Χ"}),
            ("days", {"day": today().isoformat()}),
            (f"eligibility/{bank.people[0]}", {}),
        ):
            assert (await bank.post_form(b, path, data)).status_code == 403, path
    async with bank.browser(bank.admin) as b:
        for path in (
            f"items/{o['item']}",
            f"lots/{o['lot']}",
            f"donors/{o['donor']}",
            f"donations/new?donor_id={o['donor']}",
            f"donations/{o['donation']}/receipt",
            f"eligibility/{o['person']}",
            f"days/{o['day']}",
            f"days?person_id={o['person']}",
            f"days/{o['day']}?person_id={bank.people[0]}",
            f"pickups?distribution_day_id={o['day']}",
            f"pickup/{o['person']}",
        ):
            assert (await b.get(bank.root + path)).status_code == 404, path
        for path, data in (
            (f"items/{o['item']}", {"name_el": "Κλεμμένο"}),
            (f"lots/{o['lot']}/waste", {"quantity": "1", "reason": "other"}),
            (f"lots/{o['lot']}/adjust", {"counted": "0"}),
            (f"lots/{o['lot']}/quarantine", {"quarantined": "true"}),
            (f"eligibility/{o['person']}", {}),
            (f"days/{o['day']}/open", {}),
            (f"days/{o['day']}/close", {}),
            (f"days/{o['day']}/bookings", {"person_id": bank.people[0], "start": "09:00"}),
            (f"pickup/{o['person']}", {}),
            (f"snacks/{o['person']}", {}),
        ):
            assert (await bank.post_form(b, path, data)).status_code == 404, path
        # Another municipality's ids in a form's selects: refused, nothing stored.
        refused = await bank.post_form(
            b,
            "stock",
            {
                "item_id": o["item"],
                "quantity": "5",
                "expiry": (today() + timedelta(days=9)).isoformat(),
                "funding_source": "municipal",
                "warehouse": "main",
            },
        )
        assert refused.status_code == 422 and "lot-item_id" in field_errors(refused.text)
        refused = await bank.post_form(
            b,
            "donations/new",
            {
                "donor_id": o["donor"],
                "warehouse": "main",
                "line1_item_id": bank.items["rice"],
                "line1_quantity": "2",
                "line1_date_kind": "none",
            },
        )
        assert refused.status_code == 404
    other_lot = (await bank.api(bank.other_admin, "GET", f"/lots/{o['lot']}")).json()
    assert other_lot["quarantined"] is False and len(other_lot["movements"]) == 1
    # CSRF: a form posted without the token is refused.
    async with bank.browser(bank.admin) as b:
        r = await b.post(bank.root + "donors", data={"kind": "other", "name": "Χωρίς token"})
        assert r.status_code == 403
    names = [d["name"] for d in (await bank.api(bank.admin, "GET", "/donors")).json()["items"]]
    assert "Χωρίς token" not in names


async def test_catalogue_items(bank: Bank) -> None:
    async with bank.browser(bank.admin) as b:
        bad = await bank.post_form(
            b, "items", {"code": "Μη έγκυρο", "name_el": "", "category": "food", "unit": "pack"}
        )
        assert bad.status_code == 422
        assert {"item-code", "item-name_el"} <= field_errors(bad.text)
        codes = [i["code"] for i in (await bank.api(bank.admin, "GET", "/items")).json()["items"]]
        assert "olive_oil" not in codes
        taken = await bank.post_form(
            b, "items", {"code": "rice", "name_el": "Ρύζι", "category": "food", "unit": "pack"}
        )
        assert taken.status_code == 409 and "item-code" in field_errors(taken.text)
        good = await bank.post_form(
            b,
            "items",
            {"code": "olive_oil", "name_el": "Ελαιόλαδο", "category": "food", "unit": "l"},
        )
        assert good.status_code == 303 and good.headers["location"] == bank.root + "items"
        items = (await bank.api(bank.admin, "GET", "/items")).json()["items"]
        oil = next(i for i in items if i["code"] == "olive_oil")
        assert oil["weight_grams"] == 1000 and oil["active"]
        # Edit: a bad weight is refused, then the item is renamed and retired.
        bad = await bank.post_form(
            b, f"items/{oil['id']}", {"name_el": "Λάδι", "weight_grams": "0", "active": "true"}
        )
        assert bad.status_code == 422 and field_errors(bad.text) == {"item-weight_grams"}
        assert (await bank.api(bank.admin, "GET", f"/items/{oil['id']}")).json()[
            "name_el"
        ] == "Ελαιόλαδο"
        good = await bank.post_form(b, f"items/{oil['id']}", {"name_el": "Ελαιόλαδο 1 λ."})
        assert good.status_code == 303
        after = (await bank.api(bank.admin, "GET", f"/items/{oil['id']}")).json()
        assert after["name_el"] == "Ελαιόλαδο 1 λ." and after["active"] is False
        # A retired item is no longer offered for receipts.
        stock = (await b.get(bank.root + "stock")).text
        assert oil["id"] not in options(stock, "item_id")


async def test_stock_receipt_and_lot_actions(bank: Bank) -> None:
    feta = bank.items["feta"]
    async with bank.browser(bank.keeper) as b:
        before = len(await _lots(bank))
        bad = await bank.post_form(
            b,
            "stock",
            {
                "item_id": feta,
                "quantity": "-2",
                "date_kind": "use_by",
                "expiry": (today() - timedelta(days=1)).isoformat(),
                "funding_source": "ΚΑΜΙΑ",
                "warehouse": "main",
            },
        )
        assert bad.status_code == 422
        assert {"lot-quantity", "lot-funding_source"} <= field_errors(bad.text)
        assert 'class="error-summary"' in bad.text
        expired = await bank.post_form(
            b,
            "stock",
            {
                "item_id": feta,
                "quantity": "2.5",
                "date_kind": "use_by",
                "expiry": (today() - timedelta(days=1)).isoformat(),
                "funding_source": "municipal",
                "warehouse": "main",
            },
        )
        assert expired.status_code == 422 and field_errors(expired.text) == {"lot-expiry"}
        assert len(await _lots(bank)) == before
        good = await bank.post_form(
            b,
            "stock",
            {
                "item_id": feta,
                "quantity": "12.5",
                "date_kind": "use_by",
                "expiry": (today() + timedelta(days=6)).isoformat(),
                "lot_code": "ΦΕΤΑ-1",
                "storage": "chilled",
                "funding_source": "municipal",
                "warehouse": "main",
                "donor_id": bank.donor,
            },
        )
        assert good.status_code == 303 and good.headers["location"] == bank.root + "stock"
        lot = next(x for x in await _lots(bank, item_id=feta) if x["lot_code"] == "ΦΕΤΑ-1")
        assert lot["on_hand"] == "12.5" and lot["donor_id"] == bank.donor
        page = await b.get(bank.root + f"lots/{lot['id']}")
        assert page.status_code == 200 and "ΦΕΤΑ-1" in page.text
        # Waste: no reason -> 422; more than on hand -> 409 inline; then 2 kg spoiled.
        bad = await bank.post_form(b, f"lots/{lot['id']}/waste", {"quantity": "1"})
        assert bad.status_code == 422 and field_errors(bad.text) == {"waste-reason"}
        much = await bank.post_form(
            b, f"lots/{lot['id']}/waste", {"quantity": "50", "reason": "spoiled"}
        )
        assert much.status_code == 409 and field_errors(much.text) == {"waste-quantity"}
        done = await bank.post_form(
            b, f"lots/{lot['id']}/waste", {"quantity": "2", "reason": "spoiled", "note": "Ζέστη"}
        )
        assert done.status_code == 303 and done.headers["location"].endswith(f"lots/{lot['id']}")
        # A count: a negative number is refused; 10 kg counted.
        bad = await bank.post_form(b, f"lots/{lot['id']}/adjust", {"counted": "-1"})
        assert bad.status_code == 422 and field_errors(bad.text) == {"adjust-counted"}
        assert (
            await bank.post_form(b, f"lots/{lot['id']}/adjust", {"counted": "10"})
        ).status_code == 303
        # Quarantine and release.
        assert (
            await bank.post_form(b, f"lots/{lot['id']}/quarantine", {"quarantined": "true"})
        ).status_code == 303
        detail = (await bank.api(bank.admin, "GET", f"/lots/{lot['id']}")).json()
        assert detail["quarantined"] is True
        assert [m["kind"] for m in detail["movements"]] == ["receipt", "waste", "adjustment"]
        assert detail["on_hand"] == "10"
        page = await b.get(bank.root + f"lots/{lot['id']}")
        assert "Άρση καραντίνας" in page.text and "transfer-warehouse" not in page.text
        assert (await bank.post_form(b, f"lots/{lot['id']}/quarantine", {})).status_code == 303
        detail = (await bank.api(bank.admin, "GET", f"/lots/{lot['id']}")).json()
        assert detail["quarantined"] is False
    async with bank.browser(bank.volunteer) as b:
        page = await b.get(bank.root + f"lots/{lot['id']}")
        assert page.status_code == 200 and 'name="reason"' not in page.text
        for action, data in (
            ("waste", {"quantity": "1", "reason": "other"}),
            ("adjust", {"counted": "1"}),
            ("transfer", {"quantity": "1", "warehouse": "main"}),
            ("quarantine", {"quarantined": "true"}),
        ):
            r = await bank.post_form(b, f"lots/{lot['id']}/{action}", data)
            assert r.status_code == 403, action
    assert (await bank.api(bank.admin, "GET", f"/lots/{lot['id']}")).json()["on_hand"] == "10"


async def test_transfer_between_warehouses(bank: Bank) -> None:
    settings = await bank.http.get(f"{bank.town.api}/{M}/settings", headers=bank.admin.headers)
    body = settings.json()
    body = body.get("settings", body)
    body["warehouses"] = [
        *body["warehouses"],
        {"code": "kypseli", "title_el": "Αποθήκη Κυψέλης", "title_en": "Kypseli store"},
    ]
    r = await bank.http.put(f"{bank.town.api}/{M}/settings", json=body, headers=bank.admin.headers)
    assert r.status_code == 200, r.text
    lot = next(x for x in await _lots(bank, item_id=bank.items["sugar"]))
    async with bank.browser(bank.admin) as b:
        page = await b.get(bank.root + f"lots/{lot['id']}")
        assert options(page.text, "warehouse") == {"kypseli": "Αποθήκη Κυψέλης"}
        bad = await bank.post_form(
            b, f"lots/{lot['id']}/transfer", {"quantity": "5", "warehouse": "main"}
        )
        assert bad.status_code == 422 and field_errors(bad.text) == {"transfer-warehouse"}
        good = await bank.post_form(
            b, f"lots/{lot['id']}/transfer", {"quantity": "5", "warehouse": "kypseli"}
        )
        assert good.status_code == 303
    moved = await _lots(bank, item_id=bank.items["sugar"], warehouse="kypseli")
    assert [x["on_hand"] for x in moved] == ["5"]


async def test_donors_and_donations(bank: Bank) -> None:
    async with bank.browser(bank.keeper) as b:
        bad = await bank.post_form(b, "donors", {"kind": "business", "name": "", "afm": "123"})
        assert bad.status_code == 422
        assert field_errors(bad.text) == {"donor-name", "donor-afm"}
        good = await bank.post_form(
            b,
            "donors",
            {"kind": "parish", "name": "Ενορία Αγίας Τριάδας", "phone": "210 123 4567"},
        )
        assert good.status_code == 303
        donor = good.headers["location"].rsplit("/", 1)[1]
        assert (await bank.api(bank.admin, "GET", f"/donors/{donor}")).json()[
            "phone"
        ] == "+302101234567"
        page = await b.get(bank.root + f"donations/new?donor_id={donor}")
        assert page.status_code == 200
        assert f'<option value="{donor}" selected>Ενορία Αγίας Τριάδας</option>' in page.text
        rice, feta = bank.items["rice"], bank.items["feta"]
        # Fractional packs on line 1, a use-by date already past on line 3: nothing stored.
        bad = await bank.post_form(
            b,
            "donations/new",
            {
                "donor_id": donor,
                "warehouse": "main",
                "line1_item_id": rice,
                "line1_quantity": "1.5",
                "line1_date_kind": "none",
                "line3_item_id": feta,
                "line3_quantity": "3",
                "line3_date_kind": "use_by",
                "line3_expiry": (today() - timedelta(days=2)).isoformat(),
            },
        )
        assert bad.status_code == 422, bad.text[:500]
        assert field_errors(bad.text) == {"donation-line1_quantity", "donation-line3_expiry"}
        empty = await bank.post_form(b, "donations/new", {"donor_id": donor, "warehouse": "main"})
        assert empty.status_code == 422 and "donation-line1_item_id" in field_errors(empty.text)
        missing = await bank.post_form(
            b, "donations/new", {"donor_id": donor, "warehouse": "main", "line2_item_id": rice}
        )
        assert missing.status_code == 422
        assert "donation-line2_quantity" in field_errors(missing.text)
        listed = await bank.api(bank.admin, "GET", "/donations", donor_id=donor)
        assert listed.json()["items"] == []
        good = await bank.post_form(
            b,
            "donations/new",
            {
                "donor_id": donor,
                "warehouse": "main",
                "notes": "Από τον έρανο της Κυριακής",
                "line1_item_id": rice,
                "line1_quantity": "40",
                "line1_date_kind": "best_before",
                "line1_expiry": (today() + timedelta(days=90)).isoformat(),
                "line2_item_id": feta,
                "line2_quantity": "2.5",
                "line2_date_kind": "use_by",
                "line2_expiry": (today() + timedelta(days=5)).isoformat(),
                "line2_storage": "chilled",
            },
        )
        assert good.status_code == 303, good.text[:500]
        assert good.headers["location"].endswith("/receipt")
        receipt = await b.get(good.headers["location"])
        assert receipt.status_code == 200 and "Ενορία Αγίας Τριάδας" in receipt.text
        donations = (await bank.api(bank.admin, "GET", "/donations", donor_id=donor)).json()
        (donation,) = donations["items"]
        assert [lot["received"] for lot in donation["lots"]] == ["40", "2.5"]
        assert donation["notes"] == "Από τον έρανο της Κυριακής"
        for path in ("donations", f"donors/{donor}"):
            page = await b.get(bank.root + path)
            assert page.status_code == 200 and donation["receipt_number"] in page.text


async def test_eligibility_screens(bank: Bank) -> None:
    person = bank.people[1]
    async with bank.browser(bank.social) as b:
        bad = await bank.post_form(
            b, f"eligibility/{person}", {"annual_income": "-5", "disabled_members": "x"}
        )
        assert bad.status_code == 422
        assert field_errors(bad.text) == {"check-annual_income", "check-disabled_members"}
        r = await bank.api(bank.admin, "GET", "/eligibility", person_id=person)
        assert r.json()["items"] == []
        good = await bank.post_form(
            b, f"eligibility/{person}", {"annual_income": "4200", "notes": "Κάρτα ΕΕΕ"}
        )
        assert good.status_code == 303
        assert good.headers["location"] == bank.root + f"eligibility/{person}"
        (decision,) = (await bank.api(bank.admin, "GET", "/eligibility", person_id=person)).json()[
            "items"
        ]
        assert decision["eligible"] and decision["notes"] == "Κάρτα ΕΕΕ"
        page = await b.get(good.headers["location"])
        assert decision["reasons"][0]["message"] in page.text
        listing = await b.get(bank.root + "eligibility?q=Ζαχαρίου")
        assert f"eligibility/{person}" in listing.text
    async with bank.browser(bank.volunteer) as b:
        page = await b.get(bank.root + f"eligibility/{person}")
        assert page.status_code == 200 and 'name="annual_income"' not in page.text
        assert (await bank.post_form(b, f"eligibility/{person}", {})).status_code == 403


async def test_distribution_day_booking_open_close_and_pickup(bank: Bank) -> None:
    person = bank.people[2]
    await bank.api(bank.admin, "POST", "/eligibility", {"person_id": person})
    future = working_day(today() + timedelta(days=60))
    async with bank.browser(bank.admin) as b:
        bad = await bank.post_form(
            b, "days", {"day": "31/02/2030", "starts": "14:00", "ends": "09:00", "warehouse": "x"}
        )
        assert bad.status_code == 422
        assert {"day-day", "day-ends"} <= field_errors(bad.text)
        days = (await bank.api(bank.admin, "GET", "/distribution-days", limit=200)).json()
        count = len(days["items"])
        good = await bank.post_form(
            b,
            "days",
            {
                "day": future.isoformat(),
                "starts": "09:00",
                "ends": "11:00",
                "slot_minutes": "30",
                "warehouse": "main",
                "channel": "distribution",
                "staff_id": bank.staff_id,
                "title": "Διανομή ΤΕΒΑ",
            },
        )
        assert good.status_code == 303
        day = good.headers["location"].rsplit("/", 1)[1]
        days = (await bank.api(bank.admin, "GET", "/distribution-days", limit=200)).json()
        assert len(days["items"]) == count + 1
        # Book: find the person by name, choose them, pick a time.
        found = await b.get(bank.root + f"days/{day}?q=Βλάχου")
        assert f"days/{day}?person_id={person}" in found.text
        form = await b.get(bank.root + f"days/{day}?person_id={person}")
        assert list(options(form.text, "start")) == ["09:00", "09:30", "10:00", "10:30"]
        bad = await bank.post_form(b, f"days/{day}/bookings", {"person_id": person})
        assert bad.status_code == 422 and field_errors(bad.text) == {"booking-start"}
        bad = await bank.post_form(
            b, f"days/{day}/bookings", {"person_id": person, "start": "12:00"}
        )
        assert bad.status_code == 422 and field_errors(bad.text) == {"booking-start"}
        assert (
            await bank.api(bank.admin, "GET", f"/distribution-days/{day}/bookings")
        ).json() == []
        good = await bank.post_form(
            b, f"days/{day}/bookings", {"person_id": person, "start": "09:30"}
        )
        assert good.status_code == 303, good.text[:400]
        (booking,) = (
            await bank.api(bank.admin, "GET", f"/distribution-days/{day}/bookings")
        ).json()
        assert booking["start_local"].startswith(f"{future.isoformat()}T09:30")
        page = await b.get(bank.root + f"days/{day}?person_id={bank.people[0]}")
        assert "Βλάχου" in page.text and "09:30" not in options(page.text, "start")
        # The day is in the future: it cannot be opened yet; it can be closed.
        early = await bank.post_form(b, f"days/{day}/open", {})
        assert early.status_code == 422 and "notice--error" in early.text
        assert (await bank.post_form(b, f"days/{day}/close", {})).status_code == 303
        assert (await bank.api(bank.admin, "GET", f"/distribution-days/{day}")).json()[
            "status"
        ] == "closed"
        closed = await b.get(bank.root + f"days/{day}?person_id={bank.people[0]}")
        assert 'name="start"' not in closed.text
        r = await bank.api(
            bank.admin,
            "POST",
            f"/distribution-days/{day}/bookings",
            {"person_id": bank.people[0], "start": f"{future.isoformat()}T10:00:00+02:00"},
        )
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "distribution_day_closed"
        # Today's day: opened, the pickup screen records pickups against it.
        r = await bank.api(
            bank.admin,
            "POST",
            "/distribution-days",
            {"day": today().isoformat(), "title": "Σήμερα"},
        )
        today_day = r.json()["id"]
        async with bank.browser(bank.volunteer) as v:
            assert (await bank.post_form(v, f"days/{today_day}/open", {})).status_code == 403
        assert (await bank.post_form(b, f"days/{today_day}/open", {})).status_code == 303
        search = await b.get(bank.root + "pickup")
        assert "Σήμερα" in search.text
        refused = await bank.post_form(
            b, f"pickup/{person}", {"by_proxy": "true", "proxy_name": "Κ"}
        )
        assert refused.status_code == 422
        assert {"f-proxy_name", "f-proxy_document", "f-proxy_authorisation"} <= field_errors(
            refused.text
        )
        assert (await bank.api(bank.admin, "GET", "/pickups", person_id=person)).json()[
            "items"
        ] == []
        done = await bank.post_form(b, f"pickup/{person}", {})
        assert done.status_code == 303, done.text[:500]
        (pickup,) = (await bank.api(bank.admin, "GET", "/pickups", person_id=person)).json()[
            "items"
        ]
        assert pickup["distribution_day_id"] == today_day
        again = await bank.post_form(b, f"pickup/{person}", {})
        assert again.status_code == 409 and field_errors(again.text) == {"f-override"}
        listed = await b.get(bank.root + f"pickups?distribution_day_id={today_day}")
        assert listed.status_code == 200 and "Βλάχου Άννα" in listed.text
        assert (await b.get(done.headers["location"])).status_code == 200
        assert (await bank.post_form(b, f"days/{today_day}/close", {})).status_code == 303
        r = await bank.api(
            bank.admin,
            "POST",
            "/pickups",
            {"person_id": bank.people[0], "distribution_day_id": today_day},
        )
        assert r.status_code == 422 and r.json()["errors"][0]["code"] == "distribution_day_closed"


async def test_booking_api(bank: Bank) -> None:
    """POST /distribution-days/{id}/bookings: the pickup slot in the core calendar."""
    future = working_day(today() + timedelta(days=75), weekday=1)
    r = await bank.api(
        bank.admin,
        "POST",
        "/distribution-days",
        {"day": future.isoformat(), "starts": "09:00", "ends": "12:00", "staff_id": bank.staff_id},
    )
    assert r.status_code == 201, r.text
    day = r.json()["id"]
    path = f"/distribution-days/{day}/bookings"

    def at(hhmm: str) -> str:
        return datetime.combine(future, time.fromisoformat(hhmm), ATHENS).isoformat()

    for who in (bank.psychologist, bank.keeper):  # no food bank / no distribution
        r = await bank.api(who, "POST", path, {"person_id": bank.people[0], "start": at("09:00")})
        assert r.status_code == 403
    r = await bank.api(bank.volunteer, "POST", path, {"person_id": bank.people[0], "start": "9"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "start"
    r = await bank.api(
        bank.volunteer, "POST", path, {"person_id": bank.people[0], "start": at("11:50")}
    )
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert (error["field"], error["code"]) == ("start", "outside_distribution_hours")
    assert "09:00" in error["message"] and "12:00" in error["message"]
    assert (await bank.api(bank.admin, "GET", path)).json() == []
    r = await bank.api(
        bank.volunteer, "POST", path, {"person_id": bank.people[0], "start": at("10:00")}
    )
    assert r.status_code == 201, r.text
    booked = r.json()
    assert booked["service"] == "food_bank.pickup" and booked["record_id"] == day
    r = await bank.api(
        bank.admin, "POST", path, {"person_id": bank.people[1], "start": at("10:00")}
    )
    assert r.status_code == 409  # the day's staff member is taken at that time
    listed = (await bank.api(bank.admin, "GET", path)).json()
    assert [b["id"] for b in listed] == [booked["id"]]
    assert (await bank.api(bank.admin, "GET", f"/distribution-days/{day}")).json()["bookings"] == 1
    # A day without a staff member takes no bookings.
    r = await bank.api(bank.admin, "POST", "/distribution-days", {"day": future.isoformat()})
    nobody = r.json()["id"]
    r = await bank.api(
        bank.admin,
        "POST",
        f"/distribution-days/{nobody}/bookings",
        {"person_id": bank.people[1], "start": at("10:00")},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "distribution_day_no_staff"
    # Another municipality's day or person: 404, and nothing of this one is listed there.
    o = bank.other_ids
    r = await bank.api(
        bank.admin,
        "POST",
        f"/distribution-days/{o['day']}/bookings",
        {"person_id": bank.people[1], "start": at("10:30")},
    )
    assert r.status_code == 404
    r = await bank.api(bank.admin, "POST", path, {"person_id": o["person"], "start": at("10:30")})
    assert r.status_code == 404
    r = await bank.api(bank.other_admin, "GET", path)
    assert r.status_code == 404
    r = await bank.api(bank.other_admin, "POST", f"/distribution-days/{day}/close")
    assert r.status_code == 404


async def test_snack_packs_screen(bank: Bank) -> None:
    r = await bank.http.post(
        f"{bank.town.api}/households",
        json={
            "name": "Οικογένεια Καραγιάννη",
            "members": [
                {"beneficiary_id": bank.people[0], "relation": "head"},
                {
                    "first_name": "Μαρία",
                    "birth_date": "2016-02-01",
                    "relation": "child",
                    "school_level": "primary",
                },
            ],
        },
        headers=bank.admin.headers,
    )
    assert r.status_code == 201, r.text
    await bank.api(bank.admin, "POST", "/eligibility", {"person_id": bank.people[0]})
    person = bank.people[0]
    async with bank.browser(bank.volunteer) as b:
        page = await b.get(bank.root + "snacks")
        assert page.status_code == 200 and "Καραγιάννη Ελένη" in page.text
        bad = await bank.post_form(
            b, f"snacks/{person}", {"delivered_via": "drone", "week_start": today().isoformat()}
        )
        assert bad.status_code == 422
        assert any(e.endswith("-delivered_via") for e in field_errors(bad.text))
        assert (await bank.api(bank.admin, "GET", "/snack-packs/allocation")).json()[0][
            "delivered"
        ] is False
        good = await bank.post_form(
            b,
            f"snacks/{person}",
            {
                "delivered_via": "school",
                "school_name": "3ο Δημοτικό",
                "week_start": today().isoformat(),
            },
        )
        assert good.status_code == 303, good.text[:400]
        delivery = await b.get(good.headers["location"])
        assert delivery.status_code == 200 and "3ο Δημοτικό" in delivery.text
        again = await bank.post_form(
            b, f"snacks/{person}", {"delivered_via": "school", "week_start": today().isoformat()}
        )
        assert again.status_code == 409 and "notice--error" in again.text
    async with bank.browser(bank.keeper) as b:  # stock, but no distribution
        r = await bank.post_form(b, f"snacks/{person}", {"delivered_via": "school"})
        assert r.status_code == 403


async def test_person_panel_tiles_and_tasks_link_to_the_screens(bank: Bank, browser: Any) -> None:
    """With the test kit's `browser` and `sign_in`: the person's page, the home tiles and
    tasks, and the overview lead to the screens."""
    person = bank.people[1]
    signed = await sign_in(browser, bank.admin.username, bank.admin.password)
    assert signed.status_code in (302, 303)
    page = await browser.get(f"/t/{bank.town.slug}/people/{person}")
    assert page.status_code == 200
    for path in (f"eligibility/{person}", f"pickup/{person}", f"days?person_id={person}"):
        assert f"{bank.root}{path}" in page.text, path
    # A lot expiring within a week (the stock test's feta): a task leading to the lot.
    r = await bank.api(
        bank.admin,
        "POST",
        "/lots",
        {
            "item_id": bank.items["feta"],
            "quantity": "1",
            "date_kind": "use_by",
            "expiry": (today() + timedelta(days=3)).isoformat(),
            "funding_source": "municipal",
            "warehouse": "main",
            "lot_code": "ΛΗΓΕΙ",
        },
    )
    assert r.status_code == 201, r.text
    home = (await browser.get(f"/t/{bank.town.slug}/")).text
    for path in ("pickup", "stock", "days", "donations", f"lots/{r.json()['id']}"):
        assert f"{bank.root}{path}" in home, path
    index = (await browser.get(bank.root)).text
    for path in ("items", "donors", "donations", "days", "eligibility", "snacks", "pickups"):
        assert f'href="{bank.root}{path}"' in index, path


async def test_codes_that_reach_users_have_texts(bank: Bank) -> None:
    """Messages of the module's codes (retention reasons, states, movements, statuses) exist in
    both languages; codes whose text lives in core catalogues are checked the same way."""
    import re
    from pathlib import Path

    import plugins.food_bank as module

    folder = Path(module.__file__).parent
    source = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))
    codes = {f"validation.{c}" for c in re.findall(r'invalid_field\(\s*[^,()]+,\s*"(\w+)"', source)}
    codes |= {f"validation.{c}" for c in re.findall(r'_error\(\s*[^,()]+,\s*"(\w+)"', source)}
    codes |= {f"validation.{c}" for c in re.findall(r'invalid\(\s*"(\w+)"', source)}
    codes |= {f"error.{c}" for c in re.findall(r'Conflict\(\s*"(\w+)"', source)}
    codes |= set(re.findall(r'retained\.append\("([\w.]+)"\)', source))
    rules = (folder / "rules.py").read_text(encoding="utf-8")
    codes |= {f"food_bank.reason.{c}" for c in re.findall(r'Reason\(\s*"(\w+)"', rules)}
    codes |= {
        f"food_bank.movement.{k}"
        for k in ("receipt", "distribution", "snack_pack", "transfer", "waste", "adjustment")
    }
    codes |= {f"food_bank.day_status.{k}" for k in ("planned", "open", "closed")}
    assert "food_bank.pickups_teba_audit" in codes and len(codes) > 40
    for lang in ("el", "en"):
        missing = sorted(code for code in codes if not catalogue(lang).get(code))
        assert missing == [], (lang, missing)
