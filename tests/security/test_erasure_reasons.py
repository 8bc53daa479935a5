"""Every reason an erasure gives for keeping records reaches the user in Greek and English.

Plugins answer `merimna_erase_person` with reasons that are either a message key
(`food_bank.pickups_teba_audit`) or a message already in the request's language. A key missing
from a catalogue reaches the user as the bare code (with a generic sentence around it), and a
message whose English text is missing falls back to the Greek one. The test asks every plugin
to erase every person of the seeded municipality (all modules, demo data), once in each
language, inside a transaction it rolls back, and checks each reason.
"""

from __future__ import annotations

import re

from core.i18n import LANGUAGES, catalogue, set_language, t
from tests.security.conftest import World


class _Undo(Exception):
    """Rolls the erasures back: the world stays as seeded for the other tests."""


async def _reasons_of_everyone(world: World, lang: str) -> list[tuple[str, list[str]]]:
    from core import db
    from core.beneficiaries.tables import Beneficiary
    from core.i18n import _language
    from core.plugin_host import get_host
    from tenants.resolution import load_tenant
    from tenants.scoping import tenant_context

    tenant = await load_tenant(world.a.tenant.slug)
    assert tenant is not None and len(tenant.modules) >= 4
    hooks = get_host().all_plugins()
    out: list[tuple[str, list[str]]] = []
    token = set_language(lang)
    try:
        with tenant_context(tenant.id):
            try:
                async with db.transaction():
                    await db.set_rls_tenant(tenant.id)
                    people = await Beneficiary.select(Beneficiary.id).order_by(Beneficiary.id)
                    for row in people:
                        reasons = await hooks.erase_person(tenant=tenant.ref, person_id=row["id"])
                        out.append((str(row["id"]), list(reasons)))
                    raise _Undo
            except _Undo:
                pass
    finally:
        _language.reset(token)  # type: ignore[arg-type]
    return out


def _looks_like_code(reason: str) -> bool:
    return " " not in reason and "." in reason  # as core.gdpr.services.retained_reason


async def test_every_retention_reason_has_greek_and_english_text(world: World) -> None:
    greek = await _reasons_of_everyone(world, "el")
    english = await _reasons_of_everyone(world, "en")
    assert [p for p, _ in greek] == [p for p, _ in english]
    failures: list[str] = []
    kinds: set[str] = set()
    for (person, el), (_, en) in zip(greek, english, strict=True):
        assert len(el) == len(en), (person, el, en)
        for el_reason, en_reason in zip(el, en, strict=True):
            if _looks_like_code(el_reason) or _looks_like_code(en_reason):
                code = el_reason if _looks_like_code(el_reason) else en_reason
                kinds.add(code)
                for lang in LANGUAGES:
                    if code not in catalogue(lang):
                        failures.append(f"reason code {code!r} has no {lang} text")
            else:
                kinds.add(re.sub(r"\d+", "N", en_reason))
                if el_reason == en_reason:
                    failures.append(f"reason without an English text: {el_reason!r}")
    assert not failures, "\n".join(sorted(set(failures)))
    # The demo data makes several plugins keep records: the check above saw real reasons.
    assert len(kinds) >= 3, kinds


def test_erasure_texts_exist_in_both_languages() -> None:
    """Reasons the demo data does not trigger: every erasure/retention message key of every
    installed plugin has both texts (catalogues load when the plugins do)."""
    from core.plugin_host import get_host

    get_host()
    pattern = re.compile(r"(\.erase\.|retention|retained|_audit$)")
    keys = {lang: {k for k in catalogue(lang) if pattern.search(k)} for lang in LANGUAGES}
    assert keys["el"] == keys["en"], keys["el"] ^ keys["en"]
    assert "gdpr.erase.retained_code" in keys["el"]
    assert t("gdpr.erase.retained_code", "en") != t("gdpr.erase.retained_code", "el")
