"""Case notes: the only writer of `case_note` and `case_note_reader`.

Bodies are encrypted with the tenant's key (`core.crypto`) before they reach the table and
decrypted only for a reader the rules allow. A note the user may not read does not exist for
them: 404 on its id, absent from lists. Every read is audited (ids only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

from core.audit.writer import record
from core.casework.rules import RESTRICTED, can_read_note
from core.casework.schemas import NoteCreate, NoteUpdate
from core.casework.tables import CaseNote, CaseNoteReader
from core.crypto import decrypt, encrypt
from core.errors import Forbidden, NotFound, RequestValidationError
from core.pagination import keyset
from tenants.scoping import current_tenant_id
from tenants.tables import Membership

if TYPE_CHECKING:
    from core.context import RequestContext

# Roles that are not professions a note can be restricted to.
NOT_PROFESSIONS = frozenset({"consortium_admin", "tenant_admin", "reception", "volunteer"})


def _now() -> datetime:
    return datetime.now(UTC)


async def _audit(
    actor: Any, action: str, object_id: Any, details: dict[str, Any] | None = None
) -> None:
    await record(cast("RequestContext", actor), action, "case_note", object_id, details=details)


BODY = "case_note.body"  # the purpose the body is bound to (AES-GCM associated data)


async def _seal(text: str) -> str:
    return await encrypt(text, BODY) or ""


async def _open(token: str) -> str:
    return await decrypt(token, BODY) or ""


class Viewer:
    """Who reads: a user id and their roles in the tenant."""

    def __init__(self, user_id: UUID, roles: frozenset[str]) -> None:
        self.user_id = user_id
        self.roles = roles

    @classmethod
    def of(cls, actor: Any) -> Viewer:
        return cls(actor.user_id, frozenset(getattr(actor, "roles", ()) or ()))


# -- reading ----------------------------------------------------------------------------------


async def _readers(note_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    if not note_ids:
        return {}
    rows = await CaseNoteReader.select(CaseNoteReader.note_id, CaseNoteReader.user_id).where(
        CaseNoteReader.note_id.is_in(note_ids)
    )
    out: dict[UUID, list[UUID]] = {}
    for r in rows:
        out.setdefault(r["note_id"], []).append(r["user_id"])
    return out


async def _visible_row(viewer: Viewer, note_id: UUID) -> tuple[dict[str, Any], list[UUID]]:
    row = await CaseNote.select().where(CaseNote.id == note_id).first()
    if row is None:
        raise NotFound()
    named = (await _readers([note_id])).get(note_id, [])
    return _readable(viewer, row, named), named


async def _out(row: dict[str, Any], named: list[UUID]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "author_id": row["author_id"],
        "note_date": row["note_date"],
        "confidentiality": row["confidentiality"],
        "profession": row["profession"],
        "named_user_ids": sorted(named, key=str),
        "body": await _open(row["body"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


async def read_note(actor: Any, note_id: UUID) -> dict[str, Any]:
    """One note the actor may read (404 otherwise); the read is audited."""
    row, named = await _visible_row(Viewer.of(actor), note_id)
    await _audit(actor, "read", note_id, {"person_id": str(row["person_id"])})
    return await _out(row, named)


async def list_notes(
    actor: Any, person_id: UUID, *, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The person's notes this actor may read, newest first; restricted ones the actor may
    not read are left out by the query itself (pages stay full)."""
    from core.beneficiaries.services import person_exists

    if not await person_exists(person_id):
        raise NotFound()
    viewer = Viewer.of(actor)
    visible = (CaseNote.confidentiality == "normal") | (CaseNote.author_id == viewer.user_id)
    professions = sorted(viewer.roles)
    if professions:
        visible = visible | (
            (CaseNote.confidentiality == "profession") & CaseNote.profession.is_in(professions)
        )
    named_notes = [
        r["id"]
        for r in await CaseNote.select(CaseNote.id).where(
            (CaseNote.person_id == person_id) & (CaseNote.confidentiality == "named")
        )
    ]
    if named_notes:
        mine = [
            r["note_id"]
            for r in await CaseNoteReader.select(CaseNoteReader.note_id).where(
                CaseNoteReader.note_id.is_in(named_notes)
                & (CaseNoteReader.user_id == viewer.user_id)
            )
        ]
        if mine:
            visible = visible | ((CaseNote.confidentiality == "named") & CaseNote.id.is_in(mine))
    query = CaseNote.select().where((CaseNote.person_id == person_id) & visible)
    rows, next_cursor = await keyset(
        query,
        sort=CaseNote.created_at,
        id_column=CaseNote.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    readers = await _readers([r["id"] for r in rows])
    items = []
    for row in rows:
        named = readers.get(row["id"], [])
        # The query already filters; the rule is checked again so the two can never drift.
        if can_read_note(row, viewer.user_id, viewer.roles, named):
            items.append(await _out(row, named))
    await _audit(
        actor, "read", "", {"person_id": str(person_id), "ids": [str(i["id"]) for i in items]}
    )
    return items, next_cursor


# -- writing ----------------------------------------------------------------------------------


async def _default_profession(actor: Any) -> str | None:
    """The author's profession: their staff profile's, when they hold that role, else their
    only professional role."""
    from core.staff.services import staff_for_user

    roles = frozenset(getattr(actor, "roles", ()) or ())
    profile = await staff_for_user(actor.user_id)
    if profile and profile["profession"] in roles:
        return str(profile["profession"])
    professional = sorted(roles - NOT_PROFESSIONS)
    return professional[0] if len(professional) == 1 else None


async def _check_named(actor: Any, user_ids: list[UUID]) -> list[UUID]:
    """Named colleagues must be members of this tenant (another tenant's user: 404)."""
    unique = [u for u in dict.fromkeys(user_ids) if u != actor.user_id]
    if unique:
        rows = await Membership.select(Membership.user_id).where(
            (Membership.tenant_id == current_tenant_id())
            & Membership.user_id.is_in(unique)
            & (Membership.active == True)  # noqa: E712
        )
        if len({r["user_id"] for r in rows}) != len(unique):
            raise NotFound()
    return unique


async def _resolve_level(
    actor: Any, level: str, profession: str | None, named_user_ids: list[UUID] | None
) -> tuple[str | None, list[UUID]]:
    """(profession, named readers) for a note of this level, validated."""
    if profession is not None and level != "profession":
        raise RequestValidationError.single("profession", "profession_only_for_profession_level")
    if named_user_ids and level != "named":
        raise RequestValidationError.single("named_user_ids", "named_only_for_named_level")
    if level == "profession":
        roles = frozenset(getattr(actor, "roles", ()) or ())
        profession = profession or await _default_profession(actor)
        if profession is None:
            raise RequestValidationError.single("profession", "profession_required")
        if profession not in roles or profession in NOT_PROFESSIONS:
            raise RequestValidationError.single(
                "profession", "profession_not_held", profession=profession
            )
        return profession, []
    if level == "named":
        return None, await _check_named(actor, named_user_ids or [])
    return None, []


async def _set_readers(note_id: UUID, user_ids: list[UUID]) -> None:
    await CaseNoteReader.delete().where(CaseNoteReader.note_id == note_id)
    await _add_readers(note_id, user_ids)


async def _add_readers(note_id: UUID, user_ids: list[UUID]) -> None:
    if user_ids:
        await CaseNoteReader.insert(
            *[CaseNoteReader(id=uuid4(), note_id=note_id, user_id=u) for u in user_ids]
        )


def _readable(viewer: Viewer, row: dict[str, Any], named: list[UUID]) -> dict[str, Any]:
    """The row, if this viewer may read it (404 otherwise, as for a note they cannot see)."""
    if not can_read_note(row, viewer.user_id, viewer.roles, named):
        raise NotFound()
    return row


async def create_note(actor: Any, person_id: UUID, data: NoteCreate) -> dict[str, Any]:
    from core.beneficiaries.services import person_exists

    if not await person_exists(person_id):
        raise NotFound()
    profession, named = await _resolve_level(
        actor, data.confidentiality, data.profession, data.named_user_ids
    )
    now = _now()
    note_id = uuid4()
    written = await CaseNote.insert(
        CaseNote(
            id=note_id,
            person_id=person_id,
            author_id=actor.user_id,
            note_date=data.note_date or now.date(),
            confidentiality=data.confidentiality,
            profession=profession,
            body=await _seal(data.body),
            created_at=now,
            updated_at=now,
        )
    ).returning(*CaseNote.all_columns())
    await _add_readers(note_id, named)
    await _audit(
        actor,
        "create",
        note_id,
        {"person_id": str(person_id), "confidentiality": data.confidentiality},
    )
    # Answered from what was written (INSERT ... RETURNING), not read back.
    return await _out(_readable(Viewer.of(actor), dict(written[0]), named), named)


async def update_note(actor: Any, note_id: UUID, data: NoteUpdate) -> dict[str, Any]:
    """Only the author changes a note (403 for a colleague who may read it, 404 for others)."""
    row, named = await _visible_row(Viewer.of(actor), note_id)
    if row["author_id"] != actor.user_id:
        raise Forbidden("not_note_author")
    sent = data.model_fields_set
    for name in ("body", "note_date", "confidentiality"):
        if name in sent and getattr(data, name) is None:
            raise RequestValidationError.single(name, "required_not_null")
    values: dict[Any, Any] = {CaseNote.updated_at: _now()}
    if data.body is not None:
        values[CaseNote.body] = await _seal(data.body)
    if data.note_date is not None:
        values[CaseNote.note_date] = data.note_date
    level = data.confidentiality or row["confidentiality"]
    level_changed = bool({"confidentiality", "profession", "named_user_ids"} & sent)
    if level_changed:
        profession = (
            data.profession
            if "profession" in sent
            else (row["profession"] if level == row["confidentiality"] == "profession" else None)
        )
        readers = (
            data.named_user_ids
            if "named_user_ids" in sent
            else (named if level == row["confidentiality"] == "named" else [])
        )
        profession, named = await _resolve_level(actor, level, profession, readers)
        values[CaseNote.confidentiality] = level
        values[CaseNote.profession] = profession
        await _set_readers(note_id, named)
    written = (
        await CaseNote.update(values)
        .where(CaseNote.id == note_id)
        .returning(*CaseNote.all_columns())
    )
    await _audit(
        actor, "update", note_id, {"person_id": str(row["person_id"]), "confidentiality": level}
    )
    return await _out(_readable(Viewer.of(actor), dict(written[0]), named), named)


# -- one person's data (export, erasure, merge) ------------------------------------------------


async def export_notes(person_id: UUID) -> tuple[list[dict[str, Any]], int]:
    """The person's `normal` notes with their text, and how many restricted ones were
    withheld (clinical and process notes are excluded from subject-access exports where the
    law allows; FACTS 6.3 and 8)."""
    rows = (
        await CaseNote.select().where(CaseNote.person_id == person_id).order_by(CaseNote.note_date)
    )
    shown = []
    withheld = 0
    for row in rows:
        if row["confidentiality"] in RESTRICTED:
            withheld += 1
            continue
        shown.append(
            {
                "id": str(row["id"]),
                "note_date": row["note_date"].isoformat(),
                "body": await _open(row["body"]),
                "created_at": row["created_at"].isoformat(),
            }
        )
    return shown, withheld


async def erase_notes(person_id: UUID) -> int:
    ids = [
        r["id"] for r in await CaseNote.select(CaseNote.id).where(CaseNote.person_id == person_id)
    ]
    if ids:
        await CaseNoteReader.delete().where(CaseNoteReader.note_id.is_in(ids))
        await CaseNote.delete().where(CaseNote.person_id == person_id)
    return len(ids)
