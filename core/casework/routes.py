"""HTTP routes of casework: a person's consents and case notes.

Consents: `consents.read` / `consents.write` (staff). Notes: reading needs
`beneficiaries.read`, writing `notes.write` (professional roles); which notes a user sees is
decided per note (`core.casework.rules`), and a note they may not see answers 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.casework import consent, notes
from core.casework.schemas import (
    ConsentCreate,
    ConsentOut,
    ConsentPage,
    NoteCreate,
    NoteOut,
    NotePage,
    NoteUpdate,
    Purpose,
)
from core.context import RequestContext
from core.staff.http import BODY_ERRORS

Ctx = NamedDependency[RequestContext]
CONSENT_TAGS = ["consents"]
NOTE_TAGS = ["case notes"]


@get(
    "/beneficiaries/{person_id:uuid}/consents",
    tags=CONSENT_TAGS,
    summary="A person's consent records",
    description="Newest first; `purpose` filters.",
)
async def list_consents(
    ctx: Ctx,
    person_id: FromPath[UUID],
    purpose: FromQuery[Purpose | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> ConsentPage:
    ctx.require("consents.read")
    rows, next_cursor = await consent.list_consents(
        ctx, person_id, purpose=purpose, limit=limit, cursor=cursor
    )
    return ConsentPage(items=[ConsentOut(**r) for r in rows], next_cursor=next_cursor)


@post(
    "/beneficiaries/{person_id:uuid}/consents",
    tags=CONSENT_TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Record a consent",
    description="`document_id` (optional) is the signed form, a document of this person.",
)
async def record_consent(
    ctx: Ctx, person_id: FromPath[UUID], data: JSONBody[ConsentCreate]
) -> ConsentOut:
    ctx.require("consents.write")
    return ConsentOut(**await consent.record_consent(ctx, person_id, data))


@get("/consents/{consent_id:uuid}", tags=CONSENT_TAGS, summary="Read a consent record")
async def read_consent(ctx: Ctx, consent_id: FromPath[UUID]) -> ConsentOut:
    ctx.require("consents.read")
    return ConsentOut(**await consent.read_consent(ctx, consent_id))


@post(
    "/consents/{consent_id:uuid}/withdraw",
    tags=CONSENT_TAGS,
    status_code=200,
    summary="Withdraw a consent",
    description="409 `consent_already_withdrawn` when it already was. The record stays as "
    "proof of what was agreed and when.",
)
async def withdraw_consent(ctx: Ctx, consent_id: FromPath[UUID]) -> ConsentOut:
    ctx.require("consents.write")
    return ConsentOut(**await consent.withdraw_consent(ctx, consent_id))


@get(
    "/beneficiaries/{person_id:uuid}/notes",
    tags=NOTE_TAGS,
    summary="A person's case notes",
    description="Only the notes the user may read, newest first. Every read is audited.",
)
async def list_notes(
    ctx: Ctx,
    person_id: FromPath[UUID],
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> NotePage:
    ctx.require("beneficiaries.read")
    rows, next_cursor = await notes.list_notes(ctx, person_id, limit=limit, cursor=cursor)
    return NotePage(items=[NoteOut(**r) for r in rows], next_cursor=next_cursor)


@post(
    "/beneficiaries/{person_id:uuid}/notes",
    tags=NOTE_TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Write a case note",
    description="`confidentiality`: `normal` (staff who read the registry), `profession` "
    "(holders of `profession`, by default the author's), `named` (the author and "
    "`named_user_ids`). The body is stored encrypted.",
)
async def create_note(ctx: Ctx, person_id: FromPath[UUID], data: JSONBody[NoteCreate]) -> NoteOut:
    ctx.require("notes.write")
    return NoteOut(**await notes.create_note(ctx, person_id, data))


@get(
    "/notes/{note_id:uuid}",
    tags=NOTE_TAGS,
    summary="Read a case note",
    description="404 for a note the user may not read. Audited.",
)
async def read_note(ctx: Ctx, note_id: FromPath[UUID]) -> NoteOut:
    ctx.require("beneficiaries.read")
    return NoteOut(**await notes.read_note(ctx, note_id))


@patch(
    "/notes/{note_id:uuid}",
    tags=NOTE_TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Change a case note (its author only)",
    description="Only the fields sent change; 403 `not_note_author` for a colleague who "
    "may read it.",
)
async def update_note(ctx: Ctx, note_id: FromPath[UUID], data: JSONBody[NoteUpdate]) -> NoteOut:
    ctx.require("notes.write")
    return NoteOut(**await notes.update_note(ctx, note_id, data))


ROUTES: list[Any] = [
    list_consents,
    record_consent,
    read_consent,
    withdraw_consent,
    list_notes,
    create_note,
    read_note,
    update_note,
]
