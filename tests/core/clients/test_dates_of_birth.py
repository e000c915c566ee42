"""A date of birth a person can have: today or before, and no more than 120 years ago."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.clients.dates_of_birth import date_of_birth_check

TODAY = datetime.date(2026, 3, 10)


@pytest.mark.parametrize("born", [TODAY, datetime.date(2014, 6, 2), datetime.date(1906, 3, 10)])
def test_a_possible_date_of_birth_is_accepted(born: datetime.date) -> None:
    assert date_of_birth_check(born, today=TODAY) == born


def test_a_date_of_birth_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be today or in the past"):
        date_of_birth_check(datetime.date(2026, 3, 11), today=TODAY)


def test_a_date_of_birth_more_than_120_years_ago_is_refused() -> None:
    with pytest.raises(ValidationError, match="within the last 120 years"):
        date_of_birth_check(datetime.date(1906, 3, 9), today=TODAY)


def test_on_29_february_the_limit_falls_on_28_february_when_that_year_has_no_29th() -> None:
    leap = datetime.date(2020, 2, 29)  # 1900 was not a leap year
    assert date_of_birth_check(datetime.date(1900, 2, 28), today=leap) == datetime.date(1900, 2, 28)
    with pytest.raises(ValidationError):
        date_of_birth_check(datetime.date(1900, 2, 27), today=leap)
