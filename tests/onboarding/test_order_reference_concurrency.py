"""Two orders placed at the same moment get two references, never the same one.

Both really overlap (each its own thread and database connection, held together at the write:
tests/concurrency.py), on a year no real order uses; its counter is removed afterwards.
"""

from collections.abc import Iterator

import pytest
from django.db import transaction

from onboarding.models import OrderReferenceCounter
from onboarding.services.orders import order_reference_next
from tests.concurrency import at_the_same_moment

pytestmark = pytest.mark.platform_side

YEAR = 2999


@pytest.fixture
def db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The test database without the usual rolled-back transaction: the threads' connections must see the data."""
    with django_db_blocker.unblock():
        OrderReferenceCounter.objects.filter(year=YEAR).delete()
        try:
            yield
        finally:
            OrderReferenceCounter.objects.filter(year=YEAR).delete()


def _reference() -> str:
    with transaction.atomic():
        return order_reference_next(year=YEAR)


def test_references_taken_at_the_same_moment_are_all_different(db: None) -> None:
    first = at_the_same_moment([_reference, _reference], hold="public.onboarding_orderreferencecounter")
    assert sorted(first) == [f"PW-{YEAR}-0001", f"PW-{YEAR}-0002"]
    # The very first reference of a year is the race's worst case (no counter row yet); later ones too.
    later = at_the_same_moment([_reference, _reference, _reference], hold="public.onboarding_orderreferencecounter")
    assert sorted(later) == [f"PW-{YEAR}-0003", f"PW-{YEAR}-0004", f"PW-{YEAR}-0005"]
