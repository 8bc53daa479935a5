"""Greek folding, ELOT 743 and Greeklish matching, table by table."""

from __future__ import annotations

import pytest

from core.beneficiaries.search import matches, person_tokens, plan
from core.text import elot743, fold, normalise_id, phonetic_key, phonetic_variants, words


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Παπαδοπούλου", "ΠΑΠΑΔΟΠΟΥΛΟΥ"),
        ("Παπαδοπούλου Ελένη", "ΠΑΠΑΔΟΠΟΥΛΟΥ ελενη"),
        ("ΟΔΟΣ", "οδος"),
        ("οδός", "ΟΔΟΣ"),
        ("Σ", "ς"),
        ("ς", "σ"),
        ("Ϊ", "ι"),
        ("ΐ", "ι"),
        ("Άρης", "αρησ"),
    ],
)
def test_fold_equal(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_fold_keeps_latin_look_alikes_apart() -> None:
    assert fold("H") != fold("Η")  # Latin H vs Greek Eta: names are not ID numbers
    assert fold("ΟΔΟΣ").endswith("σ")


def test_words_split_hyphens_and_punctuation() -> None:
    assert words("Παπαδοπούλου-Νικολάου, Ελένη") == ["παπαδοπουλου", "νικολαου", "ελενη"]


@pytest.mark.parametrize(
    ("greek", "latin"),
    [
        ("Παπαδοπούλου", "Papadopoulou"),
        ("ΠΑΠΑΔΟΠΟΥΛΟΥ", "PAPADOPOULOU"),
        ("Μπαλής", "Balis"),
        ("Γκεσούλης", "Gkesoulis"),
        ("Ευάγγελος", "Evangelos"),
        ("αυτός", "aftos"),
        ("Αύγουστος", "Avgoustos"),
        ("Ευθύμιος", "Efthymios"),
        ("Θεόδωρος", "Theodoros"),
        ("ΘΕΟΔΩΡΟΣ", "THEODOROS"),
        ("Χρήστος", "Christos"),
        ("ΧΡΗΣΤΟΣ", "CHRISTOS"),
        ("Ψυχάρης", "Psycharis"),
        ("Ξανθή", "Xanthi"),
        ("Λάμπρος", "Lampros"),
        ("Κολόμβος", "Kolomvos"),
        ("Ντίνα", "Ntina"),
        ("Άγγελος", "Angelos"),
        ("Σφίγξ", "Sfinx"),
        ("Μελαγχολία", "Melancholia"),
        ("Γιώργος", "Giorgos"),
        ("Ευαγγελία-Μαρία", "Evangelia-Maria"),
        ("άυλος", "aylos"),  # accent on the α: no diphthong
        ("Ταΰγετος", "Taygetos"),  # diaeresis: υ is a vowel of its own
        ("Εύα", "Eva"),
        ("Σταύρος", "Stavros"),
        ("ευχή", "efchi"),
        ("Μπουμπούλινα", "Boumpoulina"),
        ("Κομπ", "Kob"),
        ("Αθήνα 2024", "Athina 2024"),
    ],
)
def test_elot743(greek: str, latin: str) -> None:
    assert elot743(greek) == latin


@pytest.mark.parametrize(
    ("greek", "typed"),
    [
        ("Παπαδοπούλου", "papadopoulou"),
        ("Παπαδοπούλου", "papadopulu"),
        ("Παπαδοπούλου", "Papadopoulou"),
        ("Παπαδόπουλος", "papadopoulos"),
        ("Γιώργος", "giorgos"),
        ("Γιώργος", "yiorgos"),
        ("Γιώργος", "giwrgos"),
        ("Χρήστος", "xristos"),
        ("Χρήστος", "christos"),
        ("Χρήστος", "hristos"),
        ("Ελένη", "elenh"),
        ("Ελένη", "eleni"),
        ("Σταύρος", "stavros"),
        ("Θεόδωρος", "8eodwros"),
        ("Θεόδωρος", "theodoros"),
        ("Ξανθή", "ksanthi"),
        ("Ξανθή", "xanthi"),
        ("Αλέξανδρος", "aleksandros"),
        ("Ψάλτης", "psaltis"),
        ("Φώτης", "photis"),
        ("Φώτης", "fotis"),
        ("Μπαλής", "balis"),
        ("Μπαλής", "mpalis"),
        ("Βασίλης", "basilis"),
        ("Λάμπρος", "lambros"),
        ("Ευάγγελος", "evaggelos"),
        ("Βαγγέλης", "vangelis"),
        ("Κωνσταντίνος", "konstantinos"),
        ("Αντώνης", "andonis"),
        ("Αικατερίνη", "ekaterini"),
        ("Κυριάκος", "kuriakos"),
        ("Παναγιώτης", "panayiotis"),
        ("Ευθύμιος", "efthimios"),
        ("Γκεσούλης", "gesoulis"),
    ],
)
def test_greeklish_finds_greek(greek: str, typed: str) -> None:
    assert phonetic_key(greek) in phonetic_variants(typed)


def test_phonetic_key_is_unambiguous_for_greek() -> None:
    assert phonetic_variants("Παπαδοπούλου")[:1] == [phonetic_key("Παπαδοπούλου")]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("papadopoulou", True),
        ("papadopulu", True),
        ("ΠΑΠΑΔΟΠΟΥΛΟΥ", True),
        ("Παπαδοπουλου", True),
        ("Ελένη Παπαδοπούλου", True),
        ("Παπαδοπούλου Ελένη", True),
        ("Παπαδοπούλου-Νικολάου", True),
        ("Νικολάου", True),
        ("nikolaou", True),
        ("Papadopo", True),
        ("Παπαδ Ελ", True),
        ("Παπαδοπούλου Μαρία", False),
        ("Γεωργίου", False),
    ],
)
def test_search_plan(query: str, found: bool) -> None:
    tokens = person_tokens({"first_name": "Ελένη", "last_name": "Παπαδοπούλου-Νικολάου"})
    assert matches(plan(query), tokens) is found


@pytest.mark.parametrize(
    ("raw", "greek", "latin"),
    [
        ("AB 123456", "ΑΒ123456", "AB123456"),
        ("ab-123456", "ΑΒ123456", "AB123456"),
        ("Χ 123456", "Χ123456", "X123456"),
        ("ΑΚ.123.456", "ΑΚ123456", "AK123456"),
    ],
)
def test_normalise_id(raw: str, greek: str, latin: str) -> None:
    assert normalise_id(raw) == greek
    assert normalise_id(raw, script="latin") == latin
