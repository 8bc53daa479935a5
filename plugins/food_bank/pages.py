"""Staff pages of the food bank, under `/t/{tenant}/food_bank/`.

Every action of the JSON API has a screen here, and the pages call the same services as the
API (route -> service -> tables), so the same rules, messages and audit apply. Forms are the
API's pydantic models, rendered and parsed by core (`render_form`, `form_data`); a refused
submission comes back with the errors next to the fields (422, or 409 for a conflict such as
too little stock) and, the request's transaction being rolled back, nothing is stored.

Nobody types an id: items, donors, warehouses, funding sources and staff are selects
(`with_choices` turns a model's field into a select of the tenant's records, for rendering
only; the API model still validates the submission), and people are found by name or AMKA.

The pickup screen is built for distribution days: find the household (name, AMKA or one of
today's bookings), see its entitlement (decision, visit limit, basket against stock), confirm
the pickup in one submit, optionally by a proxy. When a distribution day is open, pickups are
recorded against it and the household's booking is marked completed.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from core.api import (
    AppError,
    FieldError,
    NotFound,
    RequestContext,
    RequestValidationError,
    csrf_token,
    form_data,
    get_language,
    get_person,
    list_beneficiaries,
    list_staff,
    render_form,
    render_page,
    t,
)
from plugins.food_bank import rules, services
from plugins.food_bank.manifest import DISTRIBUTE, ELIGIBILITY, MANAGE, READ, STOCK
from plugins.food_bank.schemas import (
    AdjustIn,
    BookingCreate,
    DistributionDayCreate,
    DonationCreate,
    DonationLotIn,
    DonorCreate,
    EligibilityCreate,
    ItemCreate,
    ItemUpdate,
    LotCreate,
    LotUpdate,
    PickupCreate,
    ProxyIn,
    SnackDeliveryCreate,
    TransferIn,
    WasteIn,
)
from plugins.food_bank.settings import Settings

Ctx = NamedDependency[RequestContext]
AnyRequest = Request[Any, Any, Any]
Choice = tuple[str, str, str]  # value, Greek label, English label

DONATION_LINES = 3
LINE_FIELDS = ("item_id", "quantity", "date_kind", "expiry", "lot_code", "storage", "condition")


class PickupForm(BaseModel):
    """The confirmation form of the pickup screen (the basket is the template)."""

    model_config = ConfigDict(extra="ignore")

    by_proxy: bool = Field(
        default=False,
        json_schema_extra={
            "label_el": "Παραλαβή από εξουσιοδοτημένο",
            "label_en": "Collected by a proxy",
        },
    )
    proxy_name: str = Field(
        default="",
        max_length=200,
        json_schema_extra={
            "label_el": "Ονοματεπώνυμο εξουσιοδοτημένου",
            "label_en": "Proxy's name",
        },
    )
    proxy_document: str = Field(
        default="",
        max_length=30,
        json_schema_extra={
            "label_el": "Αρ. ταυτότητας εξουσιοδοτημένου",
            "label_en": "Proxy's ID number",
        },
    )
    proxy_authorisation: bool = Field(
        default=False,
        json_schema_extra={
            "label_el": "Προσκομίστηκε εξουσιοδότηση",
            "label_en": "Authorisation shown",
        },
    )
    override: bool = Field(
        default=False,
        json_schema_extra={
            "label_el": "Εξαίρεση από το όριο συχνότητας",
            "label_en": "Override the visit limit",
        },
    )
    override_reason: str = Field(
        default="",
        max_length=500,
        json_schema_extra={
            "label_el": "Αιτιολογία εξαίρεσης",
            "label_en": "Reason for the override",
        },
    )


# -- forms: the API's models, with the tenant's records as selects --------------------------


def _without(model: type[BaseModel], *names: str) -> type[BaseModel]:
    """The model's fields but `names` (taken from the page's address instead), for rendering."""
    fields = {
        name: (info.annotation, info)
        for name, info in model.model_fields.items()
        if name not in names
    }
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{model.__name__}Page", __config__=ConfigDict(extra="ignore"), **fields
    )


def with_choices(
    model: type[BaseModel], choices: Mapping[str, Sequence[Choice]]
) -> type[BaseModel]:
    """`model` with some fields shown as selects of the tenant's records (items, donors,
    warehouses...). For rendering only: submissions are validated by `model` itself, which
    refuses a value of another tenant like the API does."""
    fields: dict[str, Any] = {}
    for name, options in choices.items():
        info = model.model_fields[name]
        values = tuple(value for value, _, _ in options) or ("",)
        extra = dict(info.json_schema_extra) if isinstance(info.json_schema_extra, dict) else {}
        extra["options_el"] = {value: el for value, el, _ in options}
        extra["options_en"] = {value: en for value, _, en in options}
        annotation: Any = Literal[values]  # type: ignore[valid-type]
        if info.is_required():
            fields[name] = (annotation, Field(json_schema_extra=extra))
        else:
            default = None if info.default is None else str(info.default)
            fields[name] = (annotation | None, Field(default=default, json_schema_extra=extra))
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{model.__name__}Form", __base__=model, **fields
    )


def blank_choice_free(model: type[BaseModel], *names: str) -> dict[str, list[Choice]]:
    """The options of `Literal["", ...]` fields without the blank one: the renderer's empty
    option carries no `value` (a browser would send its label), and the placeholder option
    of an optional select already stands for "none"."""
    out: dict[str, list[Choice]] = {}
    for name in names:
        info = model.model_fields[name]
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        el = extra.get("options_el") or {}
        en = extra.get("options_en") or {}
        values = typing.get_args(info.annotation)
        out[name] = [(v, el.get(v, v), en.get(v, el.get(v, v))) for v in values if v != ""]
    return out


def _validate(model: type[Any], form: Any, **fixed: Any) -> Any:
    """A submitted form as the API's model, plus values the page supplies (the person of the
    address); 422 naming every offending field, as the API would answer."""
    try:
        return model.model_validate({**form_data(model, form), **fixed})
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def _refusal(exc: AppError) -> list[FieldError]:
    """The errors of a refusal, for the form; a refusal without fields becomes one message."""
    return list(exc.errors) or [FieldError("body", exc.code, exc.detail)]


def _localized(el: str, en: str) -> str:
    return (en or el) if get_language() == "en" else (el or en)


def _warehouse_choices(settings: Settings, exclude: str = "") -> list[Choice]:
    return [(w.code, w.title_el, w.title_en) for w in settings.warehouses if w.code != exclude]


def _source_choices(settings: Settings) -> list[Choice]:
    return [(s.code, s.title_el, s.title_en) for s in settings.funding_sources]


async def _item_choices() -> list[Choice]:
    rows, _ = await services.list_items(active=True, limit=200)
    rows.sort(key=lambda r: r["name_el"])
    return [
        (
            str(r["id"]),
            f"{r['name_el']} ({t('food_bank.unit.' + r['unit'], 'el')})",
            f"{r['name_en'] or r['name_el']} ({t('food_bank.unit.' + r['unit'], 'en')})",
        )
        for r in rows
    ]


async def _donor_choices() -> list[Choice]:
    rows, _ = await services.list_donors(limit=200)
    return [(str(r["id"]), r["name"], r["name"]) for r in rows]


async def _staff_choices() -> list[Choice]:
    rows, _ = await list_staff(active=True, limit=200)
    return [(str(r["id"]), r["display_name"], r["display_name"]) for r in rows]


# -- shared helpers -------------------------------------------------------------------------


def _base(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/food_bank/"


def _see_other(ctx: RequestContext, path: str) -> Redirect:
    return Redirect(_base(ctx) + path, status_code=303)


def person_name(person: Mapping[str, Any]) -> str:
    return f"{person.get('last_name', '')} {person.get('first_name', '')}".strip()


async def _names(ids: Sequence[Any]) -> dict[str, str]:
    """Names of the people behind a list's ids (one read each: lists are one page long)."""
    out: dict[str, str] = {}
    for person_id in ids:
        key = str(person_id)
        if key in out:
            continue
        try:
            out[key] = person_name(await get_person(UUID(key)))
        except NotFound:
            out[key] = "—"
    return out


async def _find_people(q: str) -> list[dict[str, Any]]:
    if not q:
        return []
    people, _ = await list_beneficiaries(q=q, limit=20)
    return people


async def _page(
    request: AnyRequest, ctx: RequestContext, template: str, title: str, **context: Any
) -> Template:
    return await render_page(
        request, f"food_bank/{template}", ctx=ctx, title=title, base=_base(ctx), **context
    )


# -- overview -------------------------------------------------------------------------------

SCREENS: tuple[tuple[str, str, str], ...] = (
    ("pickup", "food_bank.web.pickup", DISTRIBUTE),
    ("days", "food_bank.web.days_title", READ),
    ("eligibility", "food_bank.web.eligibility", READ),
    ("pickups", "food_bank.web.pickups_title", READ),
    ("snacks", "food_bank.web.snacks", READ),
    ("stock", "food_bank.web.stock", READ),
    ("items", "food_bank.web.items", READ),
    ("donors", "food_bank.web.donors", STOCK),
    ("donations", "food_bank.web.donations", STOCK),
)


@get("/", name="food_bank.index")
async def index(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(READ)
    settings = await services.settings_for(ctx)
    expiring, _ = await services.list_lots(
        ctx, expiring_within=settings.expiry_warning_days, limit=20
    )
    today = services.today_for(ctx)
    days, _ = await services.list_distribution_days(ctx, start=today, limit=10)
    screens = [(path, t(key)) for path, key, permission in SCREENS if ctx.has(permission)]
    return await _page(
        request,
        ctx,
        "index.html",
        t("food_bank.title"),
        screens=screens,
        expiring=expiring,
        days=days,
    )


# -- catalogue ------------------------------------------------------------------------------


async def _items_page(
    request: AnyRequest,
    ctx: RequestContext,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    items, _ = await services.list_items(limit=200)
    form = None
    if ctx.has(MANAGE):
        form = render_form(
            with_choices(ItemCreate, blank_choice_free(ItemCreate, "gender")),
            action=_base(ctx) + "items",
            values=values,
            errors=errors,
            request=request,
            submit_label=t("food_bank.web.add_item"),
            id_prefix="item",
        )
    return await _page(
        request,
        ctx,
        "items.html",
        t("food_bank.web.items"),
        items=items,
        form=form,
        status_code=status,
    )


@get("/items", name="food_bank.items")
async def items_page(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(READ)
    return await _items_page(request, ctx)


@post("/items", name="food_bank.items.create")
async def create_item(request: AnyRequest, ctx: Ctx) -> Any:
    ctx.require(MANAGE)
    form = await request.form()
    try:
        await services.create_item(ctx, _validate(ItemCreate, form))
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return await _items_page(request, ctx, form, _refusal(exc), exc.status_code)
    return _see_other(ctx, "items")


async def _item_page(
    request: AnyRequest,
    ctx: RequestContext,
    item_id: UUID,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    item = await services.get_item(item_id)
    current = ItemUpdate(
        name_el=item["name_el"],
        name_en=item["name_en"] or None,
        weight_grams=item["weight_grams"],
        active=item["active"],
    )
    form = render_form(
        ItemUpdate,
        action=_base(ctx) + f"items/{item_id}",
        values=values if values is not None else current,
        errors=errors,
        request=request,
        submit_label=t("food_bank.web.save"),
        id_prefix="item",
    )
    lots, _ = await services.list_lots(ctx, item_id=item_id, limit=50)
    return await _page(
        request,
        ctx,
        "item.html",
        _localized(item["name_el"], item["name_en"]),
        item=item,
        lots=lots,
        form=form,
        status_code=status,
    )


@get("/items/{item_id:uuid}", name="food_bank.item")
async def item_page(request: AnyRequest, ctx: Ctx, item_id: FromPath[UUID]) -> Template:
    ctx.require(MANAGE)
    return await _item_page(request, ctx, item_id)


@post("/items/{item_id:uuid}", name="food_bank.item.update")
async def update_item(request: AnyRequest, ctx: Ctx, item_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    form = await request.form()
    try:
        await services.update_item(ctx, item_id, _validate(ItemUpdate, form))
    except RequestValidationError as exc:
        return await _item_page(request, ctx, item_id, form, exc, 422)
    return _see_other(ctx, "items")


# -- stock: lots, receipts, waste, counts, transfers, quarantine ------------------------------


async def _receive_model(ctx: RequestContext) -> type[BaseModel]:
    settings = await services.settings_for(ctx)
    return with_choices(
        LotCreate,
        {
            "item_id": await _item_choices(),
            "funding_source": _source_choices(settings),
            "warehouse": _warehouse_choices(settings),
            "donor_id": await _donor_choices(),
            **blank_choice_free(LotCreate, "condition"),
        },
    )


async def _stock(
    request: AnyRequest,
    ctx: RequestContext,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    lots, _ = await services.list_lots(ctx, limit=200)
    lots.sort(key=lambda lot: (lot["item_name"], str(lot["expiry"] or "9999")))
    form = None
    if ctx.has(STOCK):
        form = render_form(
            await _receive_model(ctx),
            action=_base(ctx) + "stock",
            values=values,
            errors=errors,
            request=request,
            submit_label=t("food_bank.web.receive"),
            id_prefix="lot",
        )
    return await _page(
        request,
        ctx,
        "stock.html",
        t("food_bank.web.stock"),
        stock=await services.stock_summary(ctx),
        lots=lots,
        form=form,
        status_code=status,
    )


@get("/stock", name="food_bank.stock")
async def stock_page(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(READ)
    return await _stock(request, ctx)


@post("/stock", name="food_bank.stock.receive")
async def receive(request: AnyRequest, ctx: Ctx) -> Any:
    ctx.require(STOCK)
    form = await request.form()
    try:
        await services.receive_lot(ctx, _validate(LotCreate, form))
    except RequestValidationError as exc:
        return await _stock(request, ctx, values=form, errors=exc, status=422)
    return _see_other(ctx, "stock")


LotAction = Callable[[Any, UUID, Any], Awaitable[dict[str, Any]]]
LOT_FORMS: dict[str, tuple[type[BaseModel], str]] = {
    "waste": (WasteIn, "food_bank.web.waste"),
    "adjust": (AdjustIn, "food_bank.web.adjust"),
    "transfer": (TransferIn, "food_bank.web.transfer"),
}


async def _lot_page(
    request: AnyRequest,
    ctx: RequestContext,
    lot_id: UUID,
    *,
    failed: str = "",
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    lot = await services.get_lot(ctx, lot_id)
    forms: dict[str, Any] = {}
    if ctx.has(STOCK):
        settings = await services.settings_for(ctx)
        token = csrf_token(request.scope)
        others = _warehouse_choices(settings, exclude=lot["warehouse"])
        for key, (model, label) in LOT_FORMS.items():
            if key == "transfer":
                if not others:
                    continue  # one warehouse: nowhere to move stock to
                model = with_choices(TransferIn, {"warehouse": others})
            forms[key] = render_form(
                model,
                action=_base(ctx) + f"lots/{lot_id}/{key}",
                values=values if failed == key else None,
                errors=errors if failed == key else None,
                csrf_token=token,
                submit_label=t(label),
                id_prefix=key,
            )
    return await _page(
        request,
        ctx,
        "lot.html",
        f"{lot['item_name']} {lot['lot_code']}".strip(),
        lot=lot,
        forms=forms,
        status_code=status,
    )


@get("/lots/{lot_id:uuid}", name="food_bank.lot")
async def lot_page(request: AnyRequest, ctx: Ctx, lot_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _lot_page(request, ctx, lot_id)


async def _lot_action(
    request: AnyRequest, ctx: RequestContext, lot_id: UUID, key: str, action: LotAction
) -> Any:
    ctx.require(STOCK)
    form = await request.form()
    model = LOT_FORMS[key][0]
    try:
        await action(ctx, lot_id, _validate(model, form))
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return await _lot_page(
            request,
            ctx,
            lot_id,
            failed=key,
            values=form,
            errors=_refusal(exc),
            status=exc.status_code,
        )
    if key == "transfer":
        return _see_other(ctx, "stock")
    return _see_other(ctx, f"lots/{lot_id}")


@post("/lots/{lot_id:uuid}/waste", name="food_bank.lot.waste")
async def waste(request: AnyRequest, ctx: Ctx, lot_id: FromPath[UUID]) -> Any:
    return await _lot_action(request, ctx, lot_id, "waste", services.waste)


@post("/lots/{lot_id:uuid}/adjust", name="food_bank.lot.adjust")
async def adjust(request: AnyRequest, ctx: Ctx, lot_id: FromPath[UUID]) -> Any:
    return await _lot_action(request, ctx, lot_id, "adjust", services.adjust)


@post("/lots/{lot_id:uuid}/transfer", name="food_bank.lot.transfer")
async def transfer(request: AnyRequest, ctx: Ctx, lot_id: FromPath[UUID]) -> Any:
    return await _lot_action(request, ctx, lot_id, "transfer", services.transfer)


@post("/lots/{lot_id:uuid}/quarantine", name="food_bank.lot.quarantine")
async def quarantine(request: AnyRequest, ctx: Ctx, lot_id: FromPath[UUID]) -> Any:
    ctx.require(STOCK)
    data = _validate(LotUpdate, await request.form())
    await services.set_quarantine(ctx, lot_id, data.quarantined)
    return _see_other(ctx, f"lots/{lot_id}")


# -- donors and donations -------------------------------------------------------------------


async def _donors_page(
    request: AnyRequest,
    ctx: RequestContext,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    donors, _ = await services.list_donors(limit=200)
    form = render_form(
        DonorCreate,
        action=_base(ctx) + "donors",
        values=values,
        errors=errors,
        request=request,
        submit_label=t("food_bank.web.add_donor"),
        id_prefix="donor",
    )
    return await _page(
        request,
        ctx,
        "donors.html",
        t("food_bank.web.donors"),
        donors=donors,
        form=form,
        status_code=status,
    )


@get("/donors", name="food_bank.donors")
async def donors_page(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(STOCK)
    return await _donors_page(request, ctx)


@post("/donors", name="food_bank.donors.create")
async def create_donor(request: AnyRequest, ctx: Ctx) -> Any:
    ctx.require(STOCK)
    form = await request.form()
    try:
        donor = await services.create_donor(ctx, _validate(DonorCreate, form))
    except RequestValidationError as exc:
        return await _donors_page(request, ctx, form, exc, 422)
    return _see_other(ctx, f"donors/{donor['id']}")


@get("/donors/{donor_id:uuid}", name="food_bank.donor")
async def donor_page(request: AnyRequest, ctx: Ctx, donor_id: FromPath[UUID]) -> Template:
    ctx.require(STOCK)
    donor = await services.get_donor(donor_id)
    donations, _ = await services.list_donations(ctx, donor_id=donor_id, limit=100)
    return await _page(request, ctx, "donor.html", donor["name"], donor=donor, donations=donations)


@get("/donations", name="food_bank.donations")
async def donations_page(request: AnyRequest, ctx: Ctx) -> Template:
    ctx.require(STOCK)
    donations, _ = await services.list_donations(ctx, limit=100)
    return await _page(
        request, ctx, "donations.html", t("food_bank.web.donations"), donations=donations
    )


async def _donation_model(ctx: RequestContext) -> type[BaseModel]:
    """The donation with its first lines flattened (`line1_item_id`, ...): the shared renderer
    does not render nested models, and a donation is usually a few items."""
    settings = await services.settings_for(ctx)
    header = with_choices(
        DonationCreate,
        {"donor_id": await _donor_choices(), "warehouse": _warehouse_choices(settings)},
    )
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in header.model_fields.items()
        if name != "lots"
    }
    line = with_choices(
        DonationLotIn,
        {"item_id": await _item_choices(), **blank_choice_free(DonationLotIn, "condition")},
    )
    for number in range(1, DONATION_LINES + 1):
        for name in LINE_FIELDS:
            info = copy.copy(line.model_fields[name])
            extra = dict(info.json_schema_extra) if isinstance(info.json_schema_extra, dict) else {}
            for lang in ("el", "en"):
                prefix = t("food_bank.web.line", lang, number=number)
                extra[f"label_{lang}"] = f"{prefix}: {extra.get(f'label_{lang}', name)}"
            info.json_schema_extra = extra
            if info.is_required():  # only the lines used are required
                info.default = None
            fields[f"line{number}_{name}"] = (info.annotation | None, info)
    return create_model(  # type: ignore[call-overload,no-any-return]
        "DonationForm", __config__=ConfigDict(extra="ignore"), **fields
    )


def _donation_body(form: Any) -> DonationCreate:
    """The submitted donation with its non-empty lines; errors name the page's fields."""
    lots: list[dict[str, Any]] = []
    used: list[int] = []
    for number in range(1, DONATION_LINES + 1):
        line = {name: str(form.get(f"line{number}_{name}") or "").strip() for name in LINE_FIELDS}
        if not line["item_id"] and not line["quantity"]:
            continue  # an empty line
        lots.append({name: value for name, value in line.items() if value != ""})
        used.append(number)
    try:
        return DonationCreate.model_validate({**form_data(DonationCreate, form), "lots": lots})
    except ValidationError as exc:
        raise _line_fields(RequestValidationError.from_pydantic(exc), used) from None


def _line_fields(exc: AppError, used: Sequence[int]) -> RequestValidationError:
    """`lots.0.quantity` of the API is `line1_quantity` (or whichever line it was) here."""
    errors = []
    for error in exc.errors:
        parts = error.field.split(".")
        name = error.field
        if parts[0] == "lots" and len(parts) >= 3 and parts[1].isdigit():
            index = int(parts[1])
            number = used[index] if index < len(used) else index + 1
            name = f"line{number}_{parts[2]}"
        elif parts[0] == "lots":
            name = "line1_item_id"  # no line at all
        errors.append(FieldError(name, error.code, error.message, error.params))
    return RequestValidationError(errors=errors)


async def _donation_form(
    request: AnyRequest,
    ctx: RequestContext,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    form = render_form(
        await _donation_model(ctx),
        action=_base(ctx) + "donations/new",
        values=values,
        errors=errors,
        request=request,
        submit_label=t("food_bank.web.record_donation"),
        id_prefix="donation",
    )
    return await _page(
        request,
        ctx,
        "form.html",
        t("food_bank.web.new_donation"),
        form=form,
        intro=t("food_bank.web.donation_intro", lines=DONATION_LINES),
        back=("donations", t("food_bank.web.donations")),
        status_code=status,
    )


@get("/donations/new", name="food_bank.donation.new")
async def new_donation(
    request: AnyRequest, ctx: Ctx, donor_id: FromQuery[UUID | None] = None
) -> Template:
    ctx.require(STOCK)
    values = None
    if donor_id is not None:
        await services.get_donor(donor_id)  # 404 for another tenant's
        model = await _donation_model(ctx)
        defaults = {name: info.default for name, info in model.model_fields.items()}
        values = model.model_construct(**{**defaults, "donor_id": str(donor_id)})
    return await _donation_form(request, ctx, values)


@post("/donations/new", name="food_bank.donation.create")
async def create_donation(request: AnyRequest, ctx: Ctx) -> Any:
    ctx.require(STOCK)
    form = await request.form()
    used = [
        number
        for number in range(1, DONATION_LINES + 1)
        if form.get(f"line{number}_item_id") or form.get(f"line{number}_quantity")
    ]
    try:
        donation = await services.create_donation(ctx, _donation_body(form))
    except RequestValidationError as exc:
        if not any(e.field.startswith("lots") for e in exc.errors):
            return await _donation_form(request, ctx, form, exc, 422)
        return await _donation_form(request, ctx, form, _line_fields(exc, used), 422)
    return _see_other(ctx, f"donations/{donation['id']}/receipt")


@get("/donations/{donation_id:uuid}/receipt", name="food_bank.donation.receipt")
async def donation_receipt(request: AnyRequest, ctx: Ctx, donation_id: FromPath[UUID]) -> Template:
    ctx.require(STOCK)
    donation = await services.get_donation(ctx, donation_id)
    donor = await services.get_donor(donation["donor_id"])
    return await _page(
        request, ctx, "receipt.html", t("food_bank.web.receipt"), donation=donation, donor=donor
    )


# -- eligibility ----------------------------------------------------------------------------


@get("/eligibility", name="food_bank.eligibility")
async def eligibility_list(
    request: AnyRequest, ctx: Ctx, q: FromQuery[str | None] = None
) -> Template:
    ctx.require(READ)
    q = (q or "").strip()
    settings = await services.settings_for(ctx)
    decisions, _ = await services.list_eligibility(limit=50)
    due = await services.recertifications_due(
        services.today_for(ctx), settings.recertification_notice_days
    )
    names = await _names([d["person_id"] for d in decisions] + [d["person_id"] for d in due])
    return await _page(
        request,
        ctx,
        "eligibility_list.html",
        t("food_bank.web.eligibility"),
        q=q,
        people=await _find_people(q),
        decisions=decisions,
        due=due,
        names=names,
    )


async def _eligibility_page(
    request: AnyRequest,
    ctx: RequestContext,
    person_id: UUID,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    person = await services.get_person_checked(person_id)
    decisions, _ = await services.list_eligibility(person_id=person_id, limit=20)
    form = None
    if ctx.has(ELIGIBILITY):
        form = render_form(
            _without(EligibilityCreate, "person_id"),
            action=_base(ctx) + f"eligibility/{person_id}",
            values=values,
            errors=errors,
            request=request,
            submit_label=t("food_bank.web.check"),
            id_prefix="check",
        )
    settings = await services.settings_for(ctx)
    return await _page(
        request,
        ctx,
        "eligibility.html",
        t("food_bank.web.eligibility_of", name=person_name(person)),
        person=person,
        decisions=decisions,
        mode=settings.eligibility_mode,
        form=form,
        status_code=status,
    )


@get("/eligibility/{person_id:uuid}", name="food_bank.eligibility.person")
async def eligibility_page(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    return await _eligibility_page(request, ctx, person_id)


@post("/eligibility/{person_id:uuid}", name="food_bank.eligibility.check")
async def check_eligibility(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(ELIGIBILITY)
    form = await request.form()
    try:
        data = _validate(EligibilityCreate, form, person_id=person_id)
        await services.check_eligibility(ctx, data)
    except RequestValidationError as exc:
        return await _eligibility_page(request, ctx, person_id, form, exc, 422)
    return _see_other(ctx, f"eligibility/{person_id}")


# -- distribution days and bookings ---------------------------------------------------------


async def _day_model(ctx: RequestContext) -> type[BaseModel]:
    settings = await services.settings_for(ctx)
    return with_choices(
        DistributionDayCreate,
        {"warehouse": _warehouse_choices(settings), "staff_id": await _staff_choices()},
    )


async def _days_page(
    request: AnyRequest,
    ctx: RequestContext,
    *,
    person: dict[str, Any] | None = None,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    today = services.today_for(ctx)
    days, _ = await services.list_distribution_days(
        ctx, start=today - timedelta(days=30), limit=100
    )
    form = None
    if ctx.has(MANAGE):
        form = render_form(
            await _day_model(ctx),
            action=_base(ctx) + "days",
            values=values,
            errors=errors,
            request=request,
            submit_label=t("food_bank.web.plan_day"),
            id_prefix="day",
        )
    return await _page(
        request,
        ctx,
        "days.html",
        t("food_bank.web.days_title"),
        upcoming=[d for d in days if d["day"] >= today],
        past=[d for d in reversed(days) if d["day"] < today],
        person=person,
        form=form,
        status_code=status,
    )


@get("/days", name="food_bank.days")
async def days_page(
    request: AnyRequest, ctx: Ctx, person_id: FromQuery[UUID | None] = None
) -> Template:
    ctx.require(READ)
    person = await services.get_person_checked(person_id) if person_id else None
    return await _days_page(request, ctx, person=person)


@post("/days", name="food_bank.days.create")
async def create_day(request: AnyRequest, ctx: Ctx) -> Any:
    ctx.require(MANAGE)
    form = await request.form()
    try:
        day = await services.create_distribution_day(ctx, _validate(DistributionDayCreate, form))
    except RequestValidationError as exc:
        return await _days_page(request, ctx, values=form, errors=exc, status=422)
    return _see_other(ctx, f"days/{day['id']}")


def free_slots(day: Mapping[str, Any], bookings: Sequence[Mapping[str, Any]]) -> list[str]:
    """The day's slot times ("09:15") that no active booking holds."""
    taken = {b["start_local"].strftime("%H:%M") for b in bookings if b.get("status") != "cancelled"}
    step = timedelta(minutes=day["slot_minutes"])
    start = datetime.combine(day["day"], time.fromisoformat(day["starts"]))
    ends = datetime.combine(day["day"], time.fromisoformat(day["ends"]))
    out = []
    while start + step <= ends:
        if start.strftime("%H:%M") not in taken:
            out.append(start.strftime("%H:%M"))
        start += step
    return out


def _slot_model(slots: Sequence[str]) -> type[BaseModel]:
    labels = {slot: slot for slot in slots}
    return create_model(  # type: ignore[call-overload,no-any-return]
        "SlotForm",
        __config__=ConfigDict(extra="ignore"),
        start=(
            Literal[tuple(slots) or ("",)],  # type: ignore[misc]
            Field(
                json_schema_extra={
                    "label_el": "Ώρα παραλαβής",
                    "label_en": "Pickup time",
                    "options_el": labels,
                    "options_en": labels,
                }
            ),
        ),
    )


async def _day_page(
    request: AnyRequest,
    ctx: RequestContext,
    day_id: UUID,
    *,
    q: str = "",
    person_id: UUID | None = None,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    day = await services.get_distribution_day(ctx, day_id)
    bookings = [b for b in await services.list_bookings(ctx, day_id)]
    names = await _names([p for b in bookings for p in b.get("beneficiary_ids", [])])
    today = services.today_for(ctx)
    can_book = (
        ctx.has(DISTRIBUTE)
        and day["status"] != "closed"
        and day["staff_id"]
        and day["day"] >= today
    )
    person = None
    form = None
    slots = free_slots(day, bookings)
    if can_book and person_id is not None:
        person = await services.get_person_checked(person_id)
        form = render_form(
            _slot_model(slots),
            action=_base(ctx) + f"days/{day_id}/bookings",
            values=values,
            errors=errors,
            request=request,
            hidden={"person_id": str(person_id)},
            submit_label=t("food_bank.web.book"),
            id_prefix="booking",
        )
    return await _page(
        request,
        ctx,
        "day.html",
        t("food_bank.web.day_title", day=day["day"].strftime("%d/%m/%Y")),
        day=day,
        bookings=bookings,
        names=names,
        can_book=can_book,
        can_manage=ctx.has(MANAGE),
        is_today=day["day"] == today,
        slots=slots,
        q=q,
        people=await _find_people(q) if can_book else [],
        person=person,
        form=form,
        errors=errors,
        status_code=status,
    )


@get("/days/{day_id:uuid}", name="food_bank.day")
async def day_page(
    request: AnyRequest,
    ctx: Ctx,
    day_id: FromPath[UUID],
    q: FromQuery[str | None] = None,
    person_id: FromQuery[UUID | None] = None,
) -> Template:
    ctx.require(READ)
    return await _day_page(request, ctx, day_id, q=(q or "").strip(), person_id=person_id)


@post("/days/{day_id:uuid}/open", name="food_bank.day.open")
async def open_day(request: AnyRequest, ctx: Ctx, day_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    try:
        await services.set_distribution_day_status(ctx, day_id, "open")
    except RequestValidationError as exc:
        return await _day_page(request, ctx, day_id, errors=_refusal(exc), status=422)
    return _see_other(ctx, f"days/{day_id}")


@post("/days/{day_id:uuid}/close", name="food_bank.day.close")
async def close_day(request: AnyRequest, ctx: Ctx, day_id: FromPath[UUID]) -> Any:
    ctx.require(MANAGE)
    await services.set_distribution_day_status(ctx, day_id, "closed")
    return _see_other(ctx, f"days/{day_id}")


@post("/days/{day_id:uuid}/bookings", name="food_bank.day.book")
async def book(request: AnyRequest, ctx: Ctx, day_id: FromPath[UUID]) -> Any:
    ctx.require(DISTRIBUTE)
    form = await request.form()
    day = await services.get_distribution_day(ctx, day_id)
    raw_person = str(form.get("person_id") or "")
    try:
        person_id = UUID(raw_person)
    except ValueError:
        raise NotFound() from None  # the page always sends a person it found
    try:
        slots = free_slots(day, await services.list_bookings(ctx, day_id))
        chosen = _validate(_slot_model(slots), form).start
        tz = services.zone_of(ctx)
        start = datetime.combine(day["day"], time.fromisoformat(chosen), tz)
        await services.book_slot(ctx, day_id, BookingCreate(person_id=person_id, start=start))
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return await _day_page(
            request,
            ctx,
            day_id,
            person_id=person_id,
            values=form,
            errors=_refusal(exc),
            status=exc.status_code,
        )
    return _see_other(ctx, f"days/{day_id}")


# -- the pickup screen ----------------------------------------------------------------------


async def _today_bookings(ctx: RequestContext) -> list[dict[str, Any]]:
    """Today's pickup bookings (of the open day if one is open), in time order."""
    today = services.today_for(ctx)
    open_day = await services.open_day_today(ctx)
    days = (
        [open_day]
        if open_day
        else (await services.list_distribution_days(ctx, start=today, end=today))[0]
    )
    out = []
    for day in days:
        for appointment in await services.list_bookings(ctx, day["id"]):
            if appointment.get("status") == "cancelled":
                continue
            for person_id in appointment.get("beneficiary_ids", []):
                out.append(
                    {
                        "time": appointment["start_local"],
                        "person_id": person_id,
                        "status": appointment.get("status", ""),
                    }
                )
    out.sort(key=lambda b: b["time"])
    return out


@get("/pickup", name="food_bank.pickup")
async def pickup_search(request: AnyRequest, ctx: Ctx, q: FromQuery[str | None] = None) -> Template:
    ctx.require(DISTRIBUTE)
    q = (q or "").strip()
    bookings = await _today_bookings(ctx)
    return await _page(
        request,
        ctx,
        "pickup_search.html",
        t("food_bank.web.pickup"),
        q=q,
        people=await _find_people(q),
        bookings=bookings,
        names=await _names([b["person_id"] for b in bookings]),
        open_day=await services.open_day_today(ctx),
    )


async def _pickup(
    request: AnyRequest,
    ctx: RequestContext,
    person_id: UUID,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    person = await services.get_person_checked(person_id)
    info = await services.entitlement(ctx, person_id)
    form = render_form(
        PickupForm,
        action=_base(ctx) + f"pickup/{person_id}",
        values=values,
        errors=errors,
        request=request,
        submit_label=t("food_bank.web.confirm"),
    )
    return await _page(
        request,
        ctx,
        "pickup.html",
        t("food_bank.web.pickup"),
        person=person,
        info=info,
        form=form,
        open_day=await services.open_day_today(ctx),
        status_code=status,
    )


@get("/pickup/{person_id:uuid}", name="food_bank.pickup.person")
async def pickup_person(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Template:
    ctx.require(DISTRIBUTE)
    return await _pickup(request, ctx, person_id)


async def _booking_of(ctx: RequestContext, day_id: UUID, person_id: UUID) -> UUID | None:
    for appointment in await services.list_bookings(ctx, day_id):
        if appointment.get("status") not in ("scheduled", "confirmed"):
            continue
        if str(person_id) in {str(p) for p in appointment.get("beneficiary_ids", [])}:
            return UUID(str(appointment["id"]))
    return None


@post("/pickup/{person_id:uuid}", name="food_bank.pickup.confirm")
async def pickup_confirm(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(DISTRIBUTE)
    form = await request.form()
    try:
        data = _validate(PickupForm, form)
        proxy = None
        if data.by_proxy:
            try:
                proxy = ProxyIn(
                    name=data.proxy_name,
                    document_number=data.proxy_document,
                    authorisation=data.proxy_authorisation,
                )
            except ValidationError as exc:  # the proxy's fields are this form's proxy_*
                failure = RequestValidationError.from_pydantic(exc)
                raise RequestValidationError(
                    errors=[
                        FieldError(
                            {
                                "name": "proxy_name",
                                "document_number": "proxy_document",
                                "authorisation": "proxy_authorisation",
                            }.get(e.field, e.field),
                            e.code,
                            e.message,
                            e.params,
                        )
                        for e in failure.errors
                    ]
                ) from None
        day = await services.open_day_today(ctx)
        body = PickupCreate(
            person_id=person_id,
            distribution_day_id=day["id"] if day else None,
            appointment_id=await _booking_of(ctx, day["id"], person_id) if day else None,
            proxy=proxy,
            override=data.override,
            override_reason=data.override_reason,
        )
        pickup = await services.create_pickup(ctx, body)
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return await _pickup(
            request, ctx, person_id, values=form, errors=_refusal(exc), status=exc.status_code
        )
    return _see_other(ctx, f"pickups/{pickup['id']}")


@get("/pickups", name="food_bank.pickups")
async def pickups_page(
    request: AnyRequest, ctx: Ctx, distribution_day_id: FromQuery[UUID | None] = None
) -> Template:
    ctx.require(READ)
    day = None
    if distribution_day_id is not None:
        day = await services.get_distribution_day(ctx, distribution_day_id)
    pickups, _ = await services.list_pickups(
        ctx, distribution_day_id=distribution_day_id, limit=100
    )
    return await _page(
        request,
        ctx,
        "pickups.html",
        t("food_bank.web.pickups_title"),
        pickups=pickups,
        day=day,
        names=await _names([p["person_id"] for p in pickups]),
    )


@get("/pickups/{pickup_id:uuid}", name="food_bank.pickup.done")
async def pickup_done(request: AnyRequest, ctx: Ctx, pickup_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    pickup = await services.get_pickup(ctx, pickup_id)
    names = await _names([pickup["person_id"]])
    return await _page(
        request,
        ctx,
        "pickup_done.html",
        t("food_bank.web.pickup_done"),
        pickup=pickup,
        name=names[str(pickup["person_id"])],
    )


# -- school snack packs ---------------------------------------------------------------------


async def _snacks_page(
    request: AnyRequest,
    ctx: RequestContext,
    week: date | None = None,
    *,
    failed: str = "",
    values: Any = None,
    errors: Any = None,
    status: int = 200,
) -> Template:
    week = rules.week_start(week or services.today_for(ctx))
    rows = await services.snack_allocation(ctx, week)
    names = await _names([r["person_id"] for r in rows])
    forms: dict[str, Any] = {}
    if ctx.has(DISTRIBUTE):
        token = csrf_token(request.scope)
        for row in rows:
            key = str(row["person_id"])
            if row["delivered"]:
                continue
            forms[key] = render_form(
                _without(SnackDeliveryCreate, "person_id", "week_start"),
                action=_base(ctx) + f"snacks/{key}",
                values=values if failed == key else None,
                errors=errors if failed == key else None,
                csrf_token=token,
                hidden={"week_start": week.isoformat()},
                submit_label=t("food_bank.web.deliver"),
                id_prefix=f"snack-{key[:8]}",
            )
    return await _page(
        request,
        ctx,
        "snacks.html",
        t("food_bank.web.snacks"),
        week=week,
        rows=rows,
        names=names,
        forms=forms,
        failed=failed,
        errors=errors,
        status_code=status,
    )


@get("/snacks", name="food_bank.snacks")
async def snacks_page(
    request: AnyRequest, ctx: Ctx, week: FromQuery[date | None] = None
) -> Template:
    ctx.require(READ)
    return await _snacks_page(request, ctx, week)


@post("/snacks/{person_id:uuid}", name="food_bank.snacks.deliver")
async def deliver_snacks(request: AnyRequest, ctx: Ctx, person_id: FromPath[UUID]) -> Any:
    ctx.require(DISTRIBUTE)
    form = await request.form()
    week: date | None = None
    try:
        data = _validate(SnackDeliveryCreate, form, person_id=person_id)
        week = data.week_start
        delivery = await services.deliver_snacks(ctx, data)
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return await _snacks_page(
            request,
            ctx,
            week,
            failed=str(person_id),
            values=form,
            errors=_refusal(exc),
            status=exc.status_code,
        )
    return _see_other(ctx, f"snacks/deliveries/{delivery['id']}")


@get("/snacks/deliveries/{delivery_id:uuid}", name="food_bank.snacks.delivery")
async def snack_delivery(request: AnyRequest, ctx: Ctx, delivery_id: FromPath[UUID]) -> Template:
    ctx.require(READ)
    delivery = await services.get_snack_delivery(ctx, delivery_id)
    names = await _names([delivery["person_id"]])
    return await _page(
        request,
        ctx,
        "snack_delivery.html",
        t("food_bank.web.snack_delivery"),
        delivery=delivery,
        name=names[str(delivery["person_id"])],
    )


PAGES: list[Any] = [
    index,
    items_page,
    create_item,
    item_page,
    update_item,
    stock_page,
    receive,
    lot_page,
    waste,
    adjust,
    transfer,
    quarantine,
    donors_page,
    create_donor,
    donor_page,
    donations_page,
    new_donation,
    create_donation,
    donation_receipt,
    eligibility_list,
    eligibility_page,
    check_eligibility,
    days_page,
    create_day,
    day_page,
    open_day,
    close_day,
    book,
    pickup_search,
    pickup_person,
    pickup_confirm,
    pickups_page,
    pickup_done,
    snacks_page,
    deliver_snacks,
    snack_delivery,
]
