"""The order form: what a council tells us when it orders Patchwork from the catalogue."""

import re
from typing import Any

from django import forms
from django.conf import settings

from onboarding.plans import OFFERS, PlanCode, PricedOffer, offers_here, offers_in_force
from onboarding.selectors import subdomain_taken
from onboarding.subdomains import RESERVED_SUBDOMAINS
from tenants.models import SLUG_PATTERN

MAX_PRACTITIONERS = 100_000


def _required(message: str, **others: str) -> dict[str, str]:
    return {"required": message, **others}


def _email(label: str, *, required: str, invalid: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages=_required(required, invalid=invalid, max_length="Email address must be 254 characters or fewer"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "govuk-!-width-two-thirds"}),
    )


def _name(label: str, *, required: str, autocomplete: str = "name") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=200,
        error_messages=_required(required, max_length="Name must be 200 characters or fewer"),
        widget=forms.TextInput(attrs={"autocomplete": autocomplete, "spellcheck": "false"}),
    )


def _plan_label(code: str, label: str, offers: list[PricedOffer]) -> str:
    """``Standard: £4.50 ex VAT in England (minimum 100 practitioners), …, per active practitioner per month``."""
    prices = [
        f"{offer.currency_symbol}{plan.price_per_practitioner} ex {offer.tax_name} in {offer.name} "
        f"(minimum {plan.minimum_practitioners} practitioners)"
        for offer in offers
        for plan in offer.plans
        if plan.code == code
    ]
    return f"{label}: {', '.join(prices)}, per active practitioner per month" if prices else label


def _jurisdiction_label(jurisdiction: str) -> str:
    offer = OFFERS[jurisdiction]
    return f"{offer.name} (data held in {' or '.join(offer.data_regions)})"


class OrderForm(forms.Form):
    council_name = forms.CharField(
        label="Council's legal name",
        max_length=200,
        help_text="As it appears on your purchase order, for example Staffordshire County Council.",
        error_messages=_required(
            "Enter the council's legal name", max_length="Council's legal name must be 200 characters or fewer"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    jurisdiction = forms.ChoiceField(
        label="Where is the council?",
        choices=(),  # the jurisdictions sold here, set in __init__
        help_text="This fixes where the council's data is held. It cannot be changed later.",
        error_messages=_required("Select where the council is", invalid_choice="Select where the council is"),
        widget=forms.RadioSelect,
    )
    subdomain = forms.CharField(
        label="Subdomain",
        max_length=40,
        error_messages=_required("Enter a subdomain", max_length="Subdomain must be 40 characters or fewer"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}),
    )
    plan = forms.ChoiceField(
        label="Plan",
        choices=PlanCode.choices,
        help_text="Prices in force today. What each plan includes is on the service page.",
        error_messages=_required("Select a plan", invalid_choice="Select a plan"),
        widget=forms.RadioSelect,
    )
    expected_practitioners = forms.CharField(
        label="How many practitioners do you expect to use Patchwork?",
        max_length=10,
        help_text="An estimate, as a whole number. You are charged for active practitioners each month.",
        error_messages=_required("Enter how many practitioners you expect"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    purchase_order_number = forms.CharField(
        label="Purchase order number",
        max_length=50,
        error_messages=_required(
            "Enter the purchase order number", max_length="Purchase order number must be 50 characters or fewer"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}),
    )
    billing_contact_name = _name("Billing contact's full name", required="Enter the billing contact's full name")
    billing_contact_email = _email(
        "Billing contact's email address",
        required="Enter the billing contact's email address",
        invalid="Enter the billing contact's email address in the correct format, like name@example.gov.uk",
    )
    dpo_name = _name("Data Protection Officer's full name", required="Enter the Data Protection Officer's full name")
    dpo_email = _email(
        "Data Protection Officer's email address",
        required="Enter the Data Protection Officer's email address",
        invalid="Enter the Data Protection Officer's email address in the correct format, like name@example.gov.uk",
    )
    admin_name = _name("First administrator's full name", required="Enter the first administrator's full name")
    admin_email = _email(
        "First administrator's work email address",
        required="Enter the first administrator's work email address",
        invalid="Enter the first administrator's work email address in the correct format, like name@example.gov.uk",
    )
    accept_terms = forms.BooleanField(
        label="The council accepts the terms of service",
        error_messages=_required("Confirm that the council accepts the terms of service"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offers = offers_in_force()
        # Only the jurisdictions sold here: in a cell, its own (a council of another belongs in another cell).
        self.fields["jurisdiction"].choices = [
            (offer.jurisdiction, _jurisdiction_label(offer.jurisdiction)) for offer in offers_here()
        ]
        self.fields["plan"].choices = [(code, _plan_label(code, label, offers)) for code, label in PlanCode.choices]
        self.fields["subdomain"].help_text = (
            f"Your council's address will be <subdomain>.{settings.PLATFORM_DOMAIN}, for example "
            f"staffordshire.{settings.PLATFORM_DOMAIN}. 3 to 40 characters: lower-case letters, numbers and "
            "hyphens, starting with a letter."
        )

    def clean_subdomain(self) -> str:
        slug = self.cleaned_data["subdomain"].strip().lower()
        if not re.fullmatch(SLUG_PATTERN, slug):
            raise forms.ValidationError(
                "Subdomain must be 3 to 40 characters: lower-case letters, numbers and hyphens, "
                "starting with a letter and not ending with a hyphen"
            )
        if slug in RESERVED_SUBDOMAINS:
            raise forms.ValidationError("That subdomain is reserved: choose another")
        if subdomain_taken(slug):
            raise forms.ValidationError("That subdomain is already taken: choose another")
        return slug

    def clean_expected_practitioners(self) -> int:
        text = self.cleaned_data["expected_practitioners"].strip().replace(",", "")
        if not text.isascii() or not text.isdigit():
            raise forms.ValidationError("Number of practitioners must be a whole number, like 250")
        number = int(text)
        if number < 1:
            raise forms.ValidationError("Number of practitioners must be 1 or more")
        if number > MAX_PRACTITIONERS:
            raise forms.ValidationError(f"Number of practitioners must be {MAX_PRACTITIONERS:,} or fewer")
        return number
