"""A hypothesis state machine over three municipalities, driving the real app over HTTP
(issue 10 §2).

Rules register people, book (a clash must be a 409, anything else a 201), cancel, rebook a
cancelled slot, search people, run reports, read and list, and poke at another
municipality's appointments and people with ids taken from its responses. The machine keeps a
model of what each tenant owns, and checks against it:

* every response to a user of tenant A is scanned for the ids, canaries and slug of every
  other tenant: none may appear;
* after every step, the day of each tenant the step acted as or aimed at (and of every
  tenant at the end of a run), listed through the API, holds exactly the model's
  appointments with the model's statuses, and no person or staff member has two active
  appointments that overlap (no double booking, whatever the model thinks);
* searches, the appointments report and the people report count what the model counts;
* a cancelled appointment never blocks its slot (the model expects the rebooking to pass).

Each example books on a fresh working day (no holiday), so examples do not see each other's
appointments; people and staff persist across examples, as in a real registry. Bounded:
`MAX_EXAMPLES` runs of at most `STEPS` steps, derandomised (the same run every time).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import anyio
import anyio.from_thread
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.i18n import t
from core.testing import Staff, TenantFixture, make_staff, make_tenant

TENANTS = 3
MAX_EXAMPLES = 12
STEPS = 20
ZONE = ZoneInfo("Europe/Athens")
SERVICE = "core.intake"
# Bookings start on a 30-minute grid from 09:00 and last 30 to 90 minutes: inside the default
# opening hours (08:00-15:00), dense enough that clashes are common.
SLOTS = 6
DURATIONS = (30, 60, 90)
ROLES = ["tenant_admin", "social_worker"]
OBSERVATIONS = ("search", "appointments report", "people report", "read")


@dataclass
class Appt:
    id: str
    staff: str
    person: str
    start: datetime
    end: datetime
    active: bool = True


@dataclass
class Town:
    """One municipality: the fixtures the machine drives it with, and what it owns."""

    tenant: TenantFixture
    user: Staff
    canary: str
    staff: list[str]
    people: list[str] = field(default_factory=list)
    # every id this tenant ever showed: no other tenant's response may contain one
    secrets: set[str] = field(default_factory=set)

    @property
    def api(self) -> str:
        return self.tenant.api

    @property
    def headers(self) -> dict[str, str]:
        return {**self.user.headers, "Accept-Language": "en"}


class Leak(AssertionError):
    pass


def _working_days(start: date, closed: set[date]) -> Iterator[date]:
    day = start
    while True:
        if day.weekday() < 5 and day not in closed:
            yield day
        day += timedelta(days=1)


def _overlap(a: Appt | tuple[datetime, datetime], b: Appt) -> bool:
    start, end = (a.start, a.end) if isinstance(a, Appt) else a
    return start < b.end and b.start < end


class Harness:
    """Shared by every example of one run: the towns, the days, the async bridge."""

    def __init__(self, client: Any, towns: list[Town], days: Any) -> None:
        self.client = client
        self.towns = towns
        self.days = days
        self.requests = 0
        self.seen: dict[str, int] = {}  # what the run exercised: bookings, clashes, ...
        self.touched: set[int] = set()  # towns a step acted as or aimed at

    def saw(self, what: str) -> None:
        self.seen[what] = self.seen.get(what, 0) + 1

    def call(self, town: Town, method: str, url: str, **kwargs: Any) -> Any:
        """One request as `town`'s user, from the hypothesis thread; checks it for leaks."""

        async def send() -> Any:
            return await self.client.request(method, town.api + url, headers=town.headers, **kwargs)

        response = anyio.from_thread.run(send)
        self.requests += 1
        self.touched.add(self.towns.index(town))
        assert response.status_code < 500, f"{method} {url}: {response.text[:300]}"
        text = response.text
        for other in self.towns:
            if other is town:
                continue
            values = {other.canary, other.tenant.slug, str(other.tenant.id), *other.secrets}
            found = [v for v in values if v in text]
            if found:
                raise Leak(
                    f"{method} {url} as {town.tenant.slug} shows {other.tenant.slug}: {found}"
                )
        return response


def machine_for(harness: Harness) -> type[RuleBasedStateMachine]:
    towns = harness.towns
    which = st.integers(0, len(towns) - 1)
    pick = st.integers(0, 10_000)

    class Registry(RuleBasedStateMachine):
        """Three municipalities' people and appointments on one working day."""

        def __init__(self) -> None:
            super().__init__()
            self.day: date = next(harness.days)
            self.appts: list[list[Appt]] = [[] for _ in towns]

        # -- helpers ---------------------------------------------------------------------

        def at(self, slot: int, minutes: int) -> tuple[datetime, datetime]:
            start = datetime.combine(self.day, time(9, 0), tzinfo=ZONE) + timedelta(
                minutes=30 * (slot % SLOTS)
            )
            return start, start + timedelta(minutes=minutes)

        def holding(self, n: int, active: bool | None) -> int:
            """The `n`-th (modulo) tenant holding appointments (`active`: only those with
            active ones, or only those with cancelled ones), so no drawn step is wasted."""
            eligible = [
                k
                for k, appts in enumerate(self.appts)
                if any(active is None or a.active == active for a in appts)
            ]
            return eligible[n % len(eligible)]

        def clashes(self, i: int, staff: str, person: str, span: tuple[datetime, datetime]) -> bool:
            return any(
                a.active and {a.staff, a.person} & {staff, person} and _overlap(span, a)
                for a in self.appts[i]
            )

        def book(self, i: int, staff: str, person: str, span: tuple[datetime, datetime]) -> None:
            town = towns[i]
            expected = 409 if self.clashes(i, staff, person, span) else 201
            response = harness.call(
                town,
                "POST",
                "/appointments",
                json={
                    "service": SERVICE,
                    "mode": "in_person",
                    "staff_id": staff,
                    "beneficiary_id": person,
                    "start": span[0].isoformat(),
                    "end": span[1].isoformat(),
                },
            )
            assert response.status_code == expected, (
                f"booking {span[0]:%H:%M}-{span[1]:%H:%M}: expected {expected}, "
                f"got {response.status_code} {response.text[:300]}"
            )
            harness.saw(f"book {expected}")
            if expected == 409:
                assert response.json()["code"] == "conflict"
                return
            made = response.json()
            town.secrets.add(made["id"])
            self.appts[i].append(Appt(made["id"], staff, person, span[0], span[1]))

        # -- rules -------------------------------------------------------------------------

        @initialize()
        def fresh_day(self) -> None:
            """Nothing is booked on the example's day yet, in any municipality."""
            for i in range(len(towns)):
                self.check_day(i)
            harness.touched.clear()

        @initialize(slot=pick, minutes=st.sampled_from(DURATIONS))
        def opening_bookings(self, slot: int, minutes: int) -> None:
            """Each municipality starts the day with one booking and one cancelled one (other
            people), so the rules that cancel, rebook and reach across have work from the
            first step."""
            for i, town in enumerate(towns):
                self.book(i, town.staff[0], town.people[0], self.at(slot, minutes))
                self.book(i, town.staff[1], town.people[1], self.at(slot + 2, minutes))
                self.do_cancel(i, self.appts[i][-1])

        @rule(i=which, first=st.sampled_from(["Άννα", "Νίκος", "Ελένη", "Γιώργος"]))
        def register_person(self, i: int, first: str) -> None:
            town = towns[i]
            response = harness.call(
                town,
                "POST",
                "/beneficiaries",
                json={"first_name": first, "last_name": town.canary, "birth_date": "1961-04-12"},
            )
            assert response.status_code == 201, response.text
            town.people.append(response.json()["id"])
            town.secrets.add(response.json()["id"])

        @rule(i=which, s=pick, p=pick, slot=pick, minutes=st.sampled_from(DURATIONS))
        def book_appointment(self, i: int, s: int, p: int, slot: int, minutes: int) -> None:
            town = towns[i]
            self.book(
                i,
                town.staff[s % len(town.staff)],
                town.people[p % len(town.people)],
                self.at(slot, minutes),
            )

        @precondition(lambda self: any(a.active for appts in self.appts for a in appts))
        @rule(i=which, n=pick, same_staff=st.booleans(), shift=st.sampled_from([-30, 0, 30]))
        def book_over_a_booking(self, i: int, n: int, same_staff: bool, shift: int) -> None:
            """Someone already booked, at an overlapping time: a clash (the model says 409),
            unless the other participant is free and the times only touch."""
            i = self.holding(i, active=True)
            active = [a for a in self.appts[i] if a.active]
            old = active[n % len(active)]
            town = towns[i]
            others = [s for s in town.staff if s != old.staff] or town.staff
            people = [p for p in town.people if p != old.person] or town.people
            staff = old.staff if same_staff else others[n % len(others)]
            person = people[n % len(people)] if same_staff else old.person
            start = old.start + timedelta(minutes=shift)
            self.book(i, staff, person, (start, start + timedelta(minutes=30)))

        @precondition(lambda self: any(a.active for appts in self.appts for a in appts))
        @rule(i=which, n=pick)
        def cancel(self, i: int, n: int) -> None:
            i = self.holding(i, active=True)
            active = [a for a in self.appts[i] if a.active]
            self.do_cancel(i, active[n % len(active)])
            harness.saw("cancel")

        def do_cancel(self, i: int, appt: Appt) -> None:
            response = harness.call(
                towns[i], "POST", f"/appointments/{appt.id}/cancel", json={"reason": "Ακύρωση"}
            )
            assert response.status_code == 200, response.text
            assert response.json()["cancelled"] == [appt.id]
            appt.active = False

        @precondition(lambda self: any(not a.active for appts in self.appts for a in appts))
        @rule(i=which, n=pick)
        def rebook_a_cancelled_slot(self, i: int, n: int) -> None:
            """The same people at the same time: the cancelled booking must not block it."""
            i = self.holding(i, active=False)
            cancelled = [a for a in self.appts[i] if not a.active]
            old = cancelled[n % len(cancelled)]
            harness.saw("rebook")
            self.book(i, old.staff, old.person, (old.start, old.end))

        @rule(i=which, j=which, n=pick, what=st.sampled_from(OBSERVATIONS))
        def observe(self, i: int, j: int, n: int, what: str) -> None:
            """Read what tenant `i` shows: one rule for every read, so that writes and reads
            are drawn about equally often."""
            if what == "search":
                self.search_people(i, j, n)
            elif what == "appointments report":
                self.appointments_report(i)
            elif what == "people report":
                self.people_report(i)
            elif self.appts[i]:
                self.read_appointment(i, n)

        def read_appointment(self, i: int, n: int) -> None:
            appt = self.appts[i][n % len(self.appts[i])]
            response = harness.call(towns[i], "GET", f"/appointments/{appt.id}")
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["status"] == ("scheduled" if appt.active else "cancelled")
            assert body["staff_ids"] == [appt.staff] and body["beneficiary_ids"] == [appt.person]

        def search_people(self, i: int, j: int, n: int) -> None:
            """By a municipality's canary surname: its own people, or nothing at all."""
            canary = towns[j].canary
            query = canary if n % 2 else canary.lower()
            found: list[str] = []
            cursor = ""
            while True:  # every page: people persist across runs (and many when shrinking)
                response = harness.call(
                    towns[i], "GET", f"/beneficiaries?q={query}&limit=200{cursor}"
                )
                assert response.status_code == 200, response.text
                found += [p["id"] for p in response.json()["items"]]
                if not response.json()["next_cursor"]:
                    break
                cursor = f"&cursor={quote(response.json()['next_cursor'])}"
            found.sort()
            assert found == (sorted(towns[i].people) if i == j else [])
            harness.saw("search own" if i == j else "search other")

        def appointments_report(self, i: int) -> None:
            day = self.day.isoformat()
            response = harness.call(
                towns[i],
                "GET",
                f"/reports/core.appointments?format=json&start={day}&end={day}",
            )
            assert response.status_code == 200, response.text
            rows = response.json()["rows"]
            cancelled = t("scheduling.status.cancelled", "en")
            assert sum(r["count"] for r in rows) == len(self.appts[i])
            assert sum(r["count"] for r in rows if r["status"] == cancelled) == sum(
                1 for a in self.appts[i] if not a.active
            )
            harness.saw("report")

        def people_report(self, i: int) -> None:
            response = harness.call(
                towns[i], "GET", "/reports/core.beneficiaries_by_sex_age?format=json"
            )
            assert response.status_code == 200, response.text
            assert sum(r["count"] for r in response.json()["rows"]) == len(towns[i].people)
            harness.saw("report")

        @precondition(lambda self: any(self.appts))
        @rule(i=which, j=which, n=pick)
        def reach_into_another_municipality(self, i: int, j: int, n: int) -> None:
            """A's user with B's ids: read, cancel and book all answer 404, and change nothing
            (the invariant re-reads B's day)."""
            j = self.holding(j, active=None)
            if i == j:
                i = (i + 1) % len(towns)
            harness.saw("cross-tenant")
            harness.touched.add(j)  # the invariant re-reads B's day after the attempt
            appt = self.appts[j][n % len(self.appts[j])]
            town = towns[i]
            read = harness.call(town, "GET", f"/appointments/{appt.id}")
            assert read.status_code == 404, read.text
            person = harness.call(town, "GET", f"/beneficiaries/{appt.person}")
            assert person.status_code == 404, person.text
            cancel = harness.call(
                town, "POST", f"/appointments/{appt.id}/cancel", json={"reason": "Ξένο"}
            )
            assert cancel.status_code == 404, cancel.text
            start, end = self.at(n, 30)
            booked = harness.call(
                town,
                "POST",
                "/appointments",
                json={
                    "service": SERVICE,
                    "mode": "in_person",
                    "staff_id": town.staff[0],
                    "beneficiary_id": appt.person,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                },
            )
            assert booked.status_code in (404, 422), booked.text

        # -- invariants ----------------------------------------------------------------------

        def check_day(self, i: int) -> None:
            day = self.day.isoformat()
            end = (self.day + timedelta(days=1)).isoformat()
            response = harness.call(
                towns[i], "GET", f"/appointments?start={day}&end={end}&limit=200"
            )
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            listed = {a["id"]: a["status"] for a in items}
            model = {a.id: ("scheduled" if a.active else "cancelled") for a in self.appts[i]}
            assert listed == model, f"{towns[i].tenant.slug}: listed {listed}, model {model}"
            busy: dict[str, list[tuple[datetime, datetime]]] = {}
            for a in items:
                if a["status"] == "cancelled":
                    continue
                span = (datetime.fromisoformat(a["start"]), datetime.fromisoformat(a["end"]))
                for who in [*a["staff_ids"], *a["beneficiary_ids"]]:
                    for other in busy.get(who, []):
                        assert not (span[0] < other[1] and other[0] < span[1]), (
                            f"double booking of {who}: {span} and {other}"
                        )
                    busy.setdefault(who, []).append(span)

        @invariant()
        def touched_days_match_the_model(self) -> None:
            """After every step, the day of every tenant the step acted as or aimed at."""
            touched, harness.touched = sorted(harness.touched), set()
            for i in touched:
                self.check_day(i)
            harness.touched.clear()  # the checks' own requests

        def teardown(self) -> None:
            """And every tenant's day at the end of each run, touched or not."""
            for i in range(len(towns)):
                self.check_day(i)
            harness.touched.clear()

    return Registry


async def _town(client: Any, n: int) -> Town:
    tenant = await make_tenant([], prefix=f"sm{n}")
    user = await make_staff(tenant, ROLES)
    canary = "Kanarini" + "".join(secrets.choice("qwxzjkv") for _ in range(10))
    town = Town(tenant, user, canary, staff=[])
    for k in range(2):
        member = await make_staff(tenant, ["social_worker"])
        response = await client.post(
            f"{tenant.api}/staff",
            json={
                "profession": "social_worker",
                "user_id": str(member.user_id),
                "display_name": f"{canary} {k}",
            },
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        town.staff.append(response.json()["id"])
    for first in ("Μαρία", "Κώστας"):
        response = await client.post(
            f"{tenant.api}/beneficiaries",
            json={"first_name": first, "last_name": canary, "birth_date": "1958-09-30"},
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        town.people.append(response.json()["id"])
    town.secrets.update(town.staff + town.people + [str(user.user_id)])
    return town


async def test_three_municipalities_keep_their_invariants(client: Any) -> None:
    towns = [await _town(client, n) for n in range(TENANTS)]
    first = date.today() + timedelta(days=45)
    closed: set[date] = set()
    for year in range(first.year, first.year + 4):
        response = await client.get(
            f"{towns[0].api}/holidays?year={year}", headers=towns[0].headers
        )
        assert response.status_code == 200, response.text
        closed.update(date.fromisoformat(h["date"]) for h in response.json()["items"])
    harness = Harness(client, towns, _working_days(first, closed))
    machine = machine_for(harness)

    def run() -> None:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=MAX_EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )

    await anyio.to_thread.run_sync(run)
    # The run exercised what the invariants are about (derandomised: the same every time).
    print(f"state machine: {harness.requests} requests, {sorted(harness.seen.items())}")
    assert harness.requests > MAX_EXAMPLES * STEPS
    for what in (
        "book 201",
        "book 409",
        "cancel",
        "rebook",
        "cross-tenant",
        "search other",
        "report",
    ):
        assert harness.seen.get(what, 0) >= 2, (what, harness.seen)
