"""`merimna modules new NAME`: a complete, working, tested module package to start from.

The files come from `template/` (each `*.tmpl` is a `string.Template`; `__package__` and
`__slug__` in paths become the package and the slug). The result installs with pip, appears
in `merimna plugins list`, can be enabled for a tenant and passes its own tests and the
conformance suite. Its two migrations are written here with ids of the moment, so they
sort after every migration the developer's deployment already has.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.manifest import SLUG_RE

TEMPLATE = Path(__file__).parent / "template"


class ScaffoldError(ValueError):
    """A name or a target the scaffold refuses, with the reason in words."""


@dataclass(frozen=True)
class Names:
    slug: str
    title_el: str
    title_en: str

    @property
    def package(self) -> str:
        return f"merimna_{self.slug}"

    @property
    def dist(self) -> str:
        return f"merimna-{self.slug.replace('_', '-')}"

    def substitutions(self, now: datetime) -> dict[str, str]:
        first, second = now, now + timedelta(microseconds=1)
        return {
            "slug": self.slug,
            "package": self.package,
            "dist": self.dist,
            "title_el": self.title_el,
            "title_en": self.title_en,
            "migration_id": _migration_id(first),
            "schema_migration_id": _migration_id(second),
            "migration_file": _migration_file(self.slug, first),
            "schema_migration_file": _migration_file(self.slug, second),
        }


def _migration_id(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S:%f")


def _migration_file(slug: str, moment: datetime) -> str:
    return f"{slug}_{moment.strftime('%Y_%m_%dt%H_%M_%S_%f')}"


MAX_NAME = 24  # long enough for any program's name, short enough for readable code


def check_name(name: str) -> str:
    if not SLUG_RE.match(name) or len(name) > MAX_NAME:
        raise ScaffoldError(
            f"{name!r}: a module name is 2-{MAX_NAME} lowercase letters, digits and underscores, "
            "starting with a letter (it becomes the slug, the URL part and the table prefix)"
        )
    return name


def new_module(
    name: str,
    path: Path,
    *,
    title_el: str | None = None,
    title_en: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Write the package of module `name` to `path / dist` (`./merimna-social-grocery`).

    Returns that folder. Refuses to write into a folder that exists and is not empty.
    """
    slug = check_name(name)
    readable = slug.replace("_", " ").capitalize()
    names = Names(slug, title_el or readable, title_en or readable)
    target = Path(path) / names.dist
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty")
    values = names.substitutions(now or datetime.now(UTC))
    for source in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = str(source.relative_to(TEMPLATE))[: -len(".tmpl")]
        relative = (
            relative.replace("__package__", names.package)
            .replace("__slug__", slug)
            .replace("__migration__", values["migration_file"])
            .replace("__schema_migration__", values["schema_migration_file"])
        )
        text = string.Template(source.read_text(encoding="utf-8")).substitute(values)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    return target
