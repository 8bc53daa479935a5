"""Free text about people is ciphertext at rest: every `EncryptedText` column of the module,
read straight from the table, holds `enc:v1:` and never the words; the API gives them back.
Text written in plaintext by earlier versions is encrypted by the "seal plaintext" data
migration (school actions move out of their JSON column), and reads the same after it."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from core import db
from core.api import EncryptedText
from core.plugin_host import get_host
from core.testing import make_staff
from plugins.roma_branch.tables import (
    TENANT_TABLES,
    Accompaniment,
    Application,
    Followup,
    Mediation,
    Reception,
    SchoolAction,
    SchoolRecord,
)
from tenants.resolution import resolve_tenant
from tenants.scoping import tenant_context
from tests.plugins.roma_branch.helpers import World, make_world


@asynccontextmanager
async def in_tenant(tenant_id: UUID) -> AsyncIterator[None]:
    """Direct queries as one tenant (scoping and, on PostgreSQL, row-level security)."""
    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            yield


async def raw(w: World, table: Any, column: str, record_id: Any) -> str:
    async with in_tenant(w.tenant.id):
        row = await table.select(getattr(table, column)).where(table.id == record_id).first()
    assert row is not None
    return str(row[column])


async def post(client: Any, w: World, staff: Any, path: str, body: dict[str, Any]) -> Any:
    r = await client.post(w.url(path), json=body, headers=staff.headers)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def test_every_encrypted_column_holds_ciphertext_and_reads_back(client: Any) -> None:
    w = await make_world(client)
    officer = await make_staff(w.tenant, ["employment_officer"])
    texts = {
        "reception": "Ζητά βοήθεια για θεραπεία του παιδιού",
        "application": "Η μητέρα είναι άρρωστη",
        "accompaniment": "Εξετάσεις στο νοσοκομείο",
        "mediation": "Δεν έχει δίπλωμα λόγω υγείας",
        "followup": "Αποχώρησε λόγω εγκυμοσύνης",
        "follow_up": "Ραντεβού με παιδίατρο για τον διαβήτη",
        "purpose": "Επιτροπή πιστοποίησης αναπηρίας",
        "school_action": "Λείπει λόγω άσθματος",
    }
    reception = await post(
        client,
        w,
        w.worker,
        "/reception",
        {
            "person_id": str(w.person),
            "visited_on": "2026-02-02",
            "request_type": "health",
            "outcome": "assisted",
            "notes": texts["reception"],
            "follow_up": texts["follow_up"],
        },
    )
    assert reception["notes"] == texts["reception"]
    assert reception["follow_up"] == texts["follow_up"]
    application = await post(
        client,
        w,
        w.worker,
        "/applications",
        {
            "person_id": str(w.person),
            "benefit": "housing",
            "adults": 1,
            "notes": texts["application"],
        },
    )
    staff = await client.post(
        f"{w.tenant.api}/staff",
        json={"profession": "roma_mediator", "user_id": str(w.mediator.user_id)},
        headers=w.admin.headers,
    )
    assert staff.status_code == 201, staff.text
    accompaniment = await post(
        client,
        w,
        w.mediator,
        "/accompaniments",
        {
            "person_id": str(w.person),
            "agency": "opeka",
            "purpose": texts["purpose"],
            "start": "2027-03-02T10:00:00+02:00",
            "mediator_staff_id": staff.json()["id"],
        },
    )
    assert accompaniment["purpose"] == texts["purpose"]
    r = await client.patch(
        w.url(f"/accompaniments/{accompaniment['id']}"),
        json={"status": "done", "outcome": "completed", "outcome_notes": texts["accompaniment"]},
        headers=w.mediator.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["outcome_notes"] == texts["accompaniment"]
    seeker = await post(
        client,
        w,
        officer,
        "/job-seekers",
        {"person_id": str(w.person), "education": "isced_1_2", "skills": ["αποθήκη"]},
    )
    employer = await post(client, w, officer, "/employers", {"name": "Μαστιχοπαραγωγική"})
    vacancy = await post(
        client, w, officer, "/vacancies", {"employer_id": employer["id"], "title": "Αποθήκη"}
    )
    mediation = await post(
        client,
        w,
        officer,
        "/mediations",
        {
            "seeker_id": seeker["id"],
            "vacancy_id": vacancy["id"],
            "step": "proposed",
            "step_on": "2026-03-01",
            "notes": texts["mediation"],
        },
    )
    assert mediation["notes"] == texts["mediation"]
    # The longest note the form allows fits once encrypted (PostgreSQL: no VARCHAR(1000) left).
    longest = ("Σημείωση " * 120)[:1000]
    long_one = await post(
        client,
        w,
        officer,
        "/mediations",
        {
            "seeker_id": seeker["id"],
            "vacancy_id": vacancy["id"],
            "step": "cv_sent",
            "step_on": "2026-03-02",
            "notes": longest,
        },
    )
    assert long_one["notes"] == longest
    listed = await client.get(
        w.url("/mediations"), params={"seeker_id": seeker["id"]}, headers=officer.headers
    )
    assert sorted(m["notes"] for m in listed.json()["items"]) == sorted(
        [texts["mediation"], longest]
    )
    placement = await post(
        client,
        w,
        officer,
        "/placements",
        {"seeker_id": seeker["id"], "employer_id": employer["id"], "start_date": "2026-01-31"},
    )
    recorded = await post(
        client,
        w,
        officer,
        f"/placements/{placement['id']}/followups/1",
        {"done_on": "2026-03-02", "still_employed": False, "notes": texts["followup"]},
    )
    assert [f["notes"] for f in recorded["followups"]] == [texts["followup"], "", ""]
    got = await client.get(w.url(f"/placements/{placement['id']}"), headers=officer.headers)
    assert got.json()["followups"][0]["notes"] == texts["followup"]
    followup_id = recorded["followups"][0]["id"]
    school = await post(
        client,
        w,
        w.pedagogue,
        "/school-records",
        {"child_id": str(w.child), "school_year": "2025-2026", "enrolment_status": "enrolled"},
    )
    school = await post(
        client,
        w,
        w.pedagogue,
        f"/school-records/{school['id']}/actions",
        {"on": "2026-02-03", "action": "home_visit", "notes": texts["school_action"]},
    )
    assert [a["notes"] for a in school["actions"]] == [texts["school_action"]]

    # Straight from the tables: ciphertext, never the words, in every encrypted column.
    checked = {
        (Reception, "notes_sealed"): (reception["id"], texts["reception"]),
        (Application, "notes_sealed"): (application["id"], texts["application"]),
        (Accompaniment, "outcome_notes_sealed"): (accompaniment["id"], texts["accompaniment"]),
        (Mediation, "notes"): (mediation["id"], texts["mediation"]),
        (Followup, "notes"): (followup_id, texts["followup"]),
        (Reception, "follow_up"): (reception["id"], texts["follow_up"]),
        (Accompaniment, "purpose"): (accompaniment["id"], texts["purpose"]),
        (SchoolAction, "notes"): (school["actions"][0]["id"], texts["school_action"]),
    }
    for (table, column), (record_id, text) in checked.items():
        stored = await raw(w, table, column, UUID(str(record_id)))
        assert stored.startswith("enc:v1:"), (column, stored[:20])
        assert text not in stored and text.split()[0] not in stored
    # A new encrypted column of the module must be added to this check.
    declared = {
        (table, column._meta.name)
        for table in TENANT_TABLES
        for column in table._meta.columns
        if isinstance(column, EncryptedText)
    }
    assert declared == set(checked)

    # The person's GDPR export (merimna_export_person) opens them too.
    info = await resolve_tenant(w.tenant.slug)
    assert info is not None
    async with in_tenant(w.tenant.id):
        exported = (await get_host().for_tenant(info.modules).export_person(info.ref, w.person))[
            "roma_branch"
        ]
    assert sorted(m["notes"] for m in exported["mediations"]) == sorted(
        [texts["mediation"], longest]
    )
    assert exported["placements"][0]["followups"][0]["notes"] == texts["followup"]
    assert "enc:v1:" not in repr(exported)


SEAL = importlib.import_module(
    "plugins.roma_branch.piccolo_migrations.roma_branch_2026_11_23t13_44_04_672096"
)


async def test_the_data_migration_seals_plaintext_and_moves_school_actions(client: Any) -> None:
    """Rows written in plaintext before (notes of mediations and follow-ups, a reception's
    follow-up, an accompaniment's purpose, school actions in a JSON column) read the same
    through the API before and after `merimna migrate` runs the "seal plaintext" step, which
    leaves ciphertext only, once (running it again changes nothing), in this tenant only."""
    w = await make_world(client)
    other = await make_world(client)
    officer = await make_staff(w.tenant, ["employment_officer"])
    seeker = await post(
        client, w, officer, "/job-seekers", {"person_id": str(w.person), "education": "none"}
    )
    employer = await post(client, w, officer, "/employers", {"name": "Συνεταιρισμός"})
    vacancy = await post(
        client, w, officer, "/vacancies", {"employer_id": employer["id"], "title": "Συσκευασία"}
    )
    mediation = await post(
        client,
        w,
        officer,
        "/mediations",
        {
            "seeker_id": seeker["id"],
            "vacancy_id": vacancy["id"],
            "step": "proposed",
            "step_on": "2026-03-01",
        },
    )
    assert await raw(w, Mediation, "notes", UUID(mediation["id"])) == ""  # empty stays empty
    placement = await post(
        client,
        w,
        officer,
        "/placements",
        {"seeker_id": seeker["id"], "employer_id": employer["id"], "start_date": "2026-01-31"},
    )
    first = UUID(str(placement["followups"][0]["id"]))
    reception = await post(
        client,
        w,
        w.worker,
        "/reception",
        {"visited_on": "2026-02-02", "request_type": "health", "outcome": "pending"},
    )
    school = await post(
        client,
        w,
        w.pedagogue,
        "/school-records",
        {"child_id": str(w.child), "school_year": "2025-2026", "enrolment_status": "enrolled"},
    )
    other_reception = await post(
        client,
        other,
        other.worker,
        "/reception",
        {"visited_on": "2026-02-02", "request_type": "health", "outcome": "pending"},
    )
    legacy_actions = [
        {"on": "2026-01-10", "action": "home_visit", "notes": "Παλιά: άρρωστη μητέρα", "by": ""},
        {"on": "2026-01-20", "action": "tutoring", "notes": "", "by": str(w.pedagogue.user_id)},
    ]
    async with in_tenant(w.tenant.id):
        await Mediation.update({Mediation.notes: "Παλιά σημείωση"}).where(
            Mediation.id == UUID(mediation["id"])
        )
        await Followup.update({Followup.notes: "Παλιά παρακολούθηση"}).where(Followup.id == first)
        await Reception.update({Reception.follow_up: "Παλιά συνέχεια"}).where(
            Reception.id == UUID(reception["id"])
        )
        await SchoolRecord.update({SchoolRecord.actions: legacy_actions}).where(
            SchoolRecord.id == UUID(school["id"])
        )
    async with in_tenant(other.tenant.id):
        await Reception.update({Reception.follow_up: "Άλλου δήμου"}).where(
            Reception.id == UUID(other_reception["id"])
        )

    async def read_all() -> dict[str, Any]:
        med = await client.get(
            w.url("/mediations"), params={"vacancy_id": vacancy["id"]}, headers=officer.headers
        )
        plc = await client.get(w.url(f"/placements/{placement['id']}"), headers=officer.headers)
        rec = await client.get(w.url(f"/reception/{reception['id']}"), headers=w.worker.headers)
        return {
            "mediation": [m["notes"] for m in med.json()["items"]],
            "followup": plc.json()["followups"][0]["notes"],
            "follow_up": rec.json()["follow_up"],
        }

    before = await read_all()
    assert before == {
        "mediation": ["Παλιά σημείωση"],
        "followup": "Παλιά παρακολούθηση",
        "follow_up": "Παλιά συνέχεια",
    }
    assert await SEAL.seal_plaintext([w.tenant.id]) == 1
    assert await read_all() == before
    stored = {
        "mediation": await raw(w, Mediation, "notes", UUID(mediation["id"])),
        "followup": await raw(w, Followup, "notes", first),
        "follow_up": await raw(w, Reception, "follow_up", UUID(reception["id"])),
    }
    for value in stored.values():
        assert value.startswith("enc:v1:") and "Παλιά" not in value
    got = await client.get(w.url(f"/school-records/{school['id']}"), headers=w.pedagogue.headers)
    assert [(a["on"], a["action"], a["notes"], a["by"]) for a in got.json()["actions"]] == [
        ("2026-01-10", "home_visit", "Παλιά: άρρωστη μητέρα", ""),
        ("2026-01-20", "tutoring", "", str(w.pedagogue.user_id)),
    ]
    async with in_tenant(w.tenant.id):
        record = (
            await SchoolRecord.select(SchoolRecord.actions)
            .where(SchoolRecord.id == UUID(school["id"]))
            .first()
            .output(load_json=True)
        )
        actions = await SchoolAction.select(SchoolAction.notes).where(
            SchoolAction.school_record_id == UUID(school["id"])
        )
    assert record is not None and record["actions"] == []
    assert sorted(bool(a["notes"]) for a in actions) == [False, True]
    assert all(a["notes"].startswith("enc:v1:") for a in actions if a["notes"])
    # Idempotent: a second run finds nothing left to do.
    assert await SEAL.seal_plaintext([w.tenant.id]) == 1
    assert await raw(w, Mediation, "notes", UUID(mediation["id"])) == stored["mediation"]
    got = await client.get(w.url(f"/school-records/{school['id']}"), headers=w.pedagogue.headers)
    assert len(got.json()["actions"]) == 2
    # Another tenant's rows were not touched by a run for this one.
    assert await raw(other, Reception, "follow_up", UUID(other_reception["id"])) == "Άλλου δήμου"
    # Rewriting a note seals it as any new note is.
    await post(
        client,
        w,
        officer,
        f"/placements/{placement['id']}/followups/1",
        {"done_on": "2026-03-02", "still_employed": True, "notes": "Νέα σημείωση"},
    )
    stored_new = await raw(w, Followup, "notes", first)
    assert stored_new.startswith("enc:v1:") and "Νέα" not in stored_new
