"""Forms of the council's setting-up pages. They parse and tidy; the services decide what is allowed."""

from typing import Any

from django import forms

from config.govuk_dates import GovukDateField
from core.council.services.agreements import UNKNOWN_PARTY
from core.directory.models import Agency
from tenants.jurisdictions import time_zones_for
from tenants.models import Council


class GovukCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose errors link to the first box, as GOV.UK's error summary does."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class GovernanceForm(forms.Form):
    dpia_reference = forms.CharField(
        label="DPIA reference",
        max_length=120,
        required=False,
        help_text="The reference of the council's data protection impact assessment for Patchwork.",
    )
    dpo_name = forms.CharField(label="Data Protection Officer's name", max_length=200, required=False)
    dpo_email = forms.CharField(
        label="Data Protection Officer's email",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    dpo_phone = forms.CharField(
        label="Data Protection Officer's phone (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class AgreementForm(forms.Form):
    parties = forms.MultipleChoiceField(
        label="Agencies that signed it",
        required=False,
        widget=GovukCheckboxes,
        help_text="Approved agencies only. Approve an agency first if it is missing.",
        error_messages={"invalid_choice": UNKNOWN_PARTY},
    )
    signed_on = GovukDateField(label="Date signed", required=False, help_text="For example, 27 3 2026")
    review_on = GovukDateField(label="Review date", required=False, help_text="For example, 27 3 2027")
    document = forms.FileField(
        label="The signed agreement",
        required=False,
        help_text="A PDF file, smaller than 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [(str(agency.pk), agency.name) for agency in agencies]


class PractitionerSearchForm(forms.Form):
    q = forms.CharField(
        label="Name or work email",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "type": "search"}),
        help_text="At least two letters. Up to 20 matching practitioners are shown.",
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label="Council name", max_length=120, required=False)
    brand_colour = forms.CharField(
        label="Header colour",
        max_length=7,
        required=False,
        help_text=(
            "As # followed by six hexadecimal digits, like #1d70b8. The header's text is white, "
            "so the colour must be dark enough to read it."
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        error_messages={"invalid_choice": "Select the council's time zone from the list"},
    )
    support_contact = forms.CharField(
        label="Support contact",
        max_length=300,
        required=False,
        help_text=(
            "Who practitioners contact about Patchwork, for example “Early Help team, 01632 960 000”. "
            "Shown on practitioners' home page."
        ),
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (zone, zone.replace("_", " ")) for zone in time_zones_for(council.jurisdiction)
        ]
