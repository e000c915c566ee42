"""Practitioners' phone numbers, parsed per country with ``phonenumbers``: the one rule that the model, the
profile form and the profile service use.

A number is read as the council's country writes it (GB for an English council, AU for a Victorian one; a
number with + and a country code is read as it says), stored in E.164 ("+447700900123") and shown in the
country's national format ("07700 900123"). It is taken when ``phonenumbers`` says it is a valid number, or when
it is in a range the regulator keeps for drama and fiction: ``phonenumbers`` knows Ofcom's drama ranges
(07700 900000–900999, 01632 960000–960999, 0115 496 0000–0999) as possible but not valid,
and a demo, a training site or a test must still be able to use them. ACMA's fictional numbers (0491 570 xxx,
(03) 5550 xxxx) are valid to ``phonenumbers`` already.
"""

import functools

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import connection

from tenants.jurisdictions import Jurisdiction

REGIONS = {Jurisdiction.ENGLAND: "GB", Jurisdiction.VICTORIA: "AU"}
EXAMPLES = {
    Jurisdiction.ENGLAND: {"mobile": "07700 900 123", "landline": "01632 960 123"},
    Jurisdiction.VICTORIA: {"mobile": "0491 570 156", "landline": "03 5550 1234"},
}
LONGEST_INPUT = 30

# Ofcom's numbers for drama (https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama) that
# ``phonenumbers`` does not hold valid, as E.164 prefixes: mobiles 07700 900xxx, 01632 960xxx, 0115 496 0xxx. (The
# other drama blocks, such as 0113 496 0xxx or 020 7946 0xxx, are valid to it already.)
OFCOM_DRAMA_PREFIXES = ("+447700900", "+441632960", "+441154960")


def council_region() -> str:
    """The country whose national format numbers are read in: the council's (GB outside any council)."""
    jurisdiction = getattr(connection.tenant, "jurisdiction", None)
    return REGIONS.get(str(jurisdiction), "GB")


def _acceptable(number: phonenumbers.PhoneNumber) -> bool:
    if phonenumbers.is_valid_number(number):
        return True
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return len(e164) == len("+447700900123") and e164.startswith(OFCOM_DRAMA_PREFIXES)


def phone_message(what: str, region: str) -> str:
    jurisdiction = Jurisdiction.VICTORIA if region == "AU" else Jurisdiction.ENGLAND
    country = "an Australian" if region == "AU" else "a UK"
    example = EXAMPLES[jurisdiction]["mobile" if what == "mobile" else "landline"]
    return f"Enter {country} {what} number, like {example}, or a number with + and its country code"


def phone_clean(value: str, *, what: str, region: str | None = None) -> str:
    """The number in E.164, or "" for none; ``ValidationError`` with a message a person can act on if it is not
    a phone number (``what`` is "mobile" or "landline", for the message)."""
    text = (value or "").strip()
    if not text:
        return ""
    region = region or council_region()
    if len(text) > LONGEST_INPUT:
        raise ValidationError(phone_message(what, region), code="phone")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(phone_message(what, region), code="phone") from error
    if not _acceptable(number):
        raise ValidationError(phone_message(what, region), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164_phone(value: str) -> None:
    """Model validator: a stored number is E.164 and acceptable (or none)."""
    if not value:
        return
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as error:
        raise ValidationError("Enter the number in international format, like +447700900123", code="phone") from error
    if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value or not _acceptable(number):
        raise ValidationError("Enter the number in international format, like +447700900123", code="phone")


def phone_national(value: str, *, region: str | None = None) -> str:
    """A stored number as the council's country writes it ("+447700900123" → "07700 900123"); a number from
    another country internationally; anything that does not parse (a value older than this rule) as it is."""
    if not value:
        return ""
    return _national(value, region or council_region())


@functools.lru_cache(maxsize=8192)
def _national(value: str, region: str) -> str:
    """``phone_national``'s work, remembered: it depends on nothing but its arguments, and a team page formats
    every member's numbers (parsing one costs about 0.1 ms)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    # By country code: a drama number has no region to ``phonenumbers`` (it is not "valid"), yet is the country's.
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
