"""The council's billing details form: it reads what was typed; billing/services/details.py decides what is valid."""

from django import forms


class BillingDetailsForm(forms.Form):
    purchase_order_number = forms.CharField(
        label="Purchase order number",
        max_length=200,
        required=False,
        help_text="As your finance team needs it on invoices, for example PO-2026/0042.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off", "class": "govuk-input--width-20"}),
    )
    billing_contact_name = forms.CharField(
        label="Billing contact's name",
        max_length=400,
        required=False,
        help_text="A person or a team, for example Accounts payable.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    billing_contact_email = forms.CharField(
        label="Billing contact's email address",
        max_length=254,
        required=False,
        help_text="Invoices and reminders are sent here.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
