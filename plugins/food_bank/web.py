"""Staff pages of the food bank, under `/t/{tenant}/food_bank/`.

The pickup screen is built for distribution days: find the household (name, AMKA or one of
today's bookings), see its entitlement (decision, visit limit, basket against stock), confirm
the pickup in one submit, optionally by a proxy. Forms are the API's models, rendered and
parsed by core (`render_form`, `parse_form`), so the same validation and messages apply.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field

from core.api import (
    AppError,
    RequestContext,
    RequestValidationError,
    csrf_token,
    list_beneficiaries,
    parse_form,
    render_form,
    render_page,
    t,
)
from plugins.food_bank import services
from plugins.food_bank.manifest import DISTRIBUTE, READ, STOCK
from plugins.food_bank.schemas import LotCreate, PickupCreate, ProxyIn

Ctx = NamedDependency[RequestContext]


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


def _base(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/food_bank/"


@get("/", name="food_bank.index")
async def index(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(READ)
    stock = await services.stock_summary(ctx)
    settings = await services.settings_for(ctx)
    expiring, _ = await services.list_lots(
        ctx, expiring_within=settings.expiry_warning_days, limit=20
    )
    today = services.today_for(ctx)
    days, _ = await services.list_distribution_days(ctx, start=today, limit=10)
    return await render_page(
        request,
        "food_bank/index.html",
        ctx=ctx,
        title=t("food_bank.title"),
        stock=stock,
        expiring=expiring,
        days=days,
        base=_base(ctx),
    )


@get("/stock", name="food_bank.stock")
async def stock_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(READ)
    return await _stock(request, ctx)


async def _stock(
    request: Request[Any, Any, Any],
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
            LotCreate,
            action=_base(ctx) + "stock",
            values=values,
            errors=errors,
            csrf_token=csrf_token(request.scope),
            submit_label=t("food_bank.web.receive"),
        )
    return await render_page(
        request,
        "food_bank/stock.html",
        ctx=ctx,
        title=t("food_bank.web.stock"),
        stock=await services.stock_summary(ctx),
        lots=lots,
        form=form,
        base=_base(ctx),
        status_code=status,
    )


@post("/stock", name="food_bank.stock.receive")
async def receive(request: Request[Any, Any, Any], ctx: Ctx) -> Any:
    ctx.require(STOCK)
    form = await request.form()
    try:
        await services.receive_lot(ctx, parse_form(LotCreate, form))
    except RequestValidationError as exc:
        return await _stock(request, ctx, values=form, errors=exc, status=422)
    return Redirect(_base(ctx) + "stock", status_code=303)


@get("/pickup", name="food_bank.pickup")
async def pickup_search(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(DISTRIBUTE)
    q = (request.query_params.get("q") or "").strip()
    people: list[dict[str, Any]] = []
    if q:
        people, _ = await list_beneficiaries(q=q, limit=20)
    today = services.today_for(ctx)
    days, _ = await services.list_distribution_days(ctx, start=today, end=today)
    bookings = []
    for day in days:
        for appointment in await services.list_bookings(ctx, day["id"]):
            if appointment.get("status") == "cancelled":
                continue
            for person_id in appointment.get("beneficiary_ids", []):
                bookings.append({"time": appointment["start_local"], "person_id": person_id})
    return await render_page(
        request,
        "food_bank/pickup_search.html",
        ctx=ctx,
        title=t("food_bank.web.pickup"),
        q=q,
        people=people,
        bookings=bookings,
        base=_base(ctx),
    )


async def _pickup(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    person_id: UUID,
    values: Any = None,
    errors: Any = None,
    status: int = 200,
    error: str = "",
) -> Template:
    from core.api import get_person

    person = await get_person(person_id)
    info = await services.entitlement(ctx, person_id)
    form = render_form(
        PickupForm,
        action=_base(ctx) + f"pickup/{person_id}",
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("food_bank.web.confirm"),
    )
    return await render_page(
        request,
        "food_bank/pickup.html",
        ctx=ctx,
        title=t("food_bank.web.pickup"),
        person=person,
        info=info,
        form=form,
        error=error,
        base=_base(ctx),
        status_code=status,
    )


@get("/pickup/{person_id:uuid}", name="food_bank.pickup.person")
async def pickup_person(
    request: Request[Any, Any, Any], ctx: Ctx, person_id: FromPath[UUID]
) -> Template:
    ctx.require(DISTRIBUTE)
    return await _pickup(request, ctx, person_id)


@post("/pickup/{person_id:uuid}", name="food_bank.pickup.confirm")
async def pickup_confirm(
    request: Request[Any, Any, Any], ctx: Ctx, person_id: FromPath[UUID]
) -> Any:
    ctx.require(DISTRIBUTE)
    form = await request.form()
    try:
        data = parse_form(PickupForm, form)
        proxy = None
        if data.by_proxy:
            proxy = ProxyIn(
                name=data.proxy_name,
                document_number=data.proxy_document,
                authorisation=data.proxy_authorisation,
            )
        body = PickupCreate(
            person_id=person_id,
            proxy=proxy,
            override=data.override,
            override_reason=data.override_reason,
        )
    except RequestValidationError as exc:
        return await _pickup(request, ctx, person_id, values=form, errors=exc, status=422)
    except Exception as exc:  # pydantic's ValidationError from the nested models
        from pydantic import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        failure = RequestValidationError.from_pydantic(exc)
        return await _pickup(request, ctx, person_id, values=form, errors=failure, status=422)
    try:
        pickup = await services.create_pickup(ctx, body)
    except RequestValidationError as exc:
        return await _pickup(
            request,
            ctx,
            person_id,
            values=form,
            errors=exc,
            status=422,
            error=exc.errors[0].message if exc.errors else exc.detail,
        )
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        message = exc.errors[0].message if exc.errors else exc.detail
        return await _pickup(
            request, ctx, person_id, values=form, status=exc.status_code, error=message
        )
    return Redirect(_base(ctx) + f"pickups/{pickup['id']}", status_code=303)


@get("/pickups/{pickup_id:uuid}", name="food_bank.pickup.done")
async def pickup_done(
    request: Request[Any, Any, Any], ctx: Ctx, pickup_id: FromPath[UUID]
) -> Template:
    ctx.require(READ)
    pickup = await services.get_pickup(ctx, pickup_id)
    return await render_page(
        request,
        "food_bank/pickup_done.html",
        ctx=ctx,
        title=t("food_bank.web.pickup_done"),
        pickup=pickup,
        base=_base(ctx),
    )


@get("/donations/{donation_id:uuid}/receipt", name="food_bank.donation.receipt")
async def donation_receipt(
    request: Request[Any, Any, Any], ctx: Ctx, donation_id: FromPath[UUID]
) -> Template:
    ctx.require(STOCK)
    donation = await services.get_donation(ctx, donation_id)
    donor = await services.get_donor(donation["donor_id"])
    return await render_page(
        request,
        "food_bank/receipt.html",
        ctx=ctx,
        title=t("food_bank.web.receipt"),
        donation=donation,
        donor=donor,
        base=_base(ctx),
    )


PAGES: list[Any] = [
    index,
    stock_page,
    receive,
    pickup_search,
    pickup_person,
    pickup_confirm,
    pickup_done,
    donation_receipt,
]
