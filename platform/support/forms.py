"""Forms of support access, on both sides: they parse and tidy input; the services decide what is allowed.

A council's page holds one grant form and one refusal form per waiting request, so each is built with ids of its
own (``auto_id``) while its fields keep plain names; which request it answers travels in a hidden ``grant`` field.
"""

from typing import Any

from django import forms

from support.models import SupportGrant, SupportScope
from support.services.checks import HOURS_MAX, HOURS_MIN, REASON_MAX

HOURS_ERRORS = {
    "required": f"Enter the number of hours, from {HOURS_MIN} to {HOURS_MAX}",
    "invalid": f"Enter the number of hours as a whole number, like {HOURS_MIN} or 8",
    "min_value": f"Enter a number of hours from {HOURS_MIN} to {HOURS_MAX}",
    "max_value": f"Enter a number of hours from {HOURS_MIN} to {HOURS_MAX}",
}
SCOPES_ERRORS = {"required": "Select at least one page", "invalid_choice": "Select only pages from the list"}


def _hours_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=HOURS_MIN,
        max_value=HOURS_MAX,
        help_text=help_text,
        error_messages=HOURS_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "autocomplete": "off"}),
    )


class SupportRequestForm(forms.Form):
    """An operator asks a council for access (the console)."""

    reason = forms.CharField(
        label="Why do you need access?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The council's administrators read this, and it is kept in the council's audit trail. "
        "Do not include anyone's personal details.",
        error_messages={
            "required": "Enter why you need access",
            "max_length": f"The reason must be {REASON_MAX} characters or fewer",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="Which pages do you need?",
        choices=SupportScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="None of them shows a client.",
        error_messages=SCOPES_ERRORS,
    )
    hours = _hours_field("For how many hours?", f"From {HOURS_MIN} to {HOURS_MAX}. Access ends by itself then.")


class SupportGrantForm(forms.Form):
    """A council administrator opens a waiting request: some or all of the pages asked for, and for how long."""

    scopes = forms.MultipleChoiceField(
        label="Pages to open", widget=forms.CheckboxSelectMultiple, error_messages=SCOPES_ERRORS
    )
    hours = _hours_field(
        "For how many hours?", f"From {HOURS_MIN} to {HOURS_MAX}. You can end access sooner from this page."
    )

    def __init__(self, *args: Any, grant: SupportGrant, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"grant-{grant.pk}-%s")
        kwargs.setdefault("initial", {"scopes": grant.scopes_requested, "hours": grant.hours_requested})
        super().__init__(*args, **kwargs)
        self.grant = grant
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            (scope.value, scope.label) for scope in SupportScope if scope.value in grant.scopes_requested
        ]


class SupportRefusalForm(forms.Form):
    reason = forms.CharField(
        label="Why are you refusing access?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Platform staff see this in their console.",
        error_messages={
            "required": "Enter why you are refusing access",
            "max_length": f"The reason must be {REASON_MAX} characters or fewer",
        },
    )

    def __init__(self, *args: Any, grant: SupportGrant, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"refuse-{grant.pk}-%s")
        super().__init__(*args, **kwargs)
        self.grant = grant
