from django import forms

from core.sso.models import DEFAULT_MFA_AMR, DEFAULT_SAML_MFA_CONTEXTS, Protocol


def _values(text: str) -> list[str]:
    return [value.strip() for value in text.replace("\n", ",").split(",") if value.strip()]


class OrganisationEmailForm(forms.Form):
    email = forms.EmailField(
        label="Work email",
        max_length=254,
        help_text="We use it to find your organisation's sign-in page.",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )


class InvitationFinishForm(forms.Form):
    """What a first single sign-on with an invitation still asks: the names (prefilled) and the job title.
    No password: the person signs in through their organisation."""

    first_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(
        label="Surname", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=120,
        help_text='For example "Health visitor".',
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )


class IdentityProviderForm(forms.Form):
    """An agency's provider, OpenID Connect or SAML 2.0: only the chosen protocol's fields are required (the
    service checks them). The client secret is write-only and the certificate is not shown back: blank keeps
    the stored one."""

    protocol = forms.ChoiceField(
        label="How the agency's staff sign in",
        choices=Protocol.choices,
        initial=Protocol.OIDC,
        required=False,  # blank: OpenID Connect, as before SAML was offered
        widget=forms.RadioSelect,
    )
    display_name = forms.CharField(
        label="Name people see", max_length=100, help_text="For example, Contoso Health staff account."
    )
    issuer = forms.URLField(
        label="Issuer URL",
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="For Microsoft Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = forms.CharField(label="Client ID", max_length=300, required=False)
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
    saml_entity_id = forms.CharField(
        label="Identity provider entity ID",
        required=False,
        max_length=300,
        help_text="For Microsoft Entra ID: https://sts.windows.net/<tenant id>/",
    )
    saml_sso_url = forms.URLField(
        label="Single sign-on URL (HTTP-Redirect)",
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    saml_certificate = forms.CharField(
        label="Signing certificate (PEM)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Responses must be signed with this certificate. Leave it blank to keep the one already saved.",
    )
    saml_mfa_contexts = forms.CharField(
        label="AuthnContextClassRef values that show a second factor",
        required=False,
        max_length=1000,
        initial=", ".join(DEFAULT_SAML_MFA_CONTEXTS),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="Separated by commas or new lines. Without one of these, people are asked for Patchwork's own "
        "second factor.",
    )
    enabled = forms.BooleanField(label="Staff of this agency can sign in with this provider", required=False)

    def clean_protocol(self) -> str:
        return self.cleaned_data["protocol"] or Protocol.OIDC

    def clean_mfa_amr_values(self) -> list[str]:
        return _values(self.cleaned_data["mfa_amr_values"])

    def clean_mfa_acr_values(self) -> list[str]:
        return _values(self.cleaned_data["mfa_acr_values"])

    def clean_saml_mfa_contexts(self) -> list[str]:
        return _values(self.cleaned_data["saml_mfa_contexts"])
