from django import forms

from core.api_clients.scopes import SCOPE_CHOICES


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label="Name of the system",
        max_length=120,
        help_text='So that you and the agency recognise it, for example "Mosaic (children\'s services)".',
        error_messages={"required": "Enter the name of the system."},
    )
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="It only ever acts for one of the agency's own practitioners, and sees what they could.",
        error_messages={"required": "Choose what the system may do."},
    )
