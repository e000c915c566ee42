"""Each jurisdiction's identifiers with their checks (core/clients/identifiers.py), and the model holding them.

The valid examples are built here by their published rules: NHS numbers by the modulus-11 check digit, UPNs by
the DfE check letter (the weighted sum of the last twelve characters, modulo 23, indexes the letters without
I, O and S), so a test does not depend on the library it checks.
"""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from core.clients.identifiers import (
    NHS_CHECK,
    NHS_FORMAT,
    UPN_AUTHORITY,
    UPN_CHECK,
    UPN_FORMAT,
    VSN_FORMAT,
    identifier_clean,
    search_identifier_check,
)
from tenants.jurisdictions import Jurisdiction
from tenants.models import Council
from tests.factories import ClientFactory

ENGLAND = Jurisdiction.ENGLAND
VICTORIA = Jurisdiction.VICTORIA
pytestmark = pytest.mark.council_side
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_number_from(first_nine: str) -> str:
    remainder = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    check = (11 - remainder) % 11
    assert check != 10, "no NHS number ends these nine digits"
    return f"{first_nine}{check}"


def upn_from(last_twelve: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(last_twelve, range(2, 14), strict=True))
    return f"{UPN_LETTERS[total % 23]}{last_twelve}"


VALID_NHS = nhs_number_from("943476591")  # 9434765919
VALID_UPN = upn_from("860200019123")  # Staffordshire (LA 860), school 2000, allocated 2019


def one_digit_changed(number: str, position: int) -> str:
    digit = int(number[position])
    return f"{number[:position]}{(digit + 1) % 10}{number[position + 1 :]}"


def test_the_examples_are_built_by_the_published_rules() -> None:
    assert VALID_NHS == "9434765919"
    assert nhs_number_from("401023213") == "4010232137"  # NHS England's own example
    assert upn_from("801200005001") == "B801200005001"  # python-stdnum's example, built independently


@pytest.mark.parametrize("typed", [VALID_NHS, "943 476 5919", " 943-476-5919 "])
def test_a_valid_nhs_number_is_taken_compact(typed: str) -> None:
    assert identifier_clean("nhs_number", typed, jurisdiction=ENGLAND) == VALID_NHS


@pytest.mark.parametrize("position", range(10))
def test_an_nhs_number_with_any_one_digit_mistyped_is_refused(position: int) -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("nhs_number", one_digit_changed(VALID_NHS, position), jurisdiction=ENGLAND)
    assert raised.value.messages == [NHS_CHECK]


@pytest.mark.parametrize("typed", ["12345", "94347659190", "943476591X", "9" * 40])
def test_what_is_not_ten_digits_is_refused_as_not_an_nhs_number(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("nhs_number", typed, jurisdiction=ENGLAND)
    assert raised.value.messages == [NHS_FORMAT]


@pytest.mark.parametrize("typed", [VALID_UPN, VALID_UPN.lower(), f"{VALID_UPN[:5]} {VALID_UPN[5:]}"])
def test_a_valid_unique_pupil_number_is_taken_in_capitals(typed: str) -> None:
    assert identifier_clean("unique_pupil_number", typed, jurisdiction=ENGLAND) == VALID_UPN


@pytest.mark.parametrize("position", range(4, 13))
def test_a_unique_pupil_number_with_one_digit_mistyped_is_refused(position: int) -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("unique_pupil_number", one_digit_changed(VALID_UPN, position), jurisdiction=ENGLAND)
    assert raised.value.messages == [UPN_CHECK]


def test_a_unique_pupil_number_with_no_real_local_authority_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("unique_pupil_number", upn_from("000200005001"), jurisdiction=ENGLAND)
    assert raised.value.messages == [UPN_AUTHORITY]


@pytest.mark.parametrize("typed", ["X1", "A8602000191234", "1860200019123", "A86020001912!"])
def test_what_is_not_shaped_like_a_unique_pupil_number_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("unique_pupil_number", typed, jurisdiction=ENGLAND)
    assert raised.value.messages == [UPN_FORMAT]


@pytest.mark.parametrize(("typed", "stored"), [("123456789", "123456789"), ("123 456 789", "123456789")])
def test_a_victorian_council_takes_a_victorian_student_number_of_nine_digits(typed: str, stored: str) -> None:
    assert identifier_clean("victorian_student_number", typed, jurisdiction=VICTORIA) == stored


@pytest.mark.parametrize("typed", ["12345678", "1234567890", "12345678A"])
def test_a_victorian_student_number_that_is_not_nine_digits_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("victorian_student_number", typed, jurisdiction=VICTORIA)
    assert raised.value.messages == [VSN_FORMAT]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("nhs_number", VALID_NHS, "A Victorian council does not record an NHS number"),
        ("unique_pupil_number", VALID_UPN, "A Victorian council does not record a Unique Pupil Number"),
    ],
)
def test_a_victorian_council_refuses_english_identifiers(name: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean(name, value, jurisdiction=VICTORIA)
    assert raised.value.messages == [message]


def test_an_english_council_refuses_a_victorian_student_number() -> None:
    with pytest.raises(ValidationError) as raised:
        identifier_clean("victorian_student_number", "123456789", jurisdiction=ENGLAND)
    assert raised.value.messages == ["An English council does not record a Victorian Student Number"]


def test_a_search_for_a_mistyped_nhs_number_or_upn_is_refused_and_a_case_number_is_not() -> None:
    with pytest.raises(ValidationError, match="NHS number"):
        search_identifier_check(one_digit_changed(VALID_NHS, 3), jurisdiction=ENGLAND)
    with pytest.raises(ValidationError, match="Unique Pupil Number"):
        search_identifier_check(one_digit_changed(VALID_UPN, 6), jurisdiction=ENGLAND)
    assert search_identifier_check("943 476 5919", jurisdiction=ENGLAND) == VALID_NHS
    assert search_identifier_check("LCS-204519", jurisdiction=ENGLAND) == "LCS-204519"
    assert search_identifier_check(one_digit_changed(VALID_NHS, 3), jurisdiction=VICTORIA)  # no NHS numbers there


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nhs_number", one_digit_changed(VALID_NHS, 0)),
        ("unique_pupil_number", one_digit_changed(VALID_UPN, 8)),
        ("victorian_student_number", "12345"),
    ],
)
def test_the_model_itself_refuses_an_identifier_whose_check_fails(council_a: Council, field: str, value: str) -> None:
    with schema_context(council_a.schema_name):
        client = ClientFactory.build(**{field: value})
        with pytest.raises(ValidationError) as raised:
            client.full_clean(exclude=["legal_basis", "created_by"])
        assert list(raised.value.message_dict) == [field]
