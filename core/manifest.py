"""Declarations a plugin hands to the core: data, not behaviour.

A module's manifest, and the small spec records that hooks return (roles, permissions,
categories, services, reports), are frozen pydantic models so that the core can validate them
at start-up and the contract tests can check every module the same way.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class RoleSpec(Spec):
    """A role staff can hold in a tenant (core roles, or one a module adds)."""

    code: str
    title_el: str
    title_en: str
    # Roles allowed to see special categories of data (health, ethnic origin).
    sees_special_categories: bool = False
    # Permissions declared elsewhere (core's `beneficiaries.read`, `documents.write`...) that
    # a module's role also holds: a module cannot redeclare another plugin's permission.
    grants: tuple[str, ...] = ()


class PermissionSpec(Spec):
    """An action or area, and the roles that have it unless a tenant says otherwise."""

    code: str
    title_el: str
    title_en: str
    roles: tuple[str, ...] = ()


class CategorySpec(Spec):
    """A beneficiary category code (`min_income`, `roma`, or `{module}.{code}`)."""

    code: str
    title_el: str
    title_en: str
    special: bool = False  # reveals a special category of data (GDPR art. 9)


class ServiceSpec(Spec):
    """A bookable service; `code` is `core.{name}` or `{module}.{name}`."""

    code: str
    title_el: str
    title_en: str
    default_minutes: int = Field(default=60, gt=0, le=12 * 60)
    modes: tuple[str, ...] = ("in_person", "home_visit", "phone", "video")
    professions: tuple[str, ...] = ()  # roles that may deliver it; empty = any staff
    group: bool = False  # several beneficiaries may attend


class ReportSpec(Spec):
    """A report: id, titles, a parameter model and an async query returning rows.

    `run(ctx, params)` receives the request context (tenant, roles: hide special categories
    from roles that may not see them) and the validated parameters, and queries
    tenant-scoped tables only. Core renders the rows as JSON, CSV, XLSX and HTML.
    """

    id: str
    title_el: str
    title_en: str
    params_model: type[BaseModel]
    columns: tuple[tuple[str, str, str], ...]  # (key, title_el, title_en)
    run: Callable[..., Awaitable[list[dict[str, Any]]]]
    permission: str = "reports.read"
    chart: str | None = None  # "bar" or "line" over the first column


class ProcessingSpec(Spec):
    """One processing activity for the tenant's records of processing (GDPR art. 30).

    `legal_basis`: `consent`, `contract`, `legal_obligation`, `vital_interest`,
    `public_task` or `legitimate_interest` (art. 6(1)); `data_categories` and `data_subjects`
    are short descriptions; `retention_el/_en` says how long the records are kept and why.
    """

    code: str
    purpose_el: str
    purpose_en: str
    legal_basis: str = "public_task"
    data_subjects_el: str = ""
    data_subjects_en: str = ""
    data_categories_el: str = ""
    data_categories_en: str = ""
    special_categories: bool = False
    recipients_el: str = ""
    recipients_en: str = ""
    retention_el: str = ""
    retention_en: str = ""


class Manifest(Spec):
    """What a program module is, as data; its behaviour lives in its hook implementations."""

    slug: str
    title_el: str
    title_en: str
    version: str
    description_el: str = ""
    description_en: str = ""
    # The range of `core.hookspecs.API_VERSION` this module was written against.
    api_version: str = ">=1,<2"
    requires: tuple[str, ...] = ()
    roles: tuple[RoleSpec, ...] = ()
    permissions: tuple[PermissionSpec, ...] = ()
    categories: tuple[CategorySpec, ...] = ()
    # Records of processing (core/gdpr); without them the module's entry is derived.
    processing: tuple[ProcessingSpec, ...] = ()
    settings_model: type[BaseModel]

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError("a module slug is lowercase letters, digits and underscores")
        return value


# -- Staff web UI ---------------------------------------------------------------------------
# What the UI hooks return (core/hookspecs.py, "Staff web UI"). Paths are relative to the
# tenant's UI root `/t/{tenant}/`: "" is the tenant home, "reports" the reports list, and a
# module's pages live under its slug ("food_bank/pickups"), where core mounts them.


class MenuItem(Spec):
    """An entry of the navigation bar inside a tenant."""

    id: str
    title_el: str
    title_en: str
    path: str
    # Shown only to users holding this permission (None: every member of the tenant).
    permission: str | None = None
    order: int = 100


class Tile(Spec):
    """A tile on the tenant home page, usually one per enabled module."""

    id: str
    title_el: str
    title_en: str
    path: str
    description_el: str = ""
    description_en: str = ""
    module: str | None = None  # the contributing module's slug (None for core areas)
    permission: str | None = None
    order: int = 100


class PanelItem(Spec):
    """One line of a panel; `label` and `detail` are already in the request's language."""

    label: str
    detail: str = ""
    path: str | None = None
    badge: str = ""


class Panel(Spec):
    """A box of related facts on a page (the person's page, the tenant home).

    Either `items` (rendered by core as a list) or `template`, the name of a Jinja template in
    the plugin's `templates/` folder (by convention `templates/{slug}/...`), rendered with
    `context`; autoescaping applies, so values need no escaping by the plugin.
    """

    id: str
    title_el: str
    title_en: str
    items: tuple[PanelItem, ...] = ()
    template: str | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    empty_el: str = ""
    empty_en: str = ""
    more_path: str | None = None
    order: int = 100


class Task(Spec):
    """Something the signed-in user should do (a reassessment due, a missing document).

    `title` is already in the request's language: it usually names a person, which a
    declaration could not. `kind` is a stable code (`{module}.{name}`) for grouping.
    """

    id: str
    title: str
    path: str
    kind: str = ""
    due: date | None = None
    module: str | None = None


class AgendaEntry(Spec):
    """One of the user's appointments on a given day, for the "today" panel."""

    id: str
    start: datetime
    end: datetime | None = None
    title: str
    detail: str = ""
    path: str | None = None
    module: str | None = None
