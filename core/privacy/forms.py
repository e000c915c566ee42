"""Forms of the privacy officer's pages: they parse and tidy input; the services decide what is allowed."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.clients.forms import DateOfBirthField
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind
from core.privacy.selectors import AlertFilters

TEXT = {"autocomplete": "off", "spellcheck": "false"}


class ClientLookupForm(forms.Form):
    """One way of finding the client: surname and date of birth, an identifier, or the client's id."""

    surname = forms.CharField(
        label="Surname",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=TEXT | {"class": "govuk-input--width-20"}),
    )
    date_of_birth = DateOfBirthField(required=False)
    identifier = forms.CharField(
        label="Identifier",
        max_length=40,
        required=False,
        help_text="NHS number, Unique Pupil Number, Victorian Student Number or case number",
        widget=forms.TextInput(attrs=TEXT | {"class": "govuk-input--width-20"}),
    )
    client_id = forms.UUIDField(
        label="Client reference",
        required=False,
        help_text="The client's id, as in an alert or an export",
        error_messages={"invalid": "Enter the client reference as it appears in an alert or an export"},
        widget=forms.TextInput(attrs=TEXT | {"class": "govuk-input--width-30"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if data.get("client_id"):
            data["way"] = "reference"
        elif (data.get("identifier") or "").strip():
            data["way"] = "identifier"
        elif (data.get("surname") or "").strip() and data.get("date_of_birth"):
            data["way"] = "surname and date of birth"
        elif (data.get("surname") or "").strip():
            self.add_error("date_of_birth", "Enter their date of birth as well as their surname")
        else:
            raise ValidationError("Enter a surname and date of birth, an identifier or a client reference")
        return data


class RestrictionForm(forms.Form):
    reason = forms.CharField(
        label="Why?",
        max_length=300,
        help_text="Kept in the audit trail. For example, the client contests the accuracy of their details.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why: it is kept in the audit trail",
            "max_length": "The reason must be 300 characters or fewer",
        },
    )


RAISED_WITHIN = [("", "Any time"), ("1", "Last 24 hours"), ("7", "Last 7 days"), ("30", "Last 30 days")]


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(label="Status", required=False, choices=[("", "Open and closed"), *Alert.State.choices])
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *AlertKind.choices])
    practitioner = forms.ChoiceField(label="About", required=False)
    assigned_to = forms.ChoiceField(label="Assigned to", required=False)
    raised = forms.ChoiceField(label="Raised", required=False, choices=RAISED_WITHIN)

    def __init__(self, *args: Any, practitioners: list[Practitioner], officers: list[Practitioner], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [("", "Anyone")] + [
            (str(person.pk), person.user.full_name) for person in practitioners
        ]
        self.fields["assigned_to"].choices = [("", "Anyone or no one"), ("none", "No one yet")] + [
            (str(officer.pk), officer.user.full_name) for officer in officers
        ]

    def filters(self) -> AlertFilters:
        """The filters chosen (an unknown value, as from an edited address, is left out)."""
        if not self.is_valid():
            return AlertFilters()
        data = self.cleaned_data
        return AlertFilters(
            state=data["state"],
            kind=data["kind"],
            practitioner_id=data["practitioner"] or None,
            assigned_to=data["assigned_to"],
            raised_within_days=int(data["raised"]) if data["raised"] else None,
        )


class AlertAssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to")

    def __init__(self, *args: Any, officers: list[Practitioner], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.officers = {str(officer.pk): officer for officer in officers}
        self.fields["assignee"].choices = [("", "Choose a privacy officer")] + [
            (key, officer.user.full_name) for key, officer in self.officers.items()
        ]
        self.fields["assignee"].error_messages["required"] = "Choose a privacy officer"
        self.fields["assignee"].error_messages["invalid_choice"] = "Choose one of the council's privacy officers"

    def chosen_officer(self) -> Practitioner:
        return self.officers[self.cleaned_data["assignee"]]


class AlertCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Alert.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    note = forms.CharField(
        label="What you found and what was done",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you found and what was done"},
    )
