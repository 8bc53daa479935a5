"""Folding and ELOT 743 transliteration of Greek text (domain FACTS §7)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONOS = "\u0301"
_DIAERESIS = "\u0308"
_WORD_SPLIT = re.compile(r"[^\w]+|_", re.UNICODE)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The comparison key: NFD, combining marks dropped, casefolded (ς -> σ).

    Latin look-alike letters are deliberately not mapped to Greek here: in names a Latin "H"
    is an "H", and `phonetic_key` is what lets Latin spellings find Greek names. Use
    `normalise_id` for ID-like fields.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.casefold().replace("ς", "σ"))


def words(text: str) -> list[str]:
    """Folded words: split on spaces, hyphens, apostrophes and other punctuation."""
    return [w for w in _WORD_SPLIT.split(fold(text)) if w]


# -- ELOT 743 --------------------------------------------------------------------------------

_SINGLE = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
_VOWELS = set("αεηιουω")
_VOICED = set("βγδζλμνρ")
_GAMMA_CLUSTERS = {"γ": "ng", "κ": "gk", "ξ": "nx", "χ": "nch"}


class _Letter:
    __slots__ = ("base", "diaeresis", "greek", "original", "tonos", "upper")

    def __init__(self, ch: str) -> None:
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        marks = decomposed[1:]
        self.original = ch
        self.upper = base.isupper()
        self.base = base.lower()
        self.tonos = _TONOS in marks or "\u0342" in marks
        self.diaeresis = _DIAERESIS in marks
        self.greek = self.base in _SINGLE


def _case(out: str, letter: _Letter, all_caps: bool) -> str:
    if all_caps:
        return out.upper()
    if letter.upper:
        return out[:1].upper() + out[1:]
    return out


@lru_cache(maxsize=65536)
def elot743(text: str) -> str:
    """Transliterate Greek to Latin per ELOT 743 (type 2, transcription); other text is kept.

    Rules beyond letter-for-letter: ου -> ou; αυ/ευ/ηυ -> av/ev/iv before vowels and voiced
    consonants, af/ef/if before voiceless consonants and at the end of a word (not when the
    first vowel is accented or the υ has a diaeresis); γγ ng, γκ gk, γξ nx, γχ nch; μπ -> b at
    the start or end of a word, mp inside. A digraph from a capital is "Th" in mixed case and
    "TH" in an all-capitals word.
    """
    letters = [_Letter(ch) for ch in unicodedata.normalize("NFC", text)]
    n = len(letters)
    # All-caps flag per position: the word (run of Greek letters) is upper case throughout.
    caps = [False] * n
    i = 0
    while i < n:
        if not letters[i].greek:
            i += 1
            continue
        j = i
        while j < n and letters[j].greek:
            j += 1
        word_caps = (j - i) > 1 and all(lt.upper for lt in letters[i:j])
        for k in range(i, j):
            caps[k] = word_caps
        i = j

    def is_greek(k: int) -> bool:
        return 0 <= k < n and letters[k].greek

    out: list[str] = []
    i = 0
    while i < n:
        cur = letters[i]
        if not cur.greek:
            out.append(cur.original)
            i += 1
            continue
        nxt = letters[i + 1] if is_greek(i + 1) else None
        c = cur.base
        if nxt is not None:
            d = nxt.base
            if c in "αεη" and d == "υ" and not cur.tonos and not nxt.diaeresis:
                after = letters[i + 2].base if is_greek(i + 2) else None
                second = (
                    "v" if after is not None and (after in _VOWELS or after in _VOICED) else "f"
                )
                out.append(_case(_SINGLE[c] + second, cur, caps[i]))
                i += 2
                continue
            if c == "ο" and d == "υ" and not cur.tonos and not nxt.diaeresis:
                out.append(_case("ou", cur, caps[i]))
                i += 2
                continue
            if c == "μ" and d == "π":
                at_edge = not is_greek(i - 1) or not is_greek(i + 2)
                out.append(_case("b" if at_edge else "mp", cur, caps[i]))
                i += 2
                continue
            if c == "γ" and d in _GAMMA_CLUSTERS:
                out.append(_case(_GAMMA_CLUSTERS[d], cur, caps[i]))
                i += 2
                continue
        out.append(_case(_SINGLE[c], cur, caps[i]))
        i += 1
    return "".join(out)
