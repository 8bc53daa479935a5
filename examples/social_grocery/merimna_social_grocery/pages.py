"""Staff web pages, mounted by the core under `/t/{tenant}/social_grocery/`."""

from __future__ import annotations

from typing import Any

from core.api import (
    AppError,
    RequestContext,
    RequestValidationError,
    csrf_token,
    parse_form,
    render_form,
    render_page,
    t,
)
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from merimna_social_grocery import services
from merimna_social_grocery.manifest import READ, WRITE
from merimna_social_grocery.schemas import KIND_TITLES, CardIn, EntryIn

Ctx = NamedDependency[RequestContext]


async def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    values: Any = None,
    errors: RequestValidationError | AppError | None = None,
) -> Template:
    rows, _ = await services.list_entries(ctx, person_id=None, limit=50, cursor=None)
    kinds = KIND_TITLES.get(ctx.language, KIND_TITLES["el"])
    form = None
    if ctx.has(WRITE):
        form = render_form(
            EntryIn,
            action=request.url.path,
            values=values,
            errors=errors if isinstance(errors, RequestValidationError) else None,
            csrf_token=csrf_token(request.scope),
            submit_label=t("social_grocery.entries.save"),
        )
    problem = ""
    if isinstance(errors, AppError) and not isinstance(errors, RequestValidationError):
        problem = errors.detail
    return await render_page(
        request,
        "social_grocery/entries.html",
        ctx=ctx,
        title=t("social_grocery.entries.title"),
        entries=[{**row, "kind_title": kinds[row["kind"]]} for row in rows],
        form=form,
        problem=problem,
        status_code=422 if errors else 200,
    )


@get("/", name="social_grocery.entries")
async def entries_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(READ)
    return await _page(request, ctx)


@post("/", name="social_grocery.entries.create")
async def entries_create(request: Request[Any, Any, Any], ctx: Ctx) -> Template | Redirect:
    ctx.require(WRITE)
    submitted = await request.form()
    try:
        await services.create_entry(ctx, parse_form(EntryIn, submitted))
    except AppError as exc:  # shown on the page; the request's transaction rolls back
        return await _page(request, ctx, values=submitted, errors=exc)
    return Redirect(request.url.path, status_code=303)


# -- cards ------------------------------------------------------------------------------------


async def _cards(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    values: Any = None,
    errors: RequestValidationError | None = None,
) -> Template:
    rows, _ = await services.list_cards(ctx, person_id=None, limit=50, cursor=None)
    form = None
    if ctx.has(WRITE):
        form = render_form(
            CardIn,
            action=request.url.path,
            values=values,
            errors=errors,
            csrf_token=csrf_token(request.scope),
            submit_label=t("social_grocery.cards.decide"),
        )
    cards = [
        {
            **row,
            "status_title": t(f"social_grocery.cards.{row['status']}"),
            "reason_titles": [t(f"social_grocery.reason.{r}") for r in row["reasons"]],
        }
        for row in rows
    ]
    return await render_page(
        request,
        "social_grocery/cards.html",
        ctx=ctx,
        title=t("social_grocery.cards.title"),
        cards=cards,
        form=form,
        status_code=422 if errors else 200,
    )


@get("/cards", name="social_grocery.cards")
async def cards_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(READ)
    return await _cards(request, ctx)


@post("/cards", name="social_grocery.cards.create")
async def cards_create(request: Request[Any, Any, Any], ctx: Ctx) -> Template | Redirect:
    ctx.require(WRITE)
    submitted = await request.form()
    try:
        await services.decide_card(ctx, parse_form(CardIn, submitted))
    except RequestValidationError as exc:
        return await _cards(request, ctx, values=submitted, errors=exc)
    return Redirect(request.url.path, status_code=303)


PAGES = [entries_page, entries_create, cards_page, cards_create]
