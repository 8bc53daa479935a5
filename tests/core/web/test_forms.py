"""The shared form renderer: widgets from types, labels in both languages, inline errors,
preserved values, and the way back from a submitted form to the model."""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Literal
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from core.errors import RequestValidationError
from core.web.forms import field_views, parse_form, render_form
from tests.core.web.conftest import controls, unlabelled


class Mode(enum.Enum):
    IN_PERSON = "in_person"
    PHONE = "phone"


class Intake(BaseModel):
    model_config = ConfigDict(extra="forbid")

    last_name: str = Field(
        min_length=2,
        max_length=80,
        title="Last name",
        json_schema_extra={
            "label_el": "Επώνυμο",
            "label_en": "Surname",
            "help_el": "Όπως στην ταυτότητα",
            "help_en": "As on the identity card",
        },
    )
    birth_date: date = Field(title="Date of birth", json_schema_extra={"label_el": "Γέννηση"})
    children: int | None = Field(default=None, ge=0, le=20, description="Children at home")
    mode: Mode = Field(
        default=Mode.IN_PERSON,
        json_schema_extra={"options_el": {"in_person": "Δια ζώσης", "phone": "Τηλεφωνικά"}},
    )
    size: Literal["small", "large"]
    needs: list[Literal["food", "clothes", "toys"]] = Field(
        default_factory=list, json_schema_extra={"label_el": "Ανάγκες"}
    )
    consent: bool = False
    pin: SecretStr | None = None
    notes: str = Field(default="", max_length=500, json_schema_extra={"widget": "textarea"})


def widgets(lang: str = "el") -> dict[str, str]:
    return {v.name: v.widget for v in field_views(Intake, lang=lang)}


def test_types_choose_the_widgets() -> None:
    assert widgets() == {
        "last_name": "text",
        "birth_date": "date",
        "children": "number",
        "mode": "select",
        "size": "select",
        "needs": "checkboxes",
        "consent": "checkbox",
        "pin": "password",
        "notes": "textarea",
    }
    html = str(render_form(Intake, csrf_token="abc"))
    assert 'type="date"' in html
    assert 'min="0"' in html and 'max="20"' in html
    assert 'minlength="2"' in html and 'maxlength="80"' in html
    assert '<option value="phone">Τηλεφωνικά</option>' in html
    assert html.count('type="checkbox"') == 4
    assert 'name="_csrf_token" value="abc"' in html


def test_labels_and_help_in_the_page_language() -> None:
    greek = str(render_form(Intake, lang="el"))
    english = str(render_form(Intake, lang="en"))
    assert "Επώνυμο" in greek and "Όπως στην ταυτότητα" in greek
    assert "Surname" in english and "As on the identity card" in english
    assert "Γέννηση" in english  # no English label: the other language before the title
    assert "Children at home" in greek  # description is the help fallback
    assert ">Consent<" in greek  # the field name, made readable, as a last resort


def test_every_control_has_a_label_and_required_fields_are_marked() -> None:
    html = str(render_form(Intake))
    assert controls(html)
    assert not unlabelled(html)
    assert html.count('class="required"') == 3  # last_name, birth_date, size
    assert 'id="f-last_name" name="last_name" aria-describedby="f-last_name-help"' in html
    assert "<fieldset" in html and "<legend>Ανάγκες</legend>" in html


def test_round_trip_from_form_data_to_the_model() -> None:
    data = {
        "last_name": "  Παπαδάκη ",
        "birth_date": "1970-03-25",
        "children": "2",
        "mode": "phone",
        "size": "large",
        "needs": ["food", "toys"],
        "consent": "true",
        "notes": "",
        "_csrf_token": "ignored",
    }
    parsed = parse_form(Intake, data)
    assert parsed == Intake(
        last_name="Παπαδάκη",
        birth_date=date(1970, 3, 25),
        children=2,
        mode=Mode.PHONE,
        size="large",
        needs=["food", "toys"],
        consent=True,
    )
    again = str(render_form(Intake, values=parsed))
    assert 'value="Παπαδάκη"' in again and 'value="1970-03-25"' in again
    assert '<option value="phone" selected>' in again
    assert 'value="toys" checked' in again and 'value="clothes" checked' not in again
    unchecked = parse_form(Intake, {**data, "consent": None, "needs": []})
    assert unchecked.consent is False and unchecked.needs == []


def test_errors_are_inline_and_values_preserved() -> None:
    data = {"last_name": "Π", "birth_date": "25/03/1970", "children": "30", "needs": ["cars"]}
    with pytest.raises(RequestValidationError) as caught:
        parse_form(Intake, data)
    fields = {e.field.split(".")[0] for e in caught.value.errors}
    assert fields == {"last_name", "birth_date", "children", "size", "needs"}
    html = str(render_form(Intake, values=data, errors=caught.value))
    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#f-last_name">' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="f-last_name-help f-last_name-error"' in html
    assert 'id="f-children-error"' in html and 'value="30"' in html
    assert 'value="25/03/1970"' in html
    assert "Το πεδίο είναι υποχρεωτικό." in html  # size missing, in Greek
    assert not unlabelled(html)


def test_markup_in_labels_and_values_is_escaped() -> None:
    html = str(render_form(Intake, values={"last_name": '"><script>alert(1)</script>'}))
    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_secrets_are_never_echoed() -> None:
    html = str(render_form(Intake, values={"pin": "1234", "last_name": "Χ"}))
    assert "1234" not in html


class Booking(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: UUID
    helper_ids: list[UUID] = Field(min_length=1)


def test_choices_of_the_request_make_selects_and_checkboxes() -> None:
    """People and colleagues are chosen from a list, never typed in as raw ids."""
    a, b = uuid4(), uuid4()
    people = [(a, "Παπαδοπούλου Ελένη"), (b, "Νικολάου Γιώργος")]
    choices = {"person_id": people, "helper_ids": people}
    views = {v.name: v for v in field_views(Booking, values={"person_id": str(b)}, choices=choices)}
    assert views["person_id"].widget == "select" and views["helper_ids"].widget == "checkboxes"
    assert [(o.label, o.selected) for o in views["person_id"].options] == [
        ("Παπαδοπούλου Ελένη", False),
        ("Νικολάου Γιώργος", True),
    ]
    html = str(render_form(Booking, choices=choices))
    assert f'<option value="{a}">Παπαδοπούλου Ελένη</option>' in html
    assert f'type="checkbox" id="f-helper_ids-1" name="helper_ids" value="{b}"' in html
    assert not unlabelled(html)
    # Two boxes ticked come back as the list; none ticked is the field's own error.
    parsed = parse_form(Booking, {"person_id": str(a), "helper_ids": [str(a), str(b)]})
    assert parsed.helper_ids == [a, b]
    with pytest.raises(RequestValidationError) as caught:
        parse_form(Booking, {"person_id": str(a)})
    assert {e.field for e in caught.value.errors} == {"helper_ids"}


def test_a_long_text_asks_for_a_taller_textarea() -> None:
    class Report(BaseModel):
        body: str = Field(json_schema_extra={"widget": "textarea", "rows": "24"})

    assert 'rows="24"' in str(render_form(Report))


def test_a_blank_choice_submits_an_empty_value_not_its_label() -> None:
    """An `<option>` without `value` submits its text: a blank "—" choice would arrive as "—"."""

    class Pick(BaseModel):
        helper_id: UUID | None = None

    a = uuid4()
    html = str(render_form(Pick, choices={"helper_id": [("", "—"), (a, "Νικολάου Γιώργος")]}))
    assert '<option value="">—</option>' in html
    assert re.search(r"<option(?![^>]*value=)", html) is None
