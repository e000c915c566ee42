from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts

from core.directory.models import Agency, ApprovalState, Practitioner, Role


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
