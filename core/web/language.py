"""The language of a page: `?lang=` first, then the `merimna_lang` cookie, else Greek.

The API negotiates from `Accept-Language` (`core.context.RequestIdMiddleware`). Pages do not:
the staff UI is Greek first, and many municipal computers run an English browser whose
header would otherwise decide for the person. The language switch (a plain `?lang=` link, no
script) sets the cookie, so the choice holds for every later page.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from litestar.datastructures import Cookie, Headers
from litestar.types import Scope

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from core.web.csrf import cookie_value

COOKIE = "merimna_lang"
ONE_YEAR = 365 * 24 * 3600


def query_language(scope: Scope) -> str | None:
    for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if key == "lang" and value in LANGUAGES:
            return value
    return None


def page_language(scope: Scope) -> str:
    chosen = query_language(scope) or cookie_value(Headers.from_scope(scope), COOKIE)
    return str(chosen) if chosen in LANGUAGES else DEFAULT_LANGUAGE


def language_cookie(lang: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=COOKIE,
        value=lang,
        path="/",
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def switch_links(path: str, query_string: str) -> dict[str, str]:
    """The current page in each language (other query parameters kept)."""
    params = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k != "lang"]
    return {lang: f"{path}?{urlencode([*params, ('lang', lang)])}" for lang in LANGUAGES}
