"""Greek text: normalisation for search, ELOT 743 transliteration, Greeklish matching.

* `fold` — the key for case-, accent- and final-sigma-insensitive comparison.
* `elot743` — the official Latin form (ELOT 743 = ISO 843 transcription, as on passports).
* `phonetic_key` / `phonetic_variants` — a reduced Latin key under which a Greek name and the
  ways people type it in Latin letters ("Greeklish") meet.
* `normalise_id` — ID-like strings with Latin/Greek look-alike letters unified.
"""

from core.text.greek import elot743, fold, words
from core.text.ids import normalise_id
from core.text.phonetic import phonetic_key, phonetic_variants, query_alternatives

__all__ = [
    "elot743",
    "fold",
    "normalise_id",
    "phonetic_key",
    "phonetic_variants",
    "query_alternatives",
    "words",
]
