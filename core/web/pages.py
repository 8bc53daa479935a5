"""Rendering a page: the variables every template gets, and the HTML error page.

Templates extend `base.html`, which expects the variables of `base_context`: the language and
its switch links, the CSRF token, the user, the tenant and its menu (from the
`merimna_menu_items` hook). Handlers call `render`; the middleware calls `error_page` for
refusals that never reached a handler (a missing membership, an expired session).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Template
from litestar.types import Scope
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from core.i18n import get_language, t
from core.web import vendor
from core.web.csrf import FIELD
from core.web.language import switch_links

if TYPE_CHECKING:
    from core.context import RequestContext


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    is_consortium_admin: bool = False

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class Link:
    href: str
    title: str
    current: bool = False


def localized(obj: Any, attr: str, lang: str | None = None) -> str:
    """`obj.{attr}_el` or `obj.{attr}_en` in the page's language (the other one if empty)."""
    lang = lang or get_language()
    other = "en" if lang == "el" else "el"
    value = getattr(obj, f"{attr}_{lang}", "") or getattr(obj, f"{attr}_{other}", "")
    return str(value or "")


def tenant_root(slug: str) -> str:
    return f"/t/{slug}/"


def tenant_href(slug: str, path: str | None) -> str:
    """A spec's path (relative to the tenant's UI root) as an absolute URL path."""
    if path is None:
        return ""
    if path.startswith("/"):
        return path
    return tenant_root(slug) + path.lstrip("/")


def csrf_token(scope: Scope) -> str:
    token = ScopeState.from_scope(scope).csrf_token
    return token if isinstance(token, str) else ""


def csrf_field(token: str) -> Markup:
    if not token:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token)


def menu(ctx: RequestContext, current_path: str) -> list[Link]:
    items = [
        item
        for item in ctx.hooks.menu_items(ctx)
        if item.permission is None or ctx.has(item.permission)
    ]
    items.sort(key=lambda item: (item.order, item.id))
    root = tenant_root(ctx.tenant.slug)
    links = []
    for item in items:
        href = tenant_href(ctx.tenant.slug, item.path)
        here = current_path.rstrip("/") + "/"
        # Home is current only on the home page; any other entry also below its path.
        current = here == root if href == root else here.startswith(href.rstrip("/") + "/")
        links.append(Link(href, localized(item, "title"), current))
    return links


def tenant_name(ctx: RequestContext | None, lang: str | None = None) -> str:
    if ctx is None:
        return ""
    lang = lang or get_language()
    return (ctx.tenant.name_en if lang == "en" else "") or ctx.tenant.name


def base_context(
    scope: Scope,
    *,
    ctx: RequestContext | None = None,
    user: UserView | None = None,
    with_menu: bool = True,
) -> dict[str, Any]:
    lang = get_language()
    path = str(scope.get("path", "/"))
    query = scope.get("query_string", b"").decode("latin-1")
    token = csrf_token(scope)
    return {
        "lang": lang,
        "lang_links": switch_links(path, query),
        "current_path": path,
        "csrf": token,
        "csrf_field": csrf_field(token),
        "htmx_url": vendor.htmx_url(),
        "user": user,
        "ctx": ctx,
        "tenant_slug": ctx.tenant.slug if ctx else "",
        "tenant_name": tenant_name(ctx, lang),
        "home_href": tenant_root(ctx.tenant.slug) if ctx else "/",
        "menu": menu(ctx, path) if ctx is not None and with_menu else [],
    }


async def user_view(user_id: Any) -> UserView | None:
    from core.auth.tables import User

    row = (
        await User.select(User.username, User.display_name, User.is_consortium_admin)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        return None
    return UserView(row["username"], row["display_name"] or "", bool(row["is_consortium_admin"]))


async def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    ctx: RequestContext | None = None,
    user: UserView | None = None,
    title: str = "",
    status_code: int = 200,
    cookies: Iterable[Cookie] = (),
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Template:
    """A page: `template` with the base variables, the page's `title` and `context`."""
    if user is None and ctx is not None:
        user = await user_view(ctx.user_id)
    variables = base_context(request.scope, ctx=ctx, user=user)
    variables.update(page_title=title, **context)
    return Template(
        template_name=template,
        context=variables,
        status_code=status_code,
        cookies=list(cookies),
        headers=dict(headers or {}),
        media_type="text/html; charset=utf-8",
    )


def error_page(scope: Scope, status: int, code: str, detail: str) -> bytes:
    """The HTML for a refusal on a page path, in the page's language."""
    app = scope.get("app")
    engine = getattr(app, "template_engine", None)
    title = t(f"web.error.{status}")
    if title == f"web.error.{status}":
        title = t("web.error.title")
    if engine is None:  # no template engine: a bare page, still readable
        return str(
            Markup("<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>").format(
                title, title, detail
            )
        ).encode()
    variables = base_context(scope)
    variables.update(page_title=title, status=status, code=code, detail=detail)
    return engine.get_template("error.html").render(**variables).encode()
