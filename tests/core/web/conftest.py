"""Helpers for the staff UI tests: a browser-like client with its own cookie jar, signing
in through the login form, reading forms out of HTML."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

TOKEN_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def browser(merimna_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh client per test: cookies (session, CSRF, language) never leak between tests."""
    transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def csrf_token(html: str) -> str:
    found = TOKEN_RE.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


async def sign_in(browser: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await browser.get("/login")
    return await browser.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": csrf_token(page.text)},
    )


class Controls(HTMLParser):
    """Every form control of a page, and the `for` of every label."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea"):
            if tag == "input" and a.get("type") in ("hidden", "submit", "button", "image"):
                return
            self.controls.append({**a, "_tag": tag, "_inside_label": str(self.open_labels)})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels = max(0, self.open_labels - 1)


def unlabelled(html: str) -> list[dict[str, str | None]]:
    parser = Controls()
    parser.feed(html)
    return [
        c
        for c in parser.controls
        if not (c.get("id") and c["id"] in parser.label_for)
        and c.get("_inside_label") == "0"
        and not c.get("aria-label")
        and not c.get("aria-labelledby")
    ]


def controls(html: str) -> list[dict[str, str | None]]:
    parser = Controls()
    parser.feed(html)
    return parser.controls


def html_lang(html: str) -> str | None:
    parser = Controls()
    parser.feed(html)
    return parser.html_lang
