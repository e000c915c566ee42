"""Forms of the subject access pages: they parse and tidy input; the services decide what is allowed."""

from typing import Any

from django import forms

from config.govuk_dates import GovukDateField
from core.subject_access.deadlines import MONTHS, DeadlineRule


class RequestRecordForm(forms.Form):
    received_on = GovukDateField(
        label="Date received",
        past=True,
        help_text="The day the council received the request (a valid one, where the law asks for a fee or proof of "
        "identity first). For example, 27 3 2026",
    )
    start_export = forms.BooleanField(
        label="Start the export now",
        required=False,
        initial=True,
        help_text="It runs in the background; you can follow it on the request's page.",
    )


class ExtendForm(forms.Form):
    code = forms.ChoiceField(
        label="Why the time is extended", widget=forms.RadioSelect, error_messages={"required": "Choose the extension"}
    )
    amount = forms.IntegerField(
        label="By how much",
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter by how much", "invalid": "Enter a whole number"},
    )
    reason = forms.CharField(
        label="What makes it necessary",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Tell the person why, in writing, before the current deadline. Do not write their details here.",
        error_messages={"required": "Say why the time is extended"},
    )

    def __init__(self, *args: Any, rule: DeadlineRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(item.code, f"{item.label} — {item.citation}") for item in rule.extensions]
        if len(rule.extensions) == 1:
            self.fields["code"].initial = rule.extensions[0].code
        unit = "months" if rule.unit == MONTHS else "days"
        self.fields["amount"].label = f"By how many {unit}"
        self.fields["amount"].error_messages["required"] = f"Enter by how many {unit}"


class CloseForm(forms.Form):
    note = forms.CharField(
        label="How the request was answered",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='For example "Sent by secure email on 12 March" or "Withdrawn by the applicant".',
        error_messages={"required": "Say how the request was answered"},
    )
