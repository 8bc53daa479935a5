"""One food bank per test module for the page tests: a municipality with the module, its staff
by role (each with a signed-in browser-like client), a catalogue with stock for the basket,
a donor, people, and a second municipality whose ids must answer 404."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import httpx
import pytest

from core.testing import Staff, TenantFixture, csrf_of, make_staff, make_tenant, sign_in

M = "modules/food_bank"
BASKET = ("rice", "pasta", "lentils", "beans", "rusks", "sugar")


def today() -> date:
    return datetime.now(ZoneInfo("Europe/Athens")).date()


def working_day(start: date, weekday: int = 2) -> date:
    """The first `weekday` (0 = Monday) on or after `start` that is no Greek holiday."""
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    greek = holidays.country_holidays("GR", years=range(day.year, day.year + 2))
    while day in greek:
        day += timedelta(days=7)
    return day


FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">')


def field_errors(html: str) -> set[str]:
    """The ids of the inputs a page marks as wrong (`lot-quantity`, `day-ends`...)."""
    return set(FIELD_ERROR.findall(html))


def options(html: str, name: str) -> dict[str, str]:
    """The options of the select `name`: value -> label."""
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return {
        value: unescape(label)
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
        if value
    }


@dataclass
class Bank:
    http: Any
    app: Any
    town: TenantFixture
    other: TenantFixture
    admin: Staff
    keeper: Staff  # warehouse keeper
    volunteer: Staff
    social: Staff
    psychologist: Staff
    other_admin: Staff
    staff_id: str = ""
    items: dict[str, str] = field(default_factory=dict)
    donor: str = ""
    people: list[str] = field(default_factory=list)
    other_ids: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> str:
        return f"/t/{self.town.slug}/food_bank/"

    def url(self, path: str, tenant: TenantFixture | None = None) -> str:
        return f"{(tenant or self.town).api}/{M}{path}"

    async def api(self, who: Staff, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return await self.http.request(
            method,
            self.url(path, self.other if who is self.other_admin else None),
            json=body,
            params=params or None,
            headers=who.headers,
        )

    @asynccontextmanager
    async def browser(self, who: Staff) -> AsyncIterator[httpx.AsyncClient]:
        """A browser-like client of its own (cookie jar), signed in through the login form."""
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50003))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as b:
            signed = await sign_in(b, who.username, who.password)
            assert signed.status_code in (302, 303), signed.text[:200]
            yield b

    async def post_form(self, b: httpx.AsyncClient, path: str, data: dict[str, str]) -> Any:
        """Post a form to `path` with the session's CSRF token, as the page's form would."""
        home = await b.get(f"/t/{self.town.slug}/")
        return await b.post(self.root + path, data={"_csrf_token": csrf_of(home.text), **data})


async def _person(http: Any, tenant: TenantFixture, who: Staff, **fields: Any) -> str:
    body = {"birth_date": "1975-05-04", **fields}
    response = await http.post(f"{tenant.api}/beneficiaries", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _stock_up(bank: Bank, who: Staff, tenant: TenantFixture | None = None) -> dict[str, str]:
    items = {}
    for code in (*BASKET, "snack_pack", "feta"):
        unit = "kg" if code == "feta" else "pack"
        r = await bank.http.post(
            bank.url("/items", tenant),
            json={
                "code": code,
                "name_el": f"Είδος {code}",
                "name_en": f"Item {code}",
                "category": "food",
                "unit": unit,
                "weight_grams": 500,
            },
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
        items[code] = r.json()["id"]
        r = await bank.http.post(
            bank.url("/lots", tenant),
            json={
                "item_id": items[code],
                "quantity": "200",
                "expiry": (today() + timedelta(days=200)).isoformat(),
                "funding_source": "teba" if code in BASKET else "municipal",
                "warehouse": "main",
                "lot_code": f"L-{code}",
            },
            headers=who.headers,
        )
        assert r.status_code == 201, r.text
    return items


@pytest.fixture(scope="module")
async def bank(client: Any, merimna_app: Any) -> Bank:
    town = await make_tenant(["food_bank"], prefix="fb")
    other = await make_tenant(["food_bank"], prefix="fb-other")
    admin = await make_staff(town, ["tenant_admin"])
    bank = Bank(
        http=client,
        app=merimna_app,
        town=town,
        other=other,
        admin=admin,
        keeper=await make_staff(town, ["warehouse_keeper"]),
        volunteer=await make_staff(town, ["volunteer"]),
        social=await make_staff(town, ["social_worker"]),
        psychologist=await make_staff(town, ["psychologist"]),
        other_admin=await make_staff(other, ["tenant_admin"]),
    )
    r = await client.post(
        f"{town.api}/staff",
        json={"user_id": str(admin.user_id), "profession": "social_worker"},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    bank.staff_id = str(r.json()["id"])
    bank.items = await _stock_up(bank, admin)
    r = await client.post(
        bank.url("/donors"),
        json={"kind": "supermarket", "name": "Σούπερ Μάρκετ Γειτονιάς", "afm": "094259216"},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    bank.donor = r.json()["id"]
    for first, last in (("Ελένη", "Καραγιάννη"), ("Νίκος", "Ζαχαρίου"), ("Άννα", "Βλάχου")):
        bank.people.append(
            await _person(
                client, town, admin, first_name=first, last_name=last, categories=["min_income"]
            )
        )
    # The other municipality: an item, a lot, a donor, a person, a day, a donation.
    oitems = await _stock_up(bank, bank.other_admin, other)
    oh = bank.other_admin.headers
    olot = (await client.get(bank.url("/lots", other), headers=oh)).json()["items"][0]["id"]
    odonor = (
        await client.post(
            bank.url("/donors", other), json={"kind": "ngo", "name": "Ξένος Σύλλογος"}, headers=oh
        )
    ).json()["id"]
    operson = await _person(
        client,
        other,
        bank.other_admin,
        first_name="Μαρία",
        last_name="Ξένη",
        categories=["min_income"],
    )
    oday = (
        await client.post(
            bank.url("/distribution-days", other), json={"day": today().isoformat()}, headers=oh
        )
    ).json()["id"]
    odonation = (
        await client.post(
            bank.url("/donations", other),
            json={
                "donor_id": odonor,
                "warehouse": "main",
                "lots": [{"item_id": oitems["rice"], "quantity": "3", "date_kind": "none"}],
            },
            headers=oh,
        )
    ).json()["id"]
    bank.other_ids = {
        "item": oitems["rice"],
        "lot": olot,
        "donor": odonor,
        "person": operson,
        "day": oday,
        "donation": odonation,
    }
    return bank
