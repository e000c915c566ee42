"""The postcode rule of each jurisdiction: normalised when real, refused (never cut) when not."""

import pytest
from django.core.exceptions import ValidationError

from core.clients.postcodes import postcode_clean
from tenants.jurisdictions import Jurisdiction


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ST13 5AB", "ST13 5AB"),
        ("st135ab", "ST13 5AB"),
        ("  ws13   6yy ", "WS13 6YY"),
        ("BN2 4AA", "BN2 4AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("", ""),
    ],
)
def test_an_english_council_takes_a_real_uk_postcode_normalised(typed: str, stored: str) -> None:
    assert postcode_clean(typed, jurisdiction=Jurisdiction.ENGLAND) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "ST13 5ABX",
        "ST13 5",
        "WS13",
        "3121",
        "AB1 2CD",
        "QA1 1AA",
        "ST13 5AB TOOLONG",
        "12345",
        "ST13-5AB",
        "ST13 5AB" * 3,
    ],
)
def test_an_english_council_refuses_what_is_not_a_uk_postcode(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        postcode_clean(typed, jurisdiction=Jurisdiction.ENGLAND)
    assert raised.value.messages == ["Enter a real postcode, like WS13 6YY"]


@pytest.mark.parametrize(
    ("typed", "stored"), [("3121", "3121"), (" 3000 ", "3000"), ("3999", "3999"), ("8001", "8001")]
)
def test_a_victorian_council_takes_a_victorian_postcode(typed: str, stored: str) -> None:
    assert postcode_clean(typed, jurisdiction=Jurisdiction.VICTORIA) == stored


@pytest.mark.parametrize("typed", ["2000", "4000", "7999", "9000", "312", "31210", "ST13 5AB", "VIC 3121"])
def test_a_victorian_council_refuses_other_postcodes(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        postcode_clean(typed, jurisdiction=Jurisdiction.VICTORIA)
    assert raised.value.messages == ["Enter a Victorian postcode: 4 digits, like 3121"]
