from django import forms

from core.sso.models import DEFAULT_MFA_AMR


def _values(text: str) -> list[str]:
    return [value.strip() for value in text.replace("\n", ",").split(",") if value.strip()]


class OrganisationEmailForm(forms.Form):
    email = forms.EmailField(
        label="Work email",
        max_length=254,
        help_text="We use it to find your organisation's sign-in page.",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )


class IdentityProviderForm(forms.Form):
    """An agency's OpenID Connect provider. The client secret is write-only: blank keeps the stored one."""

    display_name = forms.CharField(
        label="Name people see", max_length=100, help_text="For example, Contoso Health staff account."
    )
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text="For Microsoft Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = forms.CharField(label="Client ID", max_length=300)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=1000,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text="It is never shown again. Leave it blank to keep the one already saved.",
    )
    mfa_amr_values = forms.CharField(
        label="amr values that show a second factor",
        required=False,
        max_length=300,
        initial=", ".join(DEFAULT_MFA_AMR),
        help_text="Separated by commas. Without one of these (or an acr value below), people are asked for "
        "Patchwork's own second factor.",
    )
    mfa_acr_values = forms.CharField(
        label="acr values that show a second factor",
        required=False,
        max_length=600,
        help_text="Separated by commas. Optional.",
    )
    enabled = forms.BooleanField(label="Staff of this agency can sign in with this provider", required=False)

    def clean_mfa_amr_values(self) -> list[str]:
        return _values(self.cleaned_data["mfa_amr_values"])

    def clean_mfa_acr_values(self) -> list[str]:
        return _values(self.cleaned_data["mfa_acr_values"])
