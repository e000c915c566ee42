"""Forms of the retention pages: they parse and tidy input; the services decide what is allowed."""

from django import forms

from config.govuk_dates import GovukDateField
from core.retention.models import ErasureRequest

REASON_MAX_LENGTH = 300


def _reason(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX_LENGTH,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why: it is kept in the audit trail",
            "max_length": f"The reason must be {REASON_MAX_LENGTH} characters or fewer",
        },
    )


class ReasonForm(forms.Form):
    reason = _reason("Why?")


class RunRejectForm(forms.Form):
    reason = _reason("Why is the list rejected?", help_text="For example, a client listed is still being worked with.")


class HoldPlaceForm(forms.Form):
    reason = _reason("Why is the record held?", help_text='For example "disclosure in care proceedings".')


class HoldLiftForm(forms.Form):
    reason = _reason("Why is the hold lifted?")


class ErasureRequestForm(forms.Form):
    received_on = GovukDateField(label="Date received", past=True, help_text="For example, 27 3 2026")
    grounds = forms.ChoiceField(
        label="Grounds given",
        choices=ErasureRequest.Grounds.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the grounds of the request"},
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("erase", "Erase the record now"), ("refuse", "Refuse the request")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    reason = _reason(
        "Reason",
        required=False,
        help_text='Needed to refuse, for example "a statutory duty to keep it (Children Act 2004 s11)".',
    )
