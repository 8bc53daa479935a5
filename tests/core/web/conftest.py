"""Helpers for the staff UI tests: a browser-like client with its own cookie jar, signing
in through the login form, reading forms out of HTML."""

from __future__ import annotations

from html.parser import HTMLParser

from core.testing import csrf_of, sign_in

# The test kit's pieces (core/testing.py): its `browser` fixture is used as it is.
csrf_token = csrf_of
__all__ = ["csrf_token", "sign_in"]


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
