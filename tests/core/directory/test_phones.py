"""Phone numbers per country (core/directory/phones.py): E.164 stored, national shown, fiction's ranges taken."""

import pytest
from django.core.exceptions import ValidationError

from core.directory.phones import phone_clean, phone_national, validate_e164_phone


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("07700 900 999", "GB", "+447700900999"),
        ("01632 960 000", "GB", "+441632960000"),
        ("0115 496 0123", "GB", "+441154960123"),
        ("0491 570 156", "AU", "+61491570156"),
        ("(03) 5550 1234", "AU", "+61355501234"),
        ("+61 491 570 156", "GB", "+61491570156"),  # a number with its country code is read as it says
    ],
)
def test_numbers_of_the_councils_country_and_fictions_ranges_are_stored_in_e164(
    typed: str, region: str, stored: str
) -> None:
    assert phone_clean(typed, what="mobile", region=region) == stored
    validate_e164_phone(stored)


@pytest.mark.parametrize(
    ("typed", "region", "message"),
    [
        ("0491 570 15", "AU", "Enter an Australian mobile number, like 0491 570 156"),
        ("07700 900 123", "AU", "Enter an Australian mobile number, like 0491 570 156"),
        ("ring reception", "GB", "Enter a UK mobile number, like 07700 900 123"),
        ("07700 90012", "GB", "Enter a UK mobile number, like 07700 900 123"),
        ("07700 9001234", "GB", "Enter a UK mobile number, like 07700 900 123"),
    ],
)
def test_what_is_not_a_phone_number_there_is_refused_with_an_example(typed: str, region: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        phone_clean(typed, what="mobile", region=region)
    assert raised.value.messages[0].startswith(message)


def test_a_stored_number_is_shown_as_its_country_writes_it() -> None:
    assert phone_national("+447700900123", region="GB") == "07700 900123"
    assert phone_national("+61491570156", region="AU") == "0491 570 156"
    assert phone_national("+61491570156", region="GB") == "+61 491 570 156"
    assert phone_national("call me", region="GB") == "call me"  # older than the rule: shown as it is


@pytest.mark.parametrize("value", ["07700 900123", "+44 7700 900123", "+4477009001"])
def test_the_model_takes_only_e164(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_e164_phone(value)
