from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from core.accounts.services.passwords import password_reset_link_queue

GENERIC_SIGN_IN_ERROR = "Enter a correct work email and password."


class SignInForm(forms.Form):
    """Email and password. The same message for an unknown email, a wrong password and a locked account."""

    email = forms.EmailField(
        label="Work email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "inputmode": "text"}),
    )


class SetUpCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="Enter the 6-digit code your authenticator app now shows for Patchwork.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form (same users, same token), with the email going through the outbox."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        password_reset_link_queue(to=to_email, subject=subject, body=body)
