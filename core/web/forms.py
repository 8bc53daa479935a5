"""One form renderer for every pydantic model: module forms, module settings, report parameters.

The same model validates the API, documents the OpenAPI schema and renders the web form
(DESIGN.md, "Forms, rules, reports"). `render_form` turns a model class into an accessible
HTML form; `parse_form` turns a submitted form back into the model, raising the API's
`RequestValidationError` (422) whose field errors `render_form` shows inline next to each
input, with the submitted values preserved.

Labels and help texts
---------------------
Per field, in the page's language (`el` or `en`)::

    name: str = Field(
        title="Name",                         # OpenAPI title; label fallback
        description="As on the ID card",      # OpenAPI description; help fallback
        json_schema_extra={
            "label_el": "Όνομα", "label_en": "Name",
            "help_el": "Όπως στην ταυτότητα", "help_en": "As on the ID card",
        },
    )

The label is `label_{lang}`, else the other language's label, else `title`, else the field
name made readable; the help text likewise from `help_{lang}` and `description`. Other keys
of `json_schema_extra` the renderer reads:

* `widget`: `textarea`, `password`, `email`, `tel`, `url`, `search` or `hidden` (otherwise the
  type decides);
* `autocomplete`, `inputmode`, `rows` (a textarea's height): copied to the input;
* `options_el` / `options_en`: `{value: label}` for the options of an enum or a Literal.

Types and widgets
-----------------
`str` text input (`minlength`/`maxlength` from the constraints), `SecretStr` password,
`EmailStr` email, `int` / `float` / `Decimal` number (`min`/`max` from `ge`/`gt`/`le`/`lt`),
`bool` checkbox, `date` / `datetime` / `time` the browser's pickers, an `Enum` or `Literal` a
select, a `list` of an enum or Literal a group of checkboxes, any other `list[str]` a textarea
of one value per line. `X | None` is the same widget, not required. Nested models are not
rendered (give them a page of their own). Fields whose options are only known per request
(people, colleagues, items of the tenant) get them from `render_form(choices={field: [(value,
label), ...]})`: a select, or a group of checkboxes for a list, never a raw id to type in.

Every input has a `<label for>` (checkbox groups a `<fieldset>` with a `<legend>`), help and
errors are tied to it with `aria-describedby`, an invalid input has `aria-invalid`, required
fields are marked in text as well as with `required`, and an error summary with links to the
fields opens the form after a failed submission.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal, TypeVar, get_args, get_origin

import annotated_types
from markupsafe import Markup
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from core.errors import FieldError, RequestValidationError
from core.i18n import LANGUAGES, get_language, t

M = TypeVar("M", bound=BaseModel)

TEXT_WIDGETS = ("text", "textarea", "password", "email", "tel", "url", "search", "hidden")
TRUE_VALUES = ("true", "on", "1", "yes")


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass
class FieldView:
    """One field, ready to render (also usable by a template laying out a form itself)."""

    name: str
    id: str
    label: str
    help: str
    widget: str
    required: bool
    value: str = ""
    options: list[Option] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        ids = [self.help_id] if self.help else []
        if self.error:
            ids.append(self.error_id)
        return " ".join(ids)


# -- what a field is ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    kind: str  # str, secret, email, int, float, bool, date, datetime, time, choice, other
    optional: bool = False
    multiple: bool = False
    choices: tuple[Any, ...] = ()


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) != len(get_args(annotation))
        if len(args) == 1:
            return args[0], optional
        return annotation, optional
    return annotation, False


def _unannotated(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _choices(annotation: Any) -> tuple[Any, ...] | None:
    if get_origin(annotation) is Literal:
        return tuple(get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(member.value for member in annotation)
    return None


def _scalar_kind(annotation: Any) -> str:
    if annotation is bool:
        return "bool"
    if annotation is SecretStr:
        return "secret"
    if getattr(annotation, "__name__", "") in ("EmailStr", "NameEmail"):
        return "email"
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "bool"
        if issubclass(annotation, int) and not issubclass(annotation, enum.Enum):
            return "int"
        if issubclass(annotation, float | Decimal):
            return "float"
        if issubclass(annotation, datetime):
            return "datetime"
        if issubclass(annotation, date):
            return "date"
        if issubclass(annotation, time):
            return "time"
        if issubclass(annotation, BaseModel):
            return "other"
    return "str"


def shape_of(info: FieldInfo) -> Shape:
    annotation, optional = _strip_optional(_unannotated(info.annotation))
    annotation = _unannotated(annotation)
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        inner = _unannotated(args[0]) if args else str
        choices = _choices(inner)
        if choices is not None:
            return Shape("choice", optional, True, choices)
        return Shape(_scalar_kind(inner), optional, True)
    choices = _choices(annotation)
    if choices is not None:
        return Shape("choice", optional, False, choices)
    return Shape(_scalar_kind(annotation), optional)


# -- labels, help, constraints --------------------------------------------------------------


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def _in_language(extra: Mapping[str, Any], key: str, lang: str) -> str:
    for candidate in (lang, *[other for other in LANGUAGES if other != lang]):
        value = extra.get(f"{key}_{candidate}")
        if value:
            return str(value)
    return ""


def label_of(name: str, info: FieldInfo, lang: str | None = None) -> str:
    lang = lang or get_language()
    return (
        _in_language(_extra(info), "label", lang)
        or info.title
        or name.replace("_", " ").strip().capitalize()
    )


def help_of(info: FieldInfo, lang: str | None = None) -> str:
    lang = lang or get_language()
    return _in_language(_extra(info), "help", lang) or info.description or ""


def _option_label(extra: Mapping[str, Any], value: Any, lang: str) -> str:
    for candidate in (lang, *[other for other in LANGUAGES if other != lang]):
        labels = extra.get(f"options_{candidate}")
        if isinstance(labels, Mapping) and str(value) in {str(k) for k in labels}:
            return str({str(k): v for k, v in labels.items()}[str(value)])
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _constraints(info: FieldInfo, shape: Shape) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for meta in info.metadata:
        if shape.kind in ("int", "float"):
            if isinstance(meta, annotated_types.Ge):
                attrs["min"] = _number(meta.ge)
            elif isinstance(meta, annotated_types.Gt):
                gt: Any = meta.gt
                attrs["min"] = _number(gt + 1 if shape.kind == "int" else gt)
            elif isinstance(meta, annotated_types.Le):
                attrs["max"] = _number(meta.le)
            elif isinstance(meta, annotated_types.Lt):
                lt: Any = meta.lt
                attrs["max"] = _number(lt - 1 if shape.kind == "int" else lt)
        if shape.kind in ("str", "secret", "email") and not shape.multiple:
            if isinstance(meta, annotated_types.MinLen) and meta.min_length > 0:
                attrs["minlength"] = str(meta.min_length)
            elif isinstance(meta, annotated_types.MaxLen):
                attrs["maxlength"] = str(meta.max_length)
    if shape.kind == "int":
        attrs["step"] = "1"
        attrs.setdefault("inputmode", "numeric")
    elif shape.kind == "float":
        attrs["step"] = "any"
        attrs.setdefault("inputmode", "decimal")
    return attrs


def _widget(shape: Shape, extra: Mapping[str, Any]) -> str:
    wanted = extra.get("widget")
    if isinstance(wanted, str) and wanted in TEXT_WIDGETS:
        return wanted
    if shape.kind == "choice":
        return "checkboxes" if shape.multiple else "select"
    if shape.multiple:
        return "lines"
    return {
        "secret": "password",
        "email": "email",
        "int": "number",
        "float": "number",
        "bool": "checkbox",
        "date": "date",
        "datetime": "datetime-local",
        "time": "time",
    }.get(shape.kind, "text")


# -- values ---------------------------------------------------------------------------------


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return ""  # never echo a secret back into the page
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return _number(value)
    return str(value)


def _default(info: FieldInfo) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        try:
            return info.default_factory()  # type: ignore[call-arg]
        except TypeError:  # a factory that wants the other fields' data
            return None
    return None


def _getall(data: Any, key: str) -> list[str]:
    if hasattr(data, "getall"):
        try:
            return [str(v) for v in data.getall(key)]
        except KeyError:
            return []
    value = data.get(key) if isinstance(data, Mapping) else None
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [_display(v) if not isinstance(v, str) else v for v in value]
    return [value if isinstance(value, str) else _display(value)]


def _raw_values(model: type[BaseModel], values: Any) -> tuple[dict[str, list[str]], bool]:
    """Each input's submitted or current values as strings; True when they were submitted."""
    out: dict[str, list[str]] = {}
    if values is None:
        for name, info in model.model_fields.items():
            out[info.alias or name] = _getall({"v": _default(info)}, "v")
        return out, False
    if isinstance(values, BaseModel):
        for name, info in model.model_fields.items():
            current = getattr(values, name, None)
            out[info.alias or name] = _getall({"v": current}, "v")
        return out, False
    for name, info in model.model_fields.items():
        key = info.alias or name
        out[key] = _getall(values, key)
    return out, True


def error_messages(
    errors: RequestValidationError | Iterable[FieldError] | Mapping[str, str] | None,
) -> dict[str, str]:
    """Field name -> first message; errors of list items (`tags.2`) go to the list field."""
    if errors is None:
        return {}
    if isinstance(errors, Mapping):
        return {str(k): str(v) for k, v in errors.items()}
    items = errors.errors if isinstance(errors, RequestValidationError) else list(errors)
    out: dict[str, str] = {}
    for err in items:
        key = err.field.split(".")[0] if err.field else "body"
        if key == "body" and "." in err.field:
            key = err.field.split(".")[1]
        out.setdefault(key, err.message)
    return out


def field_views(
    model: type[BaseModel],
    *,
    values: Any = None,
    errors: Any = None,
    lang: str | None = None,
    id_prefix: str = "f",
    choices: Mapping[str, Sequence[tuple[Any, str]]] | None = None,
) -> list[FieldView]:
    lang = lang or get_language()
    raw, submitted = _raw_values(model, values)
    messages = error_messages(errors)
    views = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        shape = shape_of(info)
        if shape.kind == "other":
            continue
        extra = _extra(info)
        widget = _widget(shape, extra)
        fixed = (choices or {}).get(key)
        if fixed is not None and widget != "hidden":
            widget = "checkboxes" if shape.multiple else "select"
        current = raw.get(key, [])
        attrs = _constraints(info, shape)
        for attr in ("autocomplete", "inputmode", "rows"):
            if isinstance(extra.get(attr), str):
                attrs[attr] = extra[attr]
        view = FieldView(
            name=key,
            id=f"{id_prefix}-{key}".replace(".", "-"),
            label=label_of(name, info, lang),
            help=help_of(info, lang),
            widget=widget,
            required=info.is_required() and widget not in ("checkbox", "hidden"),
            attrs=attrs,
            error=messages.get(key, ""),
        )
        if fixed is not None and widget != "hidden":
            chosen = {str(v) for v in current}
            view.options = [Option(str(v), label, str(v) in chosen) for v, label in fixed]
        elif shape.kind == "choice":
            chosen = {str(v) for v in current}
            view.options = [
                Option(str(v), _option_label(extra, v, lang), str(v) in chosen)
                for v in shape.choices
            ]
        elif widget == "lines":
            view.value = "\n".join(current)
        elif widget == "checkbox":
            view.value = "true" if current and current[0].lower() in TRUE_VALUES else ""
        elif widget != "password":
            view.value = current[0] if current else ""
        if widget == "checkbox" and submitted and not current:
            view.value = ""
        views.append(view)
    return views


# -- HTML -----------------------------------------------------------------------------------


def _attrs(pairs: Mapping[str, str | bool]) -> Markup:
    parts = []
    for key, value in pairs.items():
        if value is False or value is None or value == "":
            continue
        if value is True:
            parts.append(Markup(" {}").format(key))
        else:
            parts.append(Markup(' {}="{}"').format(key, value))
    return Markup("").join(parts)


def _label_text(view: FieldView) -> Markup:
    if not view.required:
        return Markup("{}").format(view.label)
    return Markup(
        '{} <span class="required" aria-hidden="true">*</span>'
        '<span class="visually-hidden"> ({})</span>'
    ).format(view.label, t("web.form.required"))


def _help_and_error(view: FieldView) -> Markup:
    out = Markup("")
    if view.help:
        out += Markup('<p class="field-help" id="{}">{}</p>').format(view.help_id, view.help)
    if view.error:
        out += Markup(
            '<p class="field-error" id="{}"><span class="visually-hidden">{}: </span>{}</p>'
        ).format(view.error_id, t("web.form.error_prefix"), view.error)
    return out


def render_field(view: FieldView) -> Markup:
    common: dict[str, str | bool] = {
        "id": view.id,
        "name": view.name,
        "aria-describedby": view.described_by,
        "aria-invalid": "true" if view.error else "",
    }
    if view.widget == "hidden":
        return Markup("<input{}>").format(
            _attrs({"type": "hidden", "name": view.name, "id": view.id, "value": view.value})
        )
    if view.widget == "checkboxes":
        boxes = Markup("").join(
            Markup('<div class="choice"><input{}><label for="{}">{}</label></div>').format(
                _attrs(
                    {
                        "type": "checkbox",
                        "id": f"{view.id}-{i}",
                        "name": view.name,
                        "value": option.value,
                        "checked": option.selected,
                        "aria-describedby": view.described_by,
                    }
                ),
                f"{view.id}-{i}",
                option.label,
            )
            for i, option in enumerate(view.options)
        )
        return Markup(
            '<fieldset class="field field--group{}" id="{}"><legend>{}</legend>{}'
            '<div class="choices">{}</div></fieldset>'
        ).format(
            " field--error" if view.error else "",
            view.id,
            _label_text(view),
            _help_and_error(view),
            boxes,
        )
    if view.widget == "checkbox":
        control = Markup("<input{}>").format(
            _attrs({"type": "checkbox", "value": "true", "checked": bool(view.value), **common})
        )
        return Markup(
            '<div class="field field--checkbox{}"><div class="choice">{}<label for="{}">{}'
            "</label></div>{}</div>"
        ).format(
            " field--error" if view.error else "",
            control,
            view.id,
            _label_text(view),
            _help_and_error(view),
        )
    required: dict[str, str | bool] = {"required": view.required}
    if view.widget == "select":
        placeholder = Markup("")
        if not view.required or not any(o.selected for o in view.options):
            placeholder = Markup('<option value="">{}</option>').format(t("web.form.choose"))
        options = Markup("").join(
            # `value` always written: an option without one submits its label instead.
            Markup('<option value="{}"{}>{}</option>').format(
                o.value, _attrs({"selected": o.selected}), o.label
            )
            for o in view.options
        )
        control = Markup("<select{}>{}{}</select>").format(
            _attrs({**common, **required}), placeholder, options
        )
    elif view.widget in ("textarea", "lines"):
        control = Markup("<textarea{}>{}</textarea>").format(
            _attrs({**common, **required, "rows": "4", **view.attrs}), view.value
        )
    else:
        control = Markup("<input{}>").format(
            _attrs(
                {
                    "type": view.widget,
                    **common,
                    "value": view.value,
                    **required,
                    **view.attrs,
                }
            )
        )
    return Markup('<div class="field{}"><label for="{}">{}</label>{}{}</div>').format(
        " field--error" if view.error else "",
        view.id,
        _label_text(view),
        _help_and_error(view),
        control,
    )


def error_summary(views: Sequence[FieldView], errors: Any) -> Markup:
    messages = error_messages(errors)
    if not messages:
        return Markup("")
    known = {view.name for view in views}
    items = [
        Markup('<li><a href="#{}">{}: {}</a></li>').format(view.id, view.label, view.error)
        for view in views
        if view.error
    ]
    items += [
        Markup("<li>{}</li>").format(message)
        for name, message in messages.items()
        if name not in known
    ]
    return Markup(
        '<div class="error-summary" role="alert" tabindex="-1"><h2>{}</h2><ul>{}</ul></div>'
    ).format(t("web.form.error_summary"), Markup("").join(items))


def render_form(
    model: type[BaseModel],
    *,
    action: str = "",
    method: str = "post",
    values: Any = None,
    errors: Any = None,
    csrf_token: str | None = None,
    request: Any = None,
    submit_label: str | None = None,
    hidden: Mapping[str, str] | None = None,
    attrs: Mapping[str, str] | None = None,
    lang: str | None = None,
    id_prefix: str = "f",
    choices: Mapping[str, Sequence[tuple[Any, str]]] | None = None,
) -> Markup:
    """The whole `<form>`: error summary, fields, hidden values and the submit button.

    `values` are the current values (a model instance), the submitted form data (a mapping
    or Litestar's multi-dict, to show a rejected submission again) or None for the defaults.
    `errors` is the `RequestValidationError` from `parse_form` (or a field -> message map).
    `choices` gives fields their options for this request (`{field: [(value, label), ...]}`):
    a select, or checkboxes for a list field; `parse_form` reads them back as usual.
    `request`: the page's request; the form then carries its CSRF token (no need to pass
    `csrf_token`).
    """
    if csrf_token is None and request is not None:
        from core.web.pages import csrf_token as token_of  # pages imports this module

        csrf_token = token_of(request.scope)
    views = field_views(
        model, values=values, errors=errors, lang=lang, id_prefix=id_prefix, choices=choices
    )
    hidden_inputs = Markup("").join(
        Markup("<input{}>").format(_attrs({"type": "hidden", "name": k, "value": v}))
        for k, v in {
            **({"_csrf_token": csrf_token} if csrf_token else {}),
            **(hidden or {}),
        }.items()
    )
    form_attrs: dict[str, str | bool] = {
        "method": method,
        "action": action,
        "class": "form",
        **(attrs or {}),
    }
    return Markup(
        '<form{}>{}{}{}<div class="actions"><button type="submit" '
        'class="button">{}</button></div></form>'
    ).format(
        _attrs(form_attrs),
        error_summary(views, errors),
        hidden_inputs,
        Markup("").join(render_field(view) for view in views),
        submit_label or t("web.form.submit"),
    )


# -- submitted form -> model ----------------------------------------------------------------


def form_data(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """The submitted strings arranged for validation in pydantic's lax mode, which turns
    "42" into an int and "2025-05-01" into a date as a JSON body would (see `parse_form`)."""
    raw: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        shape = shape_of(info)
        if shape.kind == "other":
            continue
        widget = _widget(shape, _extra(info))
        values = _getall(data, key)
        if widget == "checkbox":
            raw[key] = bool(values) and values[0].lower() in TRUE_VALUES
        elif widget == "checkboxes":
            raw[key] = [v for v in values if v != ""]
        elif widget == "lines":
            lines = [line.strip() for v in values for line in v.splitlines()]
            raw[key] = [line for line in lines if line]
        else:
            if not values:
                continue
            value = values[0] if shape.kind == "secret" else values[0].strip()
            if value == "":
                continue  # empty: the default applies, or "missing" when there is none
            raw[key] = value
    return raw


def parse_form(model: type[M], data: Any) -> M:
    """Validate a submitted form (Litestar's `FormMultiDict`, a query's `MultiDict` or a
    plain mapping) as `model`; unknown inputs (the CSRF token, buttons) are ignored.

    Raises:
        RequestValidationError: 422 with every offending field, as the API would answer.
    """
    try:
        return model.model_validate(form_data(model, data))
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None
