"""Forms of the client pages. They parse and tidy input; the services decide what is allowed."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from config.govuk_dates import GovukDateField
from core.clients.dates_of_birth import date_of_birth_check
from core.clients.identifiers import (
    IDENTIFIER_FIELDS,
    LABELS,
    NHS_NUMBER,
    UNIQUE_PUPIL_NUMBER,
    VICTORIAN_STUDENT_NUMBER,
    identifier_clean,
    identifier_hint,
    identifiers_for,
    search_identifier_check,
)
from core.clients.models import Consent
from core.clients.postcodes import council_jurisdiction, postcode_clean
from core.clients.selectors import invite_candidates
from core.directory.models import Agency, Practitioner
from core.governance.models import LegalBasis

NAME_ATTRS = {"autocomplete": "off", "spellcheck": "false"}


def _text(label: str, *, max_length: int, required: bool = False, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=NAME_ATTRS | attrs),
    )


class PostcodeField(forms.CharField):
    """A postcode of the council's jurisdiction, normalised. No ``maxlength`` on the input (a browser would cut
    what was typed): anything that is not a postcode is refused with a message instead."""

    def __init__(self, *, label: str = "Postcode", help_text: str = "") -> None:
        super().__init__(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.TextInput(attrs=NAME_ATTRS | {"class": "govuk-input--width-10"}),
        )

    def clean(self, value: Any) -> str:
        return postcode_clean(super().clean(value))


class IdentifierField(forms.CharField):
    """One of the council's identifiers (``core.clients.identifiers``), compact and checked. No ``maxlength`` on
    the input (a browser would cut what was typed): anything too long is refused with a message instead."""

    def __init__(self, name: str) -> None:
        self.identifier = name
        width = "govuk-input--width-20" if name == UNIQUE_PUPIL_NUMBER else "govuk-input--width-10"
        attrs = {"class": width} | ({} if name == UNIQUE_PUPIL_NUMBER else {"inputmode": "numeric"})
        super().__init__(
            label=f"{LABELS[name]} (optional)",
            required=False,
            widget=forms.TextInput(attrs=NAME_ATTRS | attrs),
        )

    def clean(self, value: Any) -> str:
        return identifier_clean(self.identifier, super().clean(value), jurisdiction=council_jurisdiction())


class IdentifierFieldsMixin:
    """Offer only the identifiers the council's jurisdiction records (an English council: NHS number and UPN;
    a Victorian council: the Victorian Student Number). Templates show ``form.identifier_fields``."""

    fields: dict[str, forms.Field]

    def _keep_council_identifiers(self) -> None:
        recorded = identifiers_for(council_jurisdiction())
        for name in IDENTIFIER_FIELDS:
            if name not in recorded:
                del self.fields[name]

    @property
    def identifier_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in IDENTIFIER_FIELDS if name in self.fields]  # type: ignore[index]

    @property
    def identifiers_given(self) -> bool:
        """Whether any identifier (or the case number) was typed or refused: its section then starts open."""
        fields = [*self.identifier_fields, self["local_case_id"]]  # type: ignore[index]
        return any(field.value() or field.errors for field in fields)


class DateOfBirthField(GovukDateField):
    """A date of birth a person can have (``core.clients.dates_of_birth``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label="Date of birth", help_text="For example, 27 3 2015", **kwargs)

    def compress(self, data_list: list[str]) -> datetime.date | None:
        return date_of_birth_check(super().compress(data_list))


class ClientSearchForm(forms.Form):
    """What the practitioner knows about the person. The minimum is checked by ``SearchCriteria``."""

    surname = _text("Surname", max_length=100)
    first_name = _text("First name", max_length=100)
    date_of_birth = DateOfBirthField(required=False)
    postcode = PostcodeField()
    identifier = _text(
        "Identifier",
        max_length=40,
        help_text="NHS number, Unique Pupil Number or case number",
        **{"class": "govuk-input--width-20"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["identifier"].help_text = identifier_hint(council_jurisdiction())

    def clean_identifier(self) -> str:
        """As typed (the search tidies it), unless it is a mistyped NHS number or UPN: that is said here."""
        value = self.cleaned_data["identifier"]
        search_identifier_check(value, jurisdiction=council_jurisdiction())
        return value


class ClientAddForm(IdentifierFieldsMixin, forms.Form):
    """The minimum to identify a new client, the basis on which the council holds it, and your role."""

    first_name = _text("First name", max_length=100, required=True)
    surname = _text("Surname", max_length=100, required=True)
    date_of_birth = DateOfBirthField()
    postcode = PostcodeField(help_text="Leave it empty if they have no fixed address")
    nhs_number = IdentifierField(NHS_NUMBER)
    unique_pupil_number = IdentifierField(UNIQUE_PUPIL_NUMBER)
    victorian_student_number = IdentifierField(VICTORIAN_STUDENT_NUMBER)
    local_case_id = _text(
        "Case number in your agency's system (optional)", max_length=40, **{"class": "govuk-input--width-20"}
    )
    legal_basis = forms.ModelChoiceField(
        label="Legal basis for holding their details",
        queryset=LegalBasis.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the legal basis for holding their details"},
    )
    consent_given_by = _text(
        "Who gave consent",
        max_length=200,
        help_text='Only if the basis is consent. For example "the client" or "mother".',
    )
    consent_given_on = GovukDateField(
        label="Date consent was given",
        past=True,
        required=False,
        help_text="Only if the basis is consent. For example, 27 3 2026",
    )
    role = forms.CharField(
        label="Your role with this client",
        max_length=120,
        help_text='For example "Social worker" or "School nurse"',
        error_messages={"required": "Enter your role with this client"},
    )
    none_of_these = forms.BooleanField(label="None of these is the person: add a new client", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keep_council_identifiers()
        self.fields["legal_basis"].queryset = LegalBasis.objects.filter(is_accepted=True).order_by("position", "title")
        self.fields["first_name"].error_messages["required"] = "Enter their first name"
        self.fields["surname"].error_messages["required"] = "Enter their surname"
        self.fields["date_of_birth"].error_messages["required"] = "Enter their date of birth"
        self.fields["date_of_birth"].error_messages["incomplete"] = "Enter their date of birth"

    @property
    def legal_bases(self) -> list[LegalBasis]:
        """The accepted bases, for radios with a hint each (the description)."""
        return list(self.fields["legal_basis"].queryset)


class ClientCorrectForm(IdentifierFieldsMixin, forms.Form):
    """Correct the details that identify a client. The service checks them as adding a client does."""

    first_name = _text("First name", max_length=100, required=True)
    surname = _text("Surname", max_length=100, required=True)
    date_of_birth = DateOfBirthField()
    address_line = _text("Address", max_length=200, help_text="For example, 27 Dimbles Lane")
    town = _text("Town", max_length=100, **{"class": "govuk-input--width-20"})
    postcode = PostcodeField(help_text="Leave it empty if they have no fixed address")
    nhs_number = IdentifierField(NHS_NUMBER)
    unique_pupil_number = IdentifierField(UNIQUE_PUPIL_NUMBER)
    victorian_student_number = IdentifierField(VICTORIAN_STUDENT_NUMBER)
    local_case_id = _text("Case number (optional)", max_length=40, **{"class": "govuk-input--width-20"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keep_council_identifiers()
        self.fields["first_name"].error_messages["required"] = "Enter their first name"
        self.fields["surname"].error_messages["required"] = "Enter their surname"
        self.fields["date_of_birth"].error_messages["required"] = "Enter their date of birth"
        self.fields["date_of_birth"].error_messages["incomplete"] = "Enter their date of birth"


class JoinForm(forms.Form):
    role = forms.CharField(
        label="Your role with this client",
        max_length=120,
        help_text='For example "Police constable" or "School nurse"',
        error_messages={"required": "Enter your role with this client"},
    )
    reason = forms.CharField(
        label="Why are you joining this team?",
        max_length=300,
        help_text="Your reason is recorded, and your council's privacy officer can see it. Do not include case notes.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you are joining this team"},
    )


class InvolvementUpdateForm(forms.Form):
    role = forms.CharField(
        label="Your role with this client", max_length=120, error_messages={"required": "Enter your role"}
    )
    is_lead = forms.BooleanField(
        label="I am the lead professional",
        required=False,
        help_text="There is one lead professional at a time: the current one steps down.",
    )
    last_contact_on = GovukDateField(label="Last contact", required=False, help_text="For example, 27 3 2026")
    next_contact_on = GovukDateField(label="Next planned contact", required=False, help_text="For example, 3 4 2026")


class InviteSearchForm(forms.Form):
    """The first step of inviting a registered colleague: find them (a council can have 20,000 practitioners)."""

    q = forms.CharField(
        label="Find a registered colleague",
        help_text="Enter part of their name, their work email or their agency",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class TeamInviteForm(forms.Form):
    """A registered colleague (one of those a search found), or someone not yet registered by work email."""

    colleague = forms.ModelChoiceField(
        label="Choose a colleague",
        queryset=Practitioner.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a colleague who can be invited to this team"},
    )
    email = forms.EmailField(
        label="Or enter the work email of someone not yet registered",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, viewer: Practitioner, client_id: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whoever is chosen must be a candidate; the page shows only the few a search found, never the list.
        self.fields["colleague"].queryset = invite_candidates(viewer=viewer, client_id=client_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("colleague") and data.get("email"):
            raise ValidationError("Choose a colleague or enter an email address, not both")
        return data


class ConsentRecordForm(forms.Form):
    """A client's consent: who gave it, their relationship, when, what it covers and the evidence. The services
    offered are those the council shows only with consent (``consent_services_available``)."""

    ALL = "all"
    CHOSEN = "chosen"

    given_by = _text(
        "Who gave consent", max_length=200, required=True, help_text='Their name, for example "Jade Hughes"'
    )
    relationship = forms.ChoiceField(
        label="Their relationship to the client",
        choices=Consent.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their relationship to the client"},
    )
    given_on = GovukDateField(label="Date consent was given", past=True, help_text="For example, 27 3 2026")
    scope = forms.ChoiceField(
        label="What the consent covers",
        choices=[
            (ALL, "Every service the council shows only with consent"),
            (CHOSEN, "Only the services chosen below"),
        ],
        widget=forms.RadioSelect,
        initial=ALL,
        error_messages={"required": "Choose what the consent covers"},
    )
    services = forms.MultipleChoiceField(
        label="Services the consent covers",
        help_text="Only if the consent covers chosen services",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only services the council shows with consent"},
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=300,
        help_text='How consent was given and where the evidence is kept, for example "signed form, on file". '
        "Do not include case notes.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how consent was given and where the evidence is kept"},
    )

    def __init__(self, *args: Any, services: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_by"].error_messages["required"] = "Enter who gave consent"
        self.fields["services"].choices = [(str(agency.pk), agency.name) for agency in services]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("scope") == self.CHOSEN and "services" in data and not data["services"]:
            self.add_error("services", "Choose the services the consent covers")
        return data


class ConsentWithdrawForm(forms.Form):
    note = forms.CharField(
        label="How and when was consent withdrawn?",
        max_length=300,
        help_text='For example "phoned the school office, 3 March". Do not include case notes.',
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how and when the consent was withdrawn"},
    )


class FirstRadioLabelled(forms.RadioSelect):
    """Radios whose field is labelled by its first radio, so the error summary's link lands on it (GOV.UK)."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class BreakGlassForm(forms.Form):
    """Open a team in an emergency: one of the council's reasons, and why now. The service checks both again."""

    reason = forms.ChoiceField(
        label="Why do you need to open this team now?",
        choices=(),
        widget=FirstRadioLabelled,
        error_messages={"required": "Choose the reason", "invalid_choice": "Choose the reason from the council's list"},
    )
    explanation = forms.CharField(
        label="Explain the emergency",
        max_length=500,
        help_text=(
            "What has happened and why it cannot wait. Your privacy officer reads this. Do not include case notes."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Explain why you need to see this team now",
            "max_length": "The explanation must be 500 characters or fewer",
        },
    )

    def __init__(self, *args: Any, reasons: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(reason, reason) for reason in reasons]


class BreakGlassReviewForm(forms.Form):
    """A privacy officer's review of an emergency access: accepted, or challenged with a note."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accepted", "Accept: the access was justified"), ("challenged", "Challenge it")],
        widget=FirstRadioLabelled,
        error_messages={"required": "Choose whether you accept or challenge this access"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        help_text="Required if you challenge the access. The practitioner is asked to contact you.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )
