"""A phonetic Latin key under which Greek names and their Greeklish spellings meet.

The Greek name is transliterated (ELOT 743) and reduced; a Latin query is reduced by the same
rules. Reduction merges what Greeklish writers use interchangeably: η/ι/υ/ει/οι -> i,
ω/ο -> o, αι/ε -> e, ου -> u, θ/th/8 -> one letter, χ/ch/kh/x and ξ/ks -> one letter,
μπ/mp/mb/b -> b, ντ/nt/nd -> d, γγ/γκ/ng/gk/gg -> g, αυ/av/af/au -> av, ph -> f, w -> o,
y -> i, and double letters collapse. Letters that are ambiguous in a query ("h" is χ or η,
"b" is μπ or β, "u" is ου or υ) give variants; a stored key is never ambiguous.

Keys use "Q" for θ and "X" for χ/ξ internally, so they never collide with plain letters.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from core.text.greek import elot743, fold
from core.text.ids import normalise_id

MAX_VARIANTS = 8

_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_FIRST_PASS = [
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "Q"),
    (re.compile(r"ch|kh"), "X"),
    (re.compile(r"ks|cs|x"), "X"),
    (re.compile(r"mp|mb"), "B"),  # B: a b that is certainly μπ (no β variant)
    (re.compile(r"nt|nd"), "d"),
    (re.compile(r"gk|gg|ng"), "g"),
    (re.compile(r"ou"), "U"),  # U: a u that is certainly ου (no υ variant)
    (re.compile(r"a[uvf]"), "av"),
    (re.compile(r"e[uvf]"), "ev"),
    (re.compile(r"w"), "o"),
    (re.compile(r"y"), "i"),
    (re.compile(r"j"), "g"),
    (re.compile(r"[cq]"), "k"),
]
_AMBIGUOUS = {"h": ("X", "i"), "b": ("b", "v"), "u": ("u", "i")}
_SECOND_PASS = [
    (re.compile(r"gi(?=[aeiouU])"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"[oe]i"), "i"),
    (re.compile(r"ai"), "e"),
    (re.compile(r"(.)\1+"), r"\1"),
]
# A query that stops inside a digraph ("papadopo" for "papadopoulou") still has to match.
_DIGRAPH_STARTS = set("aeomngtckpi")


def _latin_word(word: str) -> str:
    word = fold(word)
    if _GREEK.search(word):
        word = elot743(word)
    if re.search(r"[a-z]", word):
        word = word.replace("8", "th").replace("3", "ks")
    return re.sub(r"[^a-z0-9]", "", word)


def _reduce(latin: str) -> list[str]:
    text = latin
    for pattern, repl in _FIRST_PASS:
        text = pattern.sub(repl, text)
    slots = [_AMBIGUOUS.get(ch, (ch,)) for ch in text]
    variants: list[str] = []
    for combo in itertools.islice(itertools.product(*slots), MAX_VARIANTS):
        candidate = "".join(combo).replace("B", "b").replace("U", "u")
        for pattern, repl in _SECOND_PASS:
            candidate = pattern.sub(repl, candidate)
        if candidate not in variants:
            variants.append(candidate)
    return variants


@lru_cache(maxsize=65536)
def phonetic_key(word: str) -> str:
    """The stored key of one word (Greek or Latin); unambiguous readings only."""
    variants = _reduce(_latin_word(word))
    return variants[0] if variants else ""


def phonetic_variants(word: str, *, prefix: bool = False) -> list[str]:
    """Keys a typed word may stand for; with `prefix`, also for a word cut mid-digraph."""
    latin = _latin_word(word)
    out = _reduce(latin)
    if prefix and len(latin) > 3 and latin[-1] in _DIGRAPH_STARTS:
        out += [v for v in _reduce(latin[:-1]) if v not in out]
    return out


def query_alternatives(token: str) -> list[str]:
    """Everything one query word may match a stored token by prefix: the folded word, its
    phonetic readings, and for ID-like words the look-alike-normalised form."""
    folded = fold(token)
    alternatives = [folded]
    if any(ch.isdigit() for ch in folded) and any(ch.isalpha() for ch in folded):
        alternatives.append(fold(normalise_id(token)))
    if any(ch.isalpha() for ch in folded):
        alternatives += phonetic_variants(token, prefix=True)
    seen: list[str] = []
    for alt in alternatives:
        if alt and alt not in seen:
            seen.append(alt)
    return seen
