import re

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError

from core.directory.imports import MAX_BYTES, MAX_ROWS
from core.directory.listing import StaffListing
from core.directory.models import (
    Agency,
    AgencyType,
    ApprovalState,
    ContactMethod,
    ImportKind,
    Practitioner,
    Role,
)
from core.directory.phones import phone_clean, phone_national
from core.directory.selectors import AccountState, agencies_searchable_by
from core.directory.services.profiles import (
    PHOTO_INVALID,
    PRACTITIONER_FIELDS,
    photo_check,
    practitioner_contact_check,
)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Work email", max_length=254)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label=None)
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: object, inviter: Practitioner, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Any approved agency and any role are *valid input*; whether this inviter may use them is
        # the invitation service's decision, so that a tampered form is refused (403) and audited
        # rather than quietly rejected as a bad choice. The page offers only what they may choose.
        self.fields["agency"].queryset = Agency.objects.filter(approval_state=ApprovalState.APPROVED)
        if not inviter.is_council_admin:
            own = Agency.objects.filter(pk=inviter.agency_id)
            self.fields["agency"].widget.choices = [(agency.pk, agency.name) for agency in own]
            self.fields["role"].widget.choices = [(Role.PRACTITIONER, Role.PRACTITIONER.label)]


class AccountsFilterForm(forms.Form):
    """Narrow the Accounts page: a name or work email, and a state."""

    q = forms.CharField(
        label="Name or work email",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    state = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *AccountState.choices])


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(label="Surname", max_length=100)
    job_title = forms.CharField(label="Job title", max_length=120, help_text='For example "Health visitor".')
    password = forms.CharField(
        label="Create a password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password_again = forms.CharField(
        label="Type the password again",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords are not the same.")
        return cleaned


class ChoiceOfAgency(forms.ModelChoiceField):
    """A choice of agency whose one error message is the field's own, even for a malformed id."""

    def to_python(self, value: object) -> Agency | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from error


class PractitionerSearchForm(forms.Form):
    """Find a colleague: by name, job title or expertise, by agency, or both."""

    q = forms.CharField(
        label="Name, job title or expertise",
        required=False,
        max_length=100,
        help_text='For example "Collier", "health visitor" or "speech and language".',
        error_messages={"max_length": "Search for 100 characters or fewer"},
    )
    agency = ChoiceOfAgency(
        label="Agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Any agency",
        error_messages={"invalid_choice": "Select an agency from the list"},
    )

    def __init__(
        self, *args: object, viewer: Practitioner, listing: StaffListing | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_searchable_by(viewer=viewer, listing=listing)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("q") and cleaned.get("agency") is None:
            self.add_error("q", "Enter a name, job title or expertise, or select an agency")
        return cleaned


def _phone_clean(value: str, what: str) -> str:
    """The number in E.164 (``core.directory.phones``), or "" for none."""
    return phone_clean(value, what=what)


class TelephoneInput(forms.TextInput):
    input_type = "tel"


class ProfileForm(forms.Form):
    """A practitioner's own profile. The work email is not here: it is how they sign in."""

    first_name = forms.CharField(
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your first name",
            "max_length": "First name must be 100 characters or fewer",
        },
    )
    last_name = forms.CharField(
        label="Surname",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
        error_messages={"required": "Enter your surname", "max_length": "Surname must be 100 characters or fewer"},
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=120,
        help_text='For example "Health visitor".',
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": "Enter your job title", "max_length": "Job title must be 120 characters or fewer"},
    )
    expertise = forms.CharField(
        label="Expertise (optional)",
        required=False,
        max_length=300,
        help_text='What colleagues might ask you about, for example "autism, early years, housing benefit".',
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Expertise must be 300 characters or fewer"},
    )
    availability = forms.CharField(
        label="Availability (optional)",
        required=False,
        max_length=120,
        help_text='When you work, for example "Mon–Wed".',
        error_messages={"max_length": "Availability must be 120 characters or fewer"},
    )
    mobile = forms.CharField(
        label="Work mobile (optional)",
        required=False,
        max_length=30,
        widget=TelephoneInput(attrs={"autocomplete": "tel"}),
        error_messages={"max_length": "Mobile number must be 30 characters or fewer"},
    )
    landline = forms.CharField(
        label="Work landline (optional)",
        required=False,
        max_length=30,
        widget=TelephoneInput(attrs={"autocomplete": "tel"}),
        error_messages={"max_length": "Landline number must be 30 characters or fewer"},
    )
    preferred_contact = forms.ChoiceField(
        label="How do you prefer to be contacted?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how you prefer to be contacted",
            "invalid_choice": "Select how you prefer to be contacted",
        },
    )
    photo = forms.ImageField(
        label="Photo (optional)",
        required=False,
        help_text="A JPG or PNG file, smaller than 2 MB. Colleagues see it on your profile.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={
            "invalid_image": PHOTO_INVALID,
            "invalid": PHOTO_INVALID,
            "empty": "The selected file is empty",
        },
    )
    remove_photo = forms.BooleanField(label="Remove my photo", required=False)

    def __init__(self, *args: object, practitioner: Practitioner, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": practitioner.user.first_name,
                "last_name": practitioner.user.last_name,
                **{name: getattr(practitioner, name) for name in PRACTITIONER_FIELDS},
                # Numbers are stored in E.164 and shown as the council's country writes them.
                "mobile": phone_national(practitioner.mobile),
                "landline": phone_national(practitioner.landline),
            },
        )
        super().__init__(*args, **kwargs)

    def clean_mobile(self) -> str:
        return _phone_clean(self.cleaned_data["mobile"], "mobile")

    def clean_landline(self) -> str:
        return _phone_clean(self.cleaned_data["landline"], "landline")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if {"preferred_contact", "mobile", "landline"} <= set(cleaned):
            try:
                practitioner_contact_check(
                    preferred_contact=cleaned["preferred_contact"],
                    mobile=cleaned["mobile"],
                    landline=cleaned["landline"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        if cleaned.get("photo"):
            try:
                photo_check(photo=cleaned["photo"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class AgencyForm(forms.Form):
    """An agency's details, as a council administrator gives them (the rules are the service's)."""

    name = forms.CharField(label="Name", max_length=200)
    agency_type = forms.ChoiceField(label="Type of agency", choices=AgencyType.choices, widget=forms.RadioSelect)
    services = forms.CharField(
        label="Services (optional)", max_length=300, required=False, help_text="What the agency does, in a few words."
    )
    contact_email = forms.EmailField(label="Contact email (optional)", max_length=254, required=False)
    contact_phone = forms.CharField(label="Contact phone (optional)", max_length=30, required=False)
    email_domains = forms.CharField(
        label="Work-email domains (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text="One a line, for example staffordshire-childrens.example. Only people with an email address "
        "at one of these domains can be invited to the agency. A domain belongs to one agency only.",
    )
    is_sensitive = forms.BooleanField(
        label="Its involvement with a client is itself sensitive",
        required=False,
        help_text="For example substance misuse or sexual health. How other agencies see its involvement — hidden, "
        "a placeholder with the gateway contact, or in full with the client's consent — is set in the council's "
        "rules; until then, a placeholder.",
    )
    gateway_contact = forms.CharField(
        label="Gateway contact (needed if sensitive)",
        max_length=300,
        required=False,
        help_text="How other agencies reach it about a client, for example a duty phone line.",
    )

    def clean_contact_phone(self) -> str:
        return _phone_clean(self.cleaned_data.get("contact_phone", "").strip(), "phone")

    def clean_email_domains(self) -> list[str]:
        return [line for line in re.split(r"[\s,;]+", self.cleaned_data.get("email_domains", "")) if line]

    @classmethod
    def initial_of(cls, agency: Agency) -> dict[str, object]:
        initial = {name: getattr(agency, name) for name in cls.base_fields}
        initial["email_domains"] = "\n".join(agency.email_domains)
        return initial


class AgencyTransitionForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit trail with your name.",
        error_messages={"required": "Enter the reason"},
    )


class ImportKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you want to import?",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to import", "invalid_choice": "Select what to import"},
    )


class ImportUploadForm(forms.Form):
    """The file only: whether it can be imported is the import service's decision (``core.directory.imports``)."""

    file = forms.FileField(
        label="Upload a CSV file",
        help_text=f"Smaller than {MAX_BYTES // (1024 * 1024)} MB, with {MAX_ROWS:,} rows or fewer.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV file",
            "missing": "Select a CSV file",
        },
    )
