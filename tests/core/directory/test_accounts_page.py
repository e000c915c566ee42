"""The Accounts page of a large council: 50 accounts a page, a filter by name, email and status.

A council can have 20,000 practitioners: the page must neither list them all nor cost more queries
as the council grows.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.directory.models import Agency, Practitioner
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

ROW = re.compile(r'<th scope="row" class="govuk-table__header">([^<]+)</th>')


@pytest.fixture
def agency(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Family Support", email_domains=["family.example"])


@pytest.fixture
def admin(council_a: Council, agency: Agency) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(
            agency=agency,
            user__email="admin@family.example",
            user__last_name="Aardvark",
            is_council_admin=True,
            verified_at=timezone.now(),
        )


def add_practitioners(council: Council, agency: Agency, count: int, *, start: int = 0) -> None:
    with schema_context(council.schema_name):
        for number in range(start, start + count):
            PractitionerFactory(
                agency=agency,
                user__email=f"worker{number:03d}@family.example",
                user__first_name="Worker",
                user__last_name=f"Number{number:03d}",
                verified_at=timezone.now(),
            )


def accounts_page(client: Client, query: str = "") -> str:
    response = client.get(f"/team/{query}")
    assert response.status_code == 200
    return response.content.decode()


def rows(page: str) -> list[str]:
    return ROW.findall(page)


def test_the_accounts_page_shows_50_a_page_with_a_next_link(
    client_a: Client, council_a: Council, agency: Agency, admin: Practitioner
) -> None:
    add_practitioners(council_a, agency, 119)  # with the administrator: 120 accounts
    sign_in(client_a, admin.user, council_a)

    first = accounts_page(client_a)
    assert len(rows(first)) == 50
    assert "120 accounts, 1 to 50 shown" in first
    assert 'href="?page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert "1 of 3" in first

    last = accounts_page(client_a, "?page=3")
    assert rows(last) == [f"Worker Number{number:03d}" for number in range(99, 119)]
    assert 'href="?page=2" rel="prev"' in last
    assert 'rel="next"' not in last


def test_the_filter_narrows_by_name_or_email_and_keeps_to_its_pages(
    client_a: Client, council_a: Council, agency: Agency, admin: Practitioner
) -> None:
    add_practitioners(council_a, agency, 119)
    sign_in(client_a, admin.user, council_a)

    assert rows(accounts_page(client_a, "?q=number042")) == ["Worker Number042"]
    assert rows(accounts_page(client_a, "?q=worker017%40family")) == ["Worker Number017"]  # by work email
    assert rows(accounts_page(client_a, "?q=nobody+here")) == []

    narrowed = accounts_page(client_a, "?q=worker")  # 119 match: the next page keeps the filter
    assert "119 accounts" in narrowed
    assert 'href="?q=worker&amp;page=2" rel="next"' in narrowed


def test_the_filter_finds_accounts_awaiting_verification_locked_or_deactivated(
    client_a: Client, council_a: Council, agency: Agency, admin: Practitioner
) -> None:
    add_practitioners(council_a, agency, 60)
    with schema_context(council_a.schema_name):
        waiting = PractitionerFactory(agency=agency, user__last_name="Waiting", verified_at=None)
        locked = PractitionerFactory(agency=agency, user__last_name="Locked", verified_at=timezone.now())
        User.objects.filter(pk=locked.user_id).update(locked_until=timezone.now() + datetime.timedelta(minutes=15))
        gone = PractitionerFactory(agency=agency, user__last_name="Gone", verified_at=None)
        User.objects.filter(pk=gone.user_id).update(is_active=False)
        was_locked = PractitionerFactory(agency=agency, user__last_name="Earlier", verified_at=timezone.now())
        User.objects.filter(pk=was_locked.user_id).update(locked_until=timezone.now() - datetime.timedelta(hours=1))
    sign_in(client_a, admin.user, council_a)

    assert rows(accounts_page(client_a, "?state=awaiting-verification")) == [waiting.user.full_name]
    assert rows(accounts_page(client_a, "?state=locked")) == [locked.user.full_name]
    assert rows(accounts_page(client_a, "?state=deactivated")) == [gone.user.full_name]
    assert len(rows(accounts_page(client_a, "?state=&q="))) == 50


def test_a_filter_the_page_cannot_use_is_shown_as_an_error(
    client_a: Client, council_a: Council, admin: Practitioner
) -> None:
    sign_in(client_a, admin.user, council_a)
    page = accounts_page(client_a, "?state=everyone-ever")
    assert "<title>Error: Accounts" in page
    assert "There is a problem" in page


def test_an_agency_manager_pages_through_their_own_agency_only(
    client_a: Client, council_a: Council, agency: Agency
) -> None:
    add_practitioners(council_a, agency, 55)
    with schema_context(council_a.schema_name):
        other = AgencyFactory(name="Alpha Health", email_domains=["health.example"])
        PractitionerFactory(agency=other, user__last_name="Elsewhere")
        manager = PractitionerFactory(agency=agency, user__email="head@family.example", is_agency_manager=True)
    sign_in(client_a, manager.user, council_a)
    pages = accounts_page(client_a) + accounts_page(client_a, "?page=2")
    assert "55 accounts" in pages
    assert "Elsewhere" not in pages


def test_the_accounts_page_costs_the_same_queries_at_any_size(
    client_a: Client, council_a: Council, agency: Agency, admin: Practitioner
) -> None:
    sign_in(client_a, admin.user, council_a)
    add_practitioners(council_a, agency, 10)
    with CaptureQueriesContext(connection) as small:
        accounts_page(client_a, "?q=worker")
    add_practitioners(council_a, agency, 140, start=10)
    with CaptureQueriesContext(connection) as large:
        page = accounts_page(client_a, "?q=worker")
    assert len(rows(page)) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
