"""OpenAPI generation for models that also render web forms.

The form renderer (core/web/forms.py) reads labels, help texts, widgets and option titles from
a field's `json_schema_extra` (`label_el`, `options_en`, ...), so one pydantic model serves the
API, its documentation and the web form. Pydantic's own JSON schema keeps those keys (the
modules' `/forms` endpoints hand them to clients), but Litestar copies `json_schema_extra`
onto its OpenAPI `Schema` object and refuses any key that object does not have.

`FormAwareSchemaPlugin` hands Litestar only the keys its `Schema` knows, for the duration of
one model's schema generation (synchronous code: no other task runs in between), and puts the
renderer's keys back afterwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar.openapi.spec import Schema
from litestar.plugins.pydantic import PydanticSchemaPlugin
from pydantic import BaseModel

SCHEMA_KEYS = frozenset(f.name for f in dataclasses.fields(Schema))


@contextmanager
def _openapi_keys_only(model: Any) -> Iterator[None]:
    fields = getattr(model, "model_fields", None) if isinstance(model, type) else None
    if not fields or not issubclass(model, BaseModel):
        yield
        return
    kept: dict[str, dict[str, Any]] = {}
    for name, info in fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and any(key not in SCHEMA_KEYS for key in extra):
            kept[name] = extra
            info.json_schema_extra = {k: v for k, v in extra.items() if k in SCHEMA_KEYS}
    try:
        yield
    finally:
        for name, extra in kept.items():
            fields[name].json_schema_extra = extra


class FormAwareSchemaPlugin(PydanticSchemaPlugin):
    """Litestar's pydantic schema plugin, blind to the form renderer's keys."""

    @classmethod
    def for_pydantic_model(cls, field_definition: Any, schema_creator: Any) -> Schema:
        with _openapi_keys_only(field_definition.annotation):
            return super().for_pydantic_model(field_definition, schema_creator)
