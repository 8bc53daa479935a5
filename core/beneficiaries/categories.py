"""Beneficiary category codes: core ones, modules' `{module}.{code}`, tenants' `local.{code}`.

Codes that reveal special categories of data (GDPR art. 9: ethnic origin, health,
disability) carry `special=True`: they are shown, set and searched only by roles allowed to see
special categories; to everyone else they do not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.i18n import get_language
from core.manifest import CategorySpec

LOCAL_PREFIX = "local."

CORE_CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        code="min_income",
        title_el="Δικαιούχος Ελάχιστου Εγγυημένου Εισοδήματος",
        title_en="Minimum guaranteed income recipient",
    ),
    CategorySpec(code="unemployed", title_el="Άνεργος/η", title_en="Unemployed"),
    CategorySpec(
        code="long_term_unemployed",
        title_el="Μακροχρόνια άνεργος/η",
        title_en="Long-term unemployed",
    ),
    CategorySpec(
        code="third_country_national",
        title_el="Υπήκοος τρίτης χώρας",
        title_en="Third-country national",
    ),
    CategorySpec(
        code="disability",
        title_el="Άτομο με αναπηρία",
        title_en="Person with disability",
        special=True,
    ),
    CategorySpec(code="roma", title_el="Ρομά", title_en="Roma", special=True),
    CategorySpec(code="homeless", title_el="Άστεγος/η", title_en="Homeless"),
    CategorySpec(code="single_parent", title_el="Μονογονεϊκή οικογένεια", title_en="Single parent"),
    CategorySpec(
        code="elderly_alone",
        title_el="Ηλικιωμένος/η που ζει μόνος/η",
        title_en="Older person living alone",
    ),
    CategorySpec(code="uninsured", title_el="Ανασφάλιστος/η", title_en="Uninsured"),
    CategorySpec(code="large_family", title_el="Πολύτεκνη οικογένεια", title_en="Large family"),
)
CORE_CODES = frozenset(c.code for c in CORE_CATEGORIES)


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    title_el: str
    title_en: str
    special: bool
    source: str  # core | module | local

    @property
    def title(self) -> str:
        return self.title_el if get_language() == "el" else (self.title_en or self.title_el)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "title_el": self.title_el,
            "title_en": self.title_en,
            "special": self.special,
            "source": self.source,
        }


def _source(code: str) -> str:
    if code.startswith(LOCAL_PREFIX):
        return "local"
    return "module" if "." in code else "core"


async def local_categories(*, active_only: bool = True) -> list[CategoryInfo]:
    from core.beneficiaries.tables import CategoryCode

    query = CategoryCode.select(
        CategoryCode.code, CategoryCode.title_el, CategoryCode.title_en, CategoryCode.special
    ).order_by(CategoryCode.code)
    if active_only:
        query = query.where(CategoryCode.active == True)  # noqa: E712
    return [
        CategoryInfo(
            r["code"], r["title_el"], r["title_en"] or r["title_el"], r["special"], "local"
        )
        for r in await query
    ]


def _manifest_specs(modules: Iterable[str]) -> list[CategorySpec]:
    """Categories modules declare in their manifest (as data rather than through the hook)."""
    from core.plugin_host import get_host

    host = get_host()
    specs: list[CategorySpec] = []
    for slug in modules:
        info = host.modules.get(slug)
        if info is None:
            continue
        for spec in info.manifest.categories:
            code = spec.code if "." in spec.code else f"{slug}.{spec.code}"
            specs.append(spec.model_copy(update={"code": code}))
    return specs


async def tenant_categories(hooks: Any, modules: Iterable[str] = ()) -> dict[str, CategoryInfo]:
    """Codes a person of this tenant may be given: core, enabled modules, the tenant's own."""
    out: dict[str, CategoryInfo] = {}
    for spec in [*hooks.categories(), *_manifest_specs(modules)]:
        out[spec.code] = CategoryInfo(
            spec.code, spec.title_el, spec.title_en, spec.special, _source(spec.code)
        )
    for info in await local_categories():
        out[info.code] = info
    return out


async def all_known_categories() -> dict[str, CategoryInfo]:
    """Every code any installed plugin declares, enabled or not, plus the tenant's own
    (active or not): whether a stored code is special must not depend on enablement."""
    from core.plugin_host import get_host

    host = get_host()
    out: dict[str, CategoryInfo] = {}
    for spec in [*host.all_plugins().categories(), *_manifest_specs(host.modules)]:
        out[spec.code] = CategoryInfo(
            spec.code, spec.title_el, spec.title_en, spec.special, _source(spec.code)
        )
    for info in await local_categories(active_only=False):
        out[info.code] = info
    return out


def visible_codes(
    codes: list[str], known: dict[str, CategoryInfo], sees_special: bool
) -> list[str]:
    """The codes a user may see: all for special-category roles; for others only codes known
    not to be special (an unknown code might be special, so it is hidden too)."""
    if sees_special:
        return list(codes)
    return [c for c in codes if c in known and not known[c].special]
