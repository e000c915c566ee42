from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Email and password. The same message for an unknown email and a wrong password."""

    username = forms.EmailField(label="Work email", widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    error_messages = {
        "invalid_login": "Enter a correct work email and password.",
        "inactive": "Enter a correct work email and password.",
    }
