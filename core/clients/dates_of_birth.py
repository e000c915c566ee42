"""A date of birth a person can have: not in the future, and not more than 120 years ago. One rule for
searching and for adding or correcting a client, on the pages and in the API."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

OLDEST_AGE = 120


def date_of_birth_check(value: datetime.date | None, *, today: datetime.date | None = None) -> datetime.date | None:
    """The date unchanged, or ``ValidationError``. ``today`` is the council's local date."""
    if value is None:
        return None
    today = today or timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth must be today or in the past", code="date_of_birth_future")
    try:
        earliest = today.replace(year=today.year - OLDEST_AGE)
    except ValueError:  # 29 February
        earliest = today.replace(year=today.year - OLDEST_AGE, day=28)
    if value < earliest:
        raise ValidationError(f"Date of birth must be within the last {OLDEST_AGE} years", code="date_of_birth_too_old")
    return value
