"""ID-like strings (ID card numbers, Personal Numbers): one spelling for look-alike letters."""

from __future__ import annotations

import re
import unicodedata

# Capital letters that look the same in both alphabets (FACTS §1.4).
LATIN_TO_GREEK = str.maketrans("ABEZHIKMNOPTYX", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")
GREEK_TO_LATIN = str.maketrans("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX")
_SEPARATORS = re.compile(r"[\s\-./_]+")


def normalise_id(value: str, *, script: str = "greek") -> str:
    """Upper-case, drop spaces, dashes, dots and slashes, and unify look-alike letters.

    `script="greek"` maps Latin look-alikes to Greek (police ID cards are printed in Greek);
    `script="latin"` maps Greek look-alikes to Latin (the Personal Number).
    """
    decomposed = unicodedata.normalize("NFD", value)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    text = _SEPARATORS.sub("", text)
    table = LATIN_TO_GREEK if script == "greek" else GREEK_TO_LATIN
    return text.translate(table)
