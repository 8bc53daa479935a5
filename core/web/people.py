"""People pages: as-you-type search, the person's page, the intake form and editing.

Every read and write goes through the services of the core areas (beneficiaries, casework,
referrals, scheduling), which scope to the tenant and audit; these handlers only translate
between forms and those services. The intake form is rendered from the API's own model
(`BeneficiaryCreate`), with labels added from the locales, so the page and the API validate
the same way and the errors of one appear inline in the other.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup
from pydantic import BaseModel, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

from core import clock
from core.beneficiaries import services as people
from core.beneficiaries.categories import all_known_categories
from core.beneficiaries.schemas import BeneficiaryCreate, BeneficiaryUpdate, set_scope
from core.context import RequestContext
from core.errors import AppError, Conflict, FieldError, NotFound, RequestValidationError
from core.i18n import t
from core.web.forms import form_data, parse_form, render_form
from core.web.pages import csrf_token, render

Ctx = NamedDependency[RequestContext]

# The scalar fields of the intake and edit forms, in order; the address (flat inputs), the
# categories the user may see and (intake) a household link follow them (`_form_model`).
INTAKE_FIELDS = (
    "last_name",
    "first_name",
    "father_name",
    "mother_name",
    "birth_date",
    "sex",
    "amka",
    "afm",
    "phone",
    "email",
)
SEX_LABELS = ("female", "male", "other", "declined")


def _labelled(model: type[BaseModel], name: str) -> tuple[Any, FieldInfo]:
    info = model.model_fields[name]
    extra = dict(info.json_schema_extra) if isinstance(info.json_schema_extra, dict) else {}
    extra.update(
        label_el=t(f"web.people.field.{name}", "el"),
        label_en=t(f"web.people.field.{name}", "en"),
    )
    help_el = t(f"web.people.help.{name}", "el")
    if not help_el.startswith("web.people.help."):
        extra.update(help_el=help_el, help_en=t(f"web.people.help.{name}", "en"))
    if name == "sex":
        extra.update(
            options_el={v: t(f"web.people.sex.{v}", "el") for v in SEX_LABELS},
            options_en={v: t(f"web.people.sex.{v}", "en") for v in SEX_LABELS},
        )
    if name == "phone":
        extra.update(widget="tel", autocomplete="tel")
    if name == "email":
        extra.update(widget="email", autocomplete="email")
    copy = FieldInfo.merge_field_infos(info, json_schema_extra=extra)
    return info.annotation, copy


ADDRESS_PARTS = {"street": 200, "number": 20, "postcode": 8, "city": 100}
RELATIONS = ("head", "spouse", "child", "parent", "sibling", "grandparent", "other")
# On an edit an emptied input is an explicit null, not "unchanged": optional fields clear,
# required ones (names, date of birth) are refused with an inline error.
CLEARABLE = INTAKE_FIELDS


def _labels(key: str, *, help_text: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label_el": t(f"web.people.field.{key}", "el"),
        "label_en": t(f"web.people.field.{key}", "en"),
    }
    if help_text:
        out.update(
            help_el=t(f"web.people.help.{key}", "el"), help_en=t(f"web.people.help.{key}", "en")
        )
    return out


def _form_model(
    model: type[BaseModel],
    name: str,
    categories: list[Any] | None = None,
    *,
    household: bool = False,
) -> type[BaseModel]:
    """The API model's intake fields with Greek and English labels, the address as flat
    inputs, the categories the user's roles may see as checkboxes and (intake) a household
    link: for rendering and collecting only (the API's model validates the result)."""
    fields: dict[str, Any] = {field: _labelled(model, field) for field in INTAKE_FIELDS}
    for part, length in ADDRESS_PARTS.items():
        extra = _labels(f"address_{part}", help_text=part == "postcode")
        if part == "postcode":
            extra.update(inputmode="numeric", autocomplete="postal-code")
        fields[f"address_{part}"] = (
            str | None,
            Field(default=None, max_length=length + 4, json_schema_extra=extra),
        )
    if categories:
        codes = tuple(c.code for c in categories)
        fields["categories"] = (
            list[Literal[codes]] | None,  # type: ignore[valid-type]
            Field(
                default=None,
                json_schema_extra={
                    **_labels("categories"),
                    "options_el": {c.code: c.title_el for c in categories},
                    "options_en": {c.code: c.title_en or c.title_el for c in categories},
                },
            ),
        )
    if household:
        fields.update(_household_fields(required=False))
    return create_model(name, **fields)


def _household_fields(*, required: bool) -> dict[str, Any]:
    """The household link's inputs: a registered family member (AMKA, name or id) and the
    relation to them; optional at intake, required when linking from the person's page."""
    member_label = "household_member" if not required else "household_link"
    return {
        "household_member": (
            str if required else str | None,
            Field(
                default=... if required else None,
                min_length=1 if required else None,
                max_length=100,
                json_schema_extra={
                    **_labels(member_label),
                    **{
                        f"help_{lang}": t("web.people.help.household_member", lang)
                        for lang in ("el", "en")
                    },
                },
            ),
        ),
        "household_relation": (
            Literal[RELATIONS],  # type: ignore[valid-type]
            Field(
                default="other",
                json_schema_extra={
                    **_labels("household_relation"),
                    **{
                        f"options_{lang}": {
                            r: t(f"web.people.relation.{r}", lang) for r in RELATIONS
                        }
                        for lang in ("el", "en")
                    },
                },
            ),
        ),
    }


def _household_link_model() -> type[BaseModel]:
    return create_model("HouseholdLinkForm", **_household_fields(required=True))


def _api_data(form_model: type[BaseModel], data: Any, *, edit: bool) -> dict[str, Any]:
    """The submitted form arranged as the API's body: `address` nested, categories a list;
    on an edit, an emptied optional input is an explicit null (clears the stored value)."""
    raw = form_data(form_model, data)
    address = {part: raw.pop(f"address_{part}", "") for part in ADDRESS_PARTS}
    if edit or any(address.values()):
        raw["address"] = address
    raw.pop("household_member", None)
    raw.pop("household_relation", None)
    if edit:
        for name in CLEARABLE:
            if name not in raw and name in data:
                raw[name] = None
    if "categories" not in form_model.model_fields:
        raw.pop("categories", None)
    return raw


def _renamed(exc: RequestValidationError) -> RequestValidationError:
    """Errors of the API's fields under the form's input names."""
    names = {"household_id": "household_member"}
    errors = []
    for err in exc.errors:
        field_name = err.field
        if field_name.startswith("address."):
            field_name = "address_" + field_name.removeprefix("address.")
        field_name = names.get(field_name, field_name)
        errors.append(FieldError(field_name, err.code, err.message, err.params))
    return RequestValidationError(errors=errors)


async def _intake_model(ctx: RequestContext) -> type[BaseModel]:
    visible = await people.visible_categories(ctx, ctx.tenant.modules)
    return _form_model(BeneficiaryCreate, "IntakeForm", visible, household=True)


async def _edit_model(ctx: RequestContext) -> type[BaseModel]:
    visible = await people.visible_categories(ctx, ctx.tenant.modules)
    return _form_model(BeneficiaryUpdate, "EditForm", visible)


def _form_values(person: dict[str, Any]) -> dict[str, Any]:
    """A stored person as the edit form's current values."""
    values: dict[str, Any] = {
        k: ("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v))
        for k, v in person.items()
        if k != "address"
    }
    address = person.get("address") or {}
    for part in ADDRESS_PARTS:
        values[f"address_{part}"] = address.get(part, "") or ""
    values["categories"] = list(person.get("categories") or [])
    return values


def _href(ctx: RequestContext, path: str = "") -> str:
    return f"/t/{ctx.tenant.slug}/people" + (f"/{path}" if path else "")


async def _scope(ctx: RequestContext) -> None:
    set_scope(await people.validation_scope_for(ctx, ctx.tenant.modules))


async def _visible(ctx: RequestContext, person: dict[str, Any]) -> dict[str, Any]:
    if ctx.sees_special_categories:
        return person
    return people.for_viewer(person, await all_known_categories(), False)


def _name(person: dict[str, Any]) -> str:
    return f"{person.get('last_name', '')} {person.get('first_name', '')}".strip()


# -- search -----------------------------------------------------------------------------------


@get("/people", name="web.people.search")
async def search_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require("beneficiaries.read")
    q = (request.query_params.get("q") or "").strip()
    results: list[dict[str, Any]] = []
    message = ""
    if q:
        try:
            found, _ = await people.list_beneficiaries(q=q, limit=30)
        except RequestValidationError as exc:
            message = exc.errors[0].message if exc.errors else exc.detail
        else:
            from core.audit.writer import record

            results = [await _visible(ctx, p) for p in found]
            await record(
                ctx,
                "read",
                "beneficiary",
                "",
                details={"list": True, "search": True, "ids": [str(p["id"]) for p in results]},
            )
    return await render(
        request,
        "people/search.html",
        ctx=ctx,
        title=t("web.people.title"),
        q=q,
        message=message,
        results=[
            {
                "href": _href(ctx, str(p["id"])),
                "name": _name(p),
                "latin": f"{p.get('latin_last_name', '')} {p.get('latin_first_name', '')}".strip(),
                "birth_date": p["birth_date"].strftime("%d/%m/%Y") if p.get("birth_date") else "",
                "amka": p.get("amka") or "",
            }
            for p in results
        ],
        searched=bool(q) and not message,
        can_create=ctx.has("beneficiaries.write"),
    )


# -- intake -------------------------------------------------------------------------------------


async def _intake_form(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    values: Any = None,
    errors: Any = None,
    hidden: dict[str, str] | None = None,
) -> Markup:
    return render_form(
        await _intake_model(ctx),
        action=_href(ctx, "new"),
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.people.create"),
        hidden=hidden,
        id_prefix="person",
    )


@get("/people/new", name="web.people.new")
async def new_person(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require("beneficiaries.write")
    return await render(
        request,
        "people/form.html",
        ctx=ctx,
        title=t("web.people.new"),
        form=await _intake_form(request, ctx),
        duplicates=[],
    )


def _conflict_errors(exc: AppError) -> RequestValidationError | None:
    if isinstance(exc, Conflict) and exc.code == "duplicate_amka":
        return RequestValidationError(errors=[FieldError("amka", exc.code, exc.detail)])
    return None


@post("/people/new", name="web.people.create", status_code=200)
async def create_person(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    ctx.require("beneficiaries.write")
    data = await request.form()
    form_model = await _intake_model(ctx)
    await _scope(ctx)
    try:
        parsed = BeneficiaryCreate.model_validate(_api_data(form_model, data, edit=False))
    except ValidationError as exc:
        return await _form_again(
            request, ctx, data, _renamed(RequestValidationError.from_pydantic(exc))
        )
    finally:
        set_scope(None)
    confirmed = data.get("confirm_duplicate") == "1"
    if not confirmed:
        warnings = [
            w
            for w in await people.likely_duplicates(parsed.model_dump())
            if w["existing_ids"] and w["code"] in ("possible_duplicate", "same_phone")
        ]
        if warnings:
            duplicates = await _duplicates(ctx, warnings)
            if duplicates:
                return await render(
                    request,
                    "people/form.html",
                    ctx=ctx,
                    title=t("web.people.new"),
                    form=await _intake_form(
                        request, ctx, values=data, hidden={"confirm_duplicate": "1"}
                    ),
                    duplicates=duplicates,
                    status_code=409,
                )
    try:
        member = (data.get("household_member") or "").strip()
        if member:
            household_id = await _household_of(ctx, await _member_for_link(member))
            parsed = parsed.model_copy(
                update={
                    "household_id": household_id,
                    "household_relation": data.get("household_relation") or "other",
                }
            )
        person, _warnings = await people.create_beneficiary(ctx, parsed)
    except RequestValidationError as exc:
        return await _form_again(request, ctx, data, _renamed(exc))
    except AppError as exc:
        errors = _conflict_errors(exc)
        if errors is None:
            raise
        return await _form_again(request, ctx, data, errors, status_code=409)
    return Redirect(_href(ctx, f"{person['id']}?created=1"), status_code=303)


async def _member_for_link(text: str) -> dict[str, Any]:
    """The one registered person `text` names (AMKA, name or id); a field error otherwise."""
    found: list[dict[str, Any]] = []
    try:
        person_id = UUID(text)
    except ValueError:
        try:
            found, _ = await people.list_beneficiaries(q=text, limit=3)
        except RequestValidationError:
            found = []
    else:
        if await people.person_exists(person_id):
            found = [await people.get_person(person_id)]
    if len(found) != 1:
        code = "person_not_found" if not found else "person_ambiguous"
        raise RequestValidationError.single("household_member", code)
    return found[0]


async def _household_of(ctx: RequestContext, member: dict[str, Any]) -> UUID:
    """The household of an already registered family member; a member without one gets a
    new household, headed by them (in the caller's transaction, so a refused intake or link
    leaves nothing behind)."""
    from core.beneficiaries.schemas import HouseholdCreate, MemberIn

    if member.get("household_id"):
        return UUID(str(member["household_id"]))
    household = await people.create_household(
        ctx,
        HouseholdCreate(
            name=_name(member),
            members=[MemberIn(beneficiary_id=UUID(str(member["id"])), relation="head")],
        ),
    )
    return UUID(str(household["id"]))


async def _duplicates(ctx: RequestContext, warnings: list[dict[str, Any]]) -> list[dict[str, str]]:
    seen: dict[UUID, dict[str, str]] = {}
    for warning in warnings:
        for person_id in warning["existing_ids"]:
            if person_id in seen:
                continue
            try:
                person = await people.get_person(person_id)
            except NotFound:
                continue
            seen[person_id] = {
                "href": _href(ctx, str(person_id)),
                "name": _name(person),
                "birth_date": person["birth_date"].strftime("%d/%m/%Y"),
                "reason": warning["message"],
            }
    return list(seen.values())


async def _form_again(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    data: Any,
    errors: RequestValidationError,
    *,
    status_code: int = 422,
) -> Template:
    return await render(
        request,
        "people/form.html",
        ctx=ctx,
        title=t("web.people.new"),
        form=await _intake_form(request, ctx, values=data, errors=errors),
        duplicates=[],
        status_code=status_code,
    )


# -- the person's page --------------------------------------------------------------------------


def _date(value: Any, fmt: str = "%d/%m/%Y") -> str:
    return value.strftime(fmt) if value else ""


async def _person_sections(ctx: RequestContext, person_id: UUID) -> dict[str, Any]:

    from core.casework import consent, notes
    from core.referrals import services as referrals
    from core.scheduling import services as scheduling

    out: dict[str, Any] = {}
    if ctx.has("consents.read"):
        rows, _ = await consent.list_consents(ctx, person_id, limit=20)
        out["consents"] = [
            {
                "purpose": t(f"web.people.purpose.{c['purpose']}")
                if not t(f"web.people.purpose.{c['purpose']}").startswith("web.")
                else c["purpose"],
                "in_force": c["in_force"],
                "given": _date(c["given_at"]),
                "until": _date(c["valid_until"]),
            }
            for c in rows
        ]
    if ctx.has("referrals.read"):
        rows, _ = await referrals.list_referrals(ctx, person_id=person_id, limit=20)
        out["referrals"] = [
            {
                "title": r.get("agency_name") or r.get("agency_type") or r.get("kind") or "",
                "status": r.get("status", ""),
                "created": _date(r.get("created_at")),
                "due": _date(r.get("due_date")),
            }
            for r in rows
        ]
    rows, _ = await notes.list_notes(ctx, person_id, limit=20)
    out["notes"] = [
        {
            "date": _date(n["note_date"]),
            "confidentiality": n["confidentiality"],
            "level": t(f"web.people.confidentiality.{n['confidentiality']}"),
            "body": n["body"],
        }
        for n in rows
    ]
    if ctx.has("scheduling.read"):
        tz = clock.zone(ctx.tenant)
        rows, _ = await scheduling.list_appointments(ctx, beneficiary_id=person_id, limit=50)
        out["appointments"] = [
            {
                "when": a["start"].astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                "service": a["service_title"],
                "status": t(f"web.calendar.status.{a['status']}"),
            }
            for a in rows
        ]
    return out


async def _household(person: dict[str, Any]) -> dict[str, Any] | None:
    if not person.get("household_id"):
        return None
    try:
        household = await people.get_household(person["household_id"])
    except NotFound:
        return None
    return {
        "name": household.get("name", ""),
        "members": [
            {
                "name": f"{m.get('last_name') or ''} {m.get('first_name') or ''}".strip(),
                "relation": t(f"web.people.relation.{m['relation']}")
                if not t(f"web.people.relation.{m['relation']}").startswith("web.")
                else m["relation"],
                "birth_date": _date(m.get("birth_date")),
                "href": f"{m['beneficiary_id']}" if m.get("beneficiary_id") else "",
                "self": m.get("beneficiary_id") == person["id"],
                "member_id": str(m["id"]),
            }
            for m in household.get("members", [])
        ],
    }


def _personal_data(person: dict[str, Any]) -> list[tuple[str, str]]:
    address = person.get("address") or {}
    address_text = " ".join(
        part
        for part in (
            address.get("street", ""),
            address.get("number", ""),
            address.get("postcode", ""),
            address.get("city", ""),
        )
        if part
    )
    sex = person.get("sex")
    rows = [
        ("last_name", person.get("last_name") or ""),
        ("first_name", person.get("first_name") or ""),
        ("father_name", person.get("father_name") or ""),
        ("mother_name", person.get("mother_name") or ""),
        ("latin_name", f"{person.get('latin_last_name', '')} {person.get('latin_first_name', '')}"),
        ("birth_date", _date(person.get("birth_date"))),
        ("sex", t(f"web.people.sex.{sex}") if sex else ""),
        ("amka", person.get("amka") or ""),
        ("afm", person.get("afm") or ""),
        ("phone", person.get("phone") or ""),
        ("email", person.get("email") or ""),
        ("address", address_text),
    ]
    return [(t(f"web.people.field.{key}"), value.strip()) for key, value in rows]


async def _person_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    person_id: UUID,
    *,
    edit_form: Markup | None = None,
    household_form: Markup | None = None,
    status_code: int = 200,
) -> Template:
    from core.audit.writer import record

    person = await _visible(ctx, await people.get_person(person_id))
    if person.get("status") == "merged":
        raise NotFound()
    await record(ctx, "read", "beneficiary", person_id)
    panels = await ctx.hooks.person_panels(ctx, person_id)
    panels.sort(key=lambda p: (p.order, p.id))
    if edit_form is None and ctx.has("beneficiaries.write"):
        edit_form = await _edit_form(request, ctx, person_id, values=person)
    household_rejected = household_form is not None
    if household_form is None and ctx.has("beneficiaries.write"):
        household_form = _household_form(request, ctx, person_id)
    return await render(
        request,
        "people/person.html",
        ctx=ctx,
        title=_name(person),
        person=person,
        data=_personal_data(person),
        household=await _household(person),
        panels=panels,
        created=request.query_params.get("created") == "1",
        updated=request.query_params.get("updated") == "1",
        edit_form=edit_form,
        edit_open=status_code != 200 and not household_rejected,
        household_form=household_form,
        household_open=household_rejected,
        status_code=status_code,
        **await _person_sections(ctx, person_id),
    )


async def _edit_form(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    person_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
) -> Markup:
    if isinstance(values, dict):
        values = _form_values(values)
    return render_form(
        await _edit_model(ctx),
        action=_href(ctx, f"{person_id}/edit"),
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.people.save"),
        id_prefix="edit",
    )


@get("/people/{person_id:uuid}", name="web.people.person")
async def person_page(
    request: Request[Any, Any, Any], ctx: Ctx, person_id: FromPath[UUID]
) -> Template:
    ctx.require("beneficiaries.read")
    return await _person_page(request, ctx, person_id)


@post("/people/{person_id:uuid}/edit", name="web.people.edit", status_code=200)
async def edit_person(
    request: Request[Any, Any, Any], ctx: Ctx, person_id: FromPath[UUID]
) -> Response[Any]:
    ctx.require("beneficiaries.write")
    if not await people.person_exists(person_id):
        raise NotFound()
    data = await request.form()
    form_model = await _edit_model(ctx)
    await _scope(ctx)
    try:
        try:
            parsed = BeneficiaryUpdate.model_validate(_api_data(form_model, data, edit=True))
        except ValidationError as exc:
            raise RequestValidationError.from_pydantic(exc) from None
        await people.update_beneficiary(
            ctx, person_id, parsed, sees_special=ctx.sees_special_categories
        )
    except RequestValidationError as exc:
        form = await _edit_form(request, ctx, person_id, values=data, errors=_renamed(exc))
        return await _person_page(request, ctx, person_id, edit_form=form, status_code=422)
    except Conflict as exc:
        errors = _conflict_errors(exc)
        if errors is None:
            raise
        form = await _edit_form(request, ctx, person_id, values=data, errors=errors)
        return await _person_page(request, ctx, person_id, edit_form=form, status_code=409)
    finally:
        set_scope(None)
    return Redirect(_href(ctx, f"{person_id}?updated=1"), status_code=303)


def _household_form(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    person_id: UUID,
    *,
    values: Any = None,
    errors: Any = None,
) -> Markup:
    return render_form(
        _household_link_model(),
        action=_href(ctx, f"{person_id}/household"),
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.people.household_link"),
        id_prefix="household",
    )


@post("/people/{person_id:uuid}/household", name="web.people.household_link", status_code=200)
async def link_household(
    request: Request[Any, Any, Any], ctx: Ctx, person_id: FromPath[UUID]
) -> Response[Any]:
    """Link a registered person with a family member: into the person's household when they
    have one, otherwise into the member's (created, headed by the member, when missing). One
    transaction, so a refused link leaves no half-made household behind."""
    from core.beneficiaries.schemas import MemberIn
    from core.db import transaction

    ctx.require("beneficiaries.write")
    person = await _visible(ctx, await people.get_person(person_id))
    if person.get("status") == "merged":
        raise NotFound()
    data = await request.form()
    try:
        form = parse_form(_household_link_model(), data).model_dump()
        async with transaction():
            member = await _member_for_link(form["household_member"])
            if member["id"] == person["id"]:
                raise RequestValidationError.single("household_member", "same_person")
            if person.get("household_id"):
                joining, household_id = member, UUID(str(person["household_id"]))
            else:
                joining, household_id = person, await _household_of(ctx, member)
            await people.add_member(
                ctx,
                household_id,
                MemberIn(
                    beneficiary_id=UUID(str(joining["id"])), relation=form["household_relation"]
                ),
            )
    except RequestValidationError as exc:
        household_form = _household_form(request, ctx, person_id, values=data, errors=exc)
        return await _person_page(
            request, ctx, person_id, household_form=household_form, status_code=422
        )
    except Conflict as exc:
        if exc.code != "already_in_household":
            raise
        refusal = FieldError("household_member", exc.code, exc.detail)
        errors = RequestValidationError(errors=[refusal])
        household_form = _household_form(request, ctx, person_id, values=data, errors=errors)
        return await _person_page(
            request, ctx, person_id, household_form=household_form, status_code=409
        )
    return Redirect(_href(ctx, f"{person_id}?updated=1#household-title"), status_code=303)


@post(
    "/people/{person_id:uuid}/household/remove",
    name="web.people.household_remove",
    status_code=303,
)
async def unlink_household(
    request: Request[Any, Any, Any], ctx: Ctx, person_id: FromPath[UUID]
) -> Redirect:
    """Take a member out of the person's household (the household itself stays)."""
    ctx.require("beneficiaries.write")
    person = await _visible(ctx, await people.get_person(person_id))
    household_id = person.get("household_id")
    data = await request.form()
    try:
        member_id = UUID(str(data.get("member_id") or ""))
    except ValueError:
        raise NotFound() from None
    if not household_id:
        raise NotFound()
    await people.remove_member(ctx, UUID(str(household_id)), member_id)
    return Redirect(_href(ctx, f"{person_id}?updated=1#household-title"), status_code=303)


ROUTES = [
    search_page,
    new_person,
    create_person,
    person_page,
    edit_person,
    link_household,
    unlink_household,
]


def people_router() -> Router:
    return Router(path="/", route_handlers=list(ROUTES))
