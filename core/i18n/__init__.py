"""Messages in Greek (default) and English.

Catalogues are flat JSON files, `el.json` and `en.json`, in `core/i18n/` and in any plugin's
`locales/` folder; keys are namespaced (`error.not_found`, `help_at_home.form.katz.bathing`).
The request's language lives in a ContextVar set from `Accept-Language`, so services and
validators can produce messages without passing a language around.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from pathlib import Path

LANGUAGES = ("el", "en")
DEFAULT_LANGUAGE = "el"

_language: ContextVar[str] = ContextVar("merimna_language", default=DEFAULT_LANGUAGE)
_catalogues: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
_loaded_dirs: set[Path] = set()
# Which folder gave each key, and keys that a later folder gave another text: the catalogue is
# one flat namespace, so such a key would read differently depending on load order.
_owners: dict[tuple[str, str], Path] = {}
_conflicts: list[tuple[str, str, Path, Path]] = []


def load_catalogue_dir(folder: Path) -> None:
    """Merge `el.json` / `en.json` from a folder (core's own, or a plugin's `locales/`)."""
    folder = folder.resolve()
    if folder in _loaded_dirs:
        return
    _loaded_dirs.add(folder)
    for lang in LANGUAGES:
        path = folder / f"{lang}.json"
        if not path.exists():
            continue
        messages: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        for key, text in messages.items():
            owner = _owners.setdefault((lang, key), folder)
            if owner != folder and _catalogues[lang].get(key) != text:
                _conflicts.append((lang, key, owner, folder))
        _catalogues[lang].update(messages)


def conflicts(folder: Path | None = None) -> list[str]:
    """Keys a folder's catalogue (or any) defines with another text than an earlier one."""
    chosen = folder.resolve() if folder else None
    return [
        f"{lang}: {key!r} redefined by {new} (first defined by {first})"
        for lang, key, first, new in _conflicts
        if chosen is None or chosen in (first, new)
    ]


load_catalogue_dir(Path(__file__).parent)


def catalogue(lang: str) -> dict[str, str]:
    return _catalogues[lang]


def get_language() -> str:
    return _language.get()


def set_language(lang: str) -> object:
    return _language.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def negotiate(accept_language: str | None) -> str:
    """Pick el or en from an Accept-Language header; Greek unless English is preferred."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in accept_language.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower().split("-")[0]
        q = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        if tag in LANGUAGES and q > best_q:
            best, best_q = tag, q
    return best


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Translate `key`; fall back to the other language, then to the key itself."""
    lang = lang or get_language()
    text = _catalogues.get(lang, {}).get(key)
    if text is None:
        for other in LANGUAGES:
            text = _catalogues[other].get(key)
            if text is not None:
                break
    if text is None:
        return key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
