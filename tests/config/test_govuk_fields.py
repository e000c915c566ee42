"""The GOV.UK form fields rendered in Python (config/templatetags/govuk.py): the markup each kind of field gets, the
hint and error tied to the control, and every value escaped — a value typed by a person, an error message quoting
it, a label or a hint never reaches the page as markup."""

import re

from django import forms
from django.template import engines

from config.govuk_dates import GovukDateField

HOSTILE = '"><script>alert(1)</script>'


def render(field: forms.BoundField, tag: str = "govuk_field") -> str:
    template = engines["django"].from_string(f"{{% load govuk %}}{{% {tag} field %}}")
    return re.sub(r"\s+", " ", template.render({"field": field}))


class Everything(forms.Form):
    surname = forms.CharField(
        label="Surname",
        help_text="As on their birth certificate",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "autofocus": True}),
    )
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput)
    kind = forms.ChoiceField(choices=[("a", "Alpha"), ("b", "Bravo & co")], help_text="Pick one")
    answer = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)
    services = forms.MultipleChoiceField(
        choices=[("h", "Housing"), ("s", "Schools")], widget=forms.CheckboxSelectMultiple
    )
    agree = forms.BooleanField(help_text="You must agree")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)
    upload = forms.FileField()
    token = forms.CharField(widget=forms.HiddenInput)
    born = GovukDateField(label="Date of birth", help_text="For example, 27 3 2007")


def test_a_text_input_keeps_its_attributes_and_ties_the_hint_to_the_control() -> None:
    html = render(Everything()["surname"])
    assert '<label class="govuk-label" for="id_surname">Surname</label>' in html
    assert '<div id="id_surname-hint" class="govuk-hint">As on their birth certificate</div>' in html
    assert (
        '<input class="govuk-input" id="id_surname" name="surname" type="text" autocomplete="family-name" '
        'autofocus maxlength="40" aria-describedby="id_surname-hint">'
    ) in html
    assert "required" not in html  # validated on the server: GOV.UK forms are novalidate


def test_a_refused_value_comes_back_escaped_with_its_error_tied_to_the_control() -> None:
    form = Everything(data={"surname": HOSTILE * 2, "email": HOSTILE})
    form.is_valid()
    surname, email = render(form["surname"]), render(form["email"])
    for html in (surname, email):
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "govuk-form-group--error" in html
        assert "govuk-input--error" in html
    assert 'aria-describedby="id_surname-hint id_surname-error"' in surname
    error = '<p id="id_email-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span>'
    assert error in email
    assert 'spellcheck="false"' in email


def test_a_password_is_never_written_back_into_the_page() -> None:
    form = Everything(data={"password": "correct horse battery staple"})
    form.is_valid()
    html = render(form["password"])
    assert 'type="password"' in html
    assert "correct horse" not in html


def test_choices_render_as_govuk_select_radios_and_checkboxes_with_the_chosen_ones_marked() -> None:
    form = Everything(data={"kind": "b", "answer": "no", "services": ["s"]})
    form.is_valid()
    select = render(form["kind"])
    assert '<option value="b" selected>Bravo &amp; co</option>' in select
    assert 'aria-describedby="id_kind-hint"' in select
    radios = render(form["answer"])
    assert '<legend class="govuk-fieldset__legend">Answer</legend>' in radios
    assert '<div class="govuk-radios" data-module="govuk-radios">' in radios
    assert 'id="id_answer_1" name="answer" type="radio" value="no" checked' in radios
    assert 'value="yes" checked' not in radios
    boxes = render(form["services"])
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in boxes
    assert 'type="checkbox" value="s" checked' in boxes
    assert 'type="checkbox" value="h">' in boxes


def test_a_single_checkbox_a_text_area_a_file_and_a_hidden_field() -> None:
    form = Everything(initial={"agree": True, "note": "</textarea><b>hi</b>", "token": "abc"})
    agree = render(form["agree"])
    assert 'id="id_agree" name="agree" type="checkbox" checked aria-describedby="id_agree-hint"' in agree
    assert '<div id="id_agree-hint" class="govuk-hint govuk-checkboxes__hint">You must agree</div>' in agree
    note = render(form["note"])
    assert '<textarea class="govuk-textarea" id="id_note" name="note" rows="3" maxlength="500">' in note
    assert "&lt;/textarea&gt;&lt;b&gt;hi&lt;/b&gt;</textarea>" in note
    assert '<input class="govuk-file-upload" id="id_upload" name="upload" type="file">' in render(form["upload"])
    assert render(form["token"]).strip() == '<input type="hidden" name="token" value="abc" id="id_token">'


def test_the_date_input_is_three_labelled_inputs_in_one_fieldset() -> None:
    form = Everything(data={"born_day": "3", "born_month": HOSTILE, "born_year": "2007"})
    form.is_valid()
    html = render(form["born"], "govuk_date_input")
    assert '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_born-hint id_born-error">' in html
    for part, label, width in (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)):
        assert f'<label class="govuk-label govuk-date-input__label" for="id_born_{part}">{label}</label>' in html
        assert f"govuk-input--width-{width} govuk-input--error" in html
        assert f'name="born_{part}"' in html
    assert 'value="3"' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
