"""The tenant's records of processing (GDPR art. 30), built from declarations, not personal data.

Core areas are described here (core is one controller-side system); modules describe their
own activities in their manifest (`Manifest.processing`). A module that has not declared any
gets an entry derived from what it does declare (its description, tables, roles and special
categories), marked `declared: false` so the data protection officer knows to complete it.
Retention comes from the tenant's retention policies.
"""

from __future__ import annotations

from typing import Any

from core.gdpr.retention import policies
from core.manifest import ProcessingSpec
from core.plugin_host import PluginHost

# Core areas (plugin name -> activities).
CORE_ACTIVITIES: dict[str, tuple[ProcessingSpec, ...]] = {
    "core.beneficiaries.hooks": (
        ProcessingSpec(
            code="core.beneficiaries",
            purpose_el="Μητρώο ωφελουμένων και νοικοκυριών των κοινωνικών υπηρεσιών του δήμου",
            purpose_en="Register of the beneficiaries and households of the municipal "
            "social services",
            legal_basis="public_task",
            data_subjects_el="Ωφελούμενοι και μέλη των νοικοκυριών τους",
            data_subjects_en="Beneficiaries and the members of their households",
            data_categories_el="Ταυτότητα (ονόματα, ΑΜΚΑ, ΑΦΜ, έγγραφο ταυτότητας), "
            "επικοινωνία, διεύθυνση, σύνθεση νοικοκυριού, κατηγορίες ωφελουμένων",
            data_categories_en="Identity (names, AMKA, AFM, identity document), contact "
            "details, address, household composition, beneficiary categories",
            special_categories=True,
            recipients_el="Εξουσιοδοτημένο προσωπικό του δήμου ανά ρόλο",
            recipients_en="Authorised municipal staff, by role",
            retention_el="Όσο ο φάκελος είναι ενεργός· η διαγραφή ανωνυμοποιεί",
            retention_en="While the file is active; erasure anonymises",
        ),
    ),
    "core.scheduling.hooks": (
        ProcessingSpec(
            code="core.scheduling",
            purpose_el="Προγραμματισμός ραντεβού, επισκέψεων κατ' οίκον και ομάδων",
            purpose_en="Scheduling appointments, home visits and groups",
            data_subjects_el="Ωφελούμενοι, προσωπικό",
            data_subjects_en="Beneficiaries, staff",
            data_categories_el="Ημερομηνίες, υπηρεσία, τόπος, "
            "σημειώσεις έκβασης (κρυπτογραφημένες)",
            data_categories_en="Dates, service, place, outcome notes (encrypted)",
            recipients_el="Εξουσιοδοτημένο προσωπικό του δήμου",
            recipients_en="Authorised municipal staff",
        ),
    ),
    "core.referrals.hooks": (
        ProcessingSpec(
            code="core.referrals",
            purpose_el="Παραπομπές σε υπηρεσίες του δήμου και σε άλλους φορείς",
            purpose_en="Referrals to municipal services and to other agencies",
            legal_basis="consent",
            data_subjects_el="Ωφελούμενοι",
            data_subjects_en="Beneficiaries",
            data_categories_el="Λόγος και έκβαση παραπομπής (κρυπτογραφημένα), φορέας, νομική βάση",
            data_categories_en="Reason and outcome of the referral (encrypted), agency, "
            "legal basis",
            special_categories=True,
            recipients_el="Ο φορέας στον οποίο γίνεται η παραπομπή, με συγκατάθεση ή εκ του νόμου",
            recipients_en="The agency referred to, with consent or where the law requires",
        ),
    ),
    "core.casework.hooks": (
        ProcessingSpec(
            code="core.casework",
            purpose_el="Κοινωνική εργασία: σημειώσεις περίπτωσης και συγκαταθέσεις",
            purpose_en="Social casework: case notes and consents",
            data_subjects_el="Ωφελούμενοι",
            data_subjects_en="Beneficiaries",
            data_categories_el="Σημειώσεις (κρυπτογραφημένες, με περιορισμό πρόσβασης), "
            "συγκαταθέσεις",
            data_categories_en="Notes (encrypted, access restricted), consents",
            special_categories=True,
            recipients_el="Οι επαγγελματίες της περίπτωσης",
            recipients_en="The professionals of the case",
            retention_el="Οι συγκαταθέσεις διατηρούνται ως απόδειξη (ΓΚΠΔ άρθ. 7 παρ. 1)",
            retention_en="Consents are kept as proof (GDPR art. 7(1))",
        ),
    ),
    "core.documents.hooks": (
        ProcessingSpec(
            code="core.documents",
            purpose_el="Αρχείο δικαιολογητικών και εγγράφων του φακέλου",
            purpose_en="Register of supporting documents of the file",
            data_subjects_el="Ωφελούμενοι",
            data_subjects_en="Beneficiaries",
            data_categories_el="Έγγραφα (κρυπτογραφημένα αρχεία)",
            data_categories_en="Documents (encrypted files)",
            special_categories=True,
            recipients_el="Εξουσιοδοτημένο προσωπικό του δήμου",
            recipients_en="Authorised municipal staff",
        ),
    ),
    "core.audit.hooks": (
        ProcessingSpec(
            code="core.audit",
            purpose_el="Ίχνος ελέγχου πρόσβασης και μεταβολών (ασφάλεια επεξεργασίας)",
            purpose_en="Audit trail of access and changes (security of processing)",
            legal_basis="legal_obligation",
            data_subjects_el="Προσωπικό (ενέργειες)· αναγνωριστικά εγγραφών χωρίς ονόματα",
            data_subjects_en="Staff (actions); record ids without names",
            data_categories_el="Χρήστης, ενέργεια, αναγνωριστικό εγγραφής, χρόνος, διεύθυνση",
            data_categories_en="User, action, record id, time, address",
            recipients_el="Διαχειριστές του φορέα",
            recipients_en="Tenant administrators",
        ),
    ),
}

BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interest",
    "public_task",
    "legitimate_interest",
)


def _lang(spec: ProcessingSpec, name: str, lang: str) -> str:
    return str(getattr(spec, f"{name}_{'en' if lang == 'en' else 'el'}"))


def _activity(
    spec: ProcessingSpec, area: str, declared: bool, tables: list[str], lang: str
) -> dict[str, Any]:
    return {
        "code": spec.code,
        "area": area,
        "declared": declared,
        "purpose": _lang(spec, "purpose", lang),
        "legal_basis": spec.legal_basis,
        "data_subjects": _lang(spec, "data_subjects", lang),
        "data_categories": _lang(spec, "data_categories", lang),
        "special_categories": spec.special_categories,
        "recipients": _lang(spec, "recipients", lang),
        "retention": _lang(spec, "retention", lang),
        "tables": tables,
    }


async def records_of_processing(
    host: PluginHost, enabled: frozenset[str], lang: str
) -> dict[str, Any]:
    """Core areas, then the tenant's enabled modules, then the retention policies."""
    tables = {
        name: sorted(t._meta.tablename for t in found) for name, found in host.tables_by_plugin()
    }
    activities: list[dict[str, Any]] = []
    for plugin_name, specs in CORE_ACTIVITIES.items():
        area = plugin_name.removesuffix(".hooks")
        for spec in specs:
            activities.append(_activity(spec, area, True, tables.get(plugin_name, []), lang))
    for slug in sorted(enabled):
        info = host.modules.get(slug)
        if info is None:
            continue
        manifest = info.manifest
        own = tables.get(slug, [])
        if manifest.processing:
            for spec in manifest.processing:
                activities.append(_activity(spec, slug, True, own, lang))
            continue
        special = [c.code for c in manifest.categories if c.special]
        roles = sorted(
            {r.code for r in manifest.roles}
            | {role for p in manifest.permissions for role in p.roles}
        )
        derived = ProcessingSpec(
            code=slug,
            purpose_el=manifest.description_el or manifest.title_el,
            purpose_en=manifest.description_en or manifest.title_en,
            data_categories_el=", ".join(own),
            data_categories_en=", ".join(own),
            special_categories=bool(special),
            recipients_el=", ".join(roles),
            recipients_en=", ".join(roles),
        )
        activities.append(_activity(derived, slug, False, own, lang))
    retention = [
        {
            "record_type": p.record_type,
            "months": p.months,
            "action": p.action,
            "default": p.is_default,
        }
        for p in await policies()
    ]
    return {"activities": activities, "retention": retention}
