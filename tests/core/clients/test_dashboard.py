"""The practitioner's home page (journey 1) and the service navigation."""

import datetime

import pytest
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.clients.models import Involvement, TeamActivity, TeamInvitation
from tenants.models import Council
from tests.core.clients.conftest import Team, text_of

pytestmark = pytest.mark.council_side


def test_home_lists_my_clients_with_my_role_and_lead_flag(council_a: Council, team: Team, browser_as: object) -> None:
    page = text_of(browser_as(team.member).get("/"))  # type: ignore[operator]
    assert "Alpha District Council" in page
    assert "My clients" in page
    assert f'<a class="govuk-link" href="/clients/{team.client.pk}/">Jade Hughes</a>' in page
    assert "2 June 2014" in page
    assert "Social worker" in page
    assert "Lead professional" in page


def test_home_shows_recent_changes_without_naming_a_sensitive_service(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        TeamActivity.objects.create(client=team.client, kind=TeamActivity.Kind.JOINED, actor=team.nurse)
        TeamActivity.objects.create(client=team.client, kind=TeamActivity.Kind.JOINED, actor=team.recovery_worker)
    page = text_of(browser_as(team.member).get("/"))  # type: ignore[operator]
    changes = page.split("Recent changes in my teams", 1)[1]
    assert "Nia Nurse (Alpha Primary School) joined the team" in changes
    assert "A confidential service joined the team" in changes
    assert "Rory" not in page


def test_home_lists_upcoming_contacts(council_a: Council, team: Team, browser_as: object) -> None:
    soon = timezone.localdate() + datetime.timedelta(days=3)
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(pk=team.member_involvement.pk).update(next_contact_on=soon)
    page = text_of(browser_as(team.member).get("/"))  # type: ignore[operator]
    upcoming = page.split("Upcoming contacts", 1)[1]
    assert soon.strftime("%-d %B %Y") in upcoming
    assert "Jade Hughes" in upcoming


def test_an_invitation_from_a_sensitive_service_does_not_name_them(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        TeamInvitation.objects.create(client=team.client, invited_by=team.recovery_worker, invitee=team.outsider)
    page = text_of(browser_as(team.outsider).get("/"))  # type: ignore[operator]
    assert "A confidential service invited you" in page
    assert "Rory" not in page


def test_an_unverified_practitioner_is_told_and_offered_no_search(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        team.outsider.verified_at = None
        team.outsider.save(update_fields=["verified_at"])
    page = text_of(browser_as(team.outsider).get("/"))  # type: ignore[operator]
    assert "Your account is unverified." in page
    assert "govuk-button--start" not in page


def test_the_navigation_offers_accounts_only_to_managers(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(browser.get("/"))
    assert 'class="govuk-service-navigation"' in page
    for link in ('href="/"', 'href="/clients/search/"', 'href="/directory/"', 'href="/account/sessions/"'):
        assert link in page
    assert 'href="/team/"' not in page
    assert 'aria-current="page"><strong class="govuk-service-navigation__active-fallback">Home' in page
    browser.post("/sign-out/")
    with schema_context(council_a.schema_name):
        team.outsider.is_agency_manager = True
        team.outsider.save(update_fields=["is_agency_manager"])
    assert 'href="/team/"' in text_of(browser_as(team.outsider).get("/"))  # type: ignore[operator]


def test_my_missed_next_contact_is_flagged_overdue_with_its_date(
    council_a: Council, team: Team, browser_as: object
) -> None:
    missed = timezone.localdate() - datetime.timedelta(days=2)
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(pk=team.member_involvement.pk).update(next_contact_on=missed)
    page = text_of(browser_as(team.member).get("/"))  # type: ignore[operator]
    my_clients = page.split("My clients", 1)[1].split("Recent changes", 1)[0]
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in my_clients
    assert missed.strftime("%-d %B %Y") in my_clients
    missed_contacts = page.split("Missed contacts", 1)[1].split("Upcoming contacts", 1)[0]
    assert "Overdue" in missed_contacts
    assert "Jade Hughes" in missed_contacts
    assert missed.strftime("%-d %B %Y") not in page.split("Upcoming contacts", 1)[1]


def test_a_next_contact_today_or_later_is_not_overdue(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(pk=team.member_involvement.pk).update(next_contact_on=timezone.localdate())
    page = text_of(browser_as(team.member).get("/"))  # type: ignore[operator]
    assert "Overdue" not in page
    assert "Missed contacts" not in page


def test_overdue_is_decided_by_the_councils_local_date(council_b: Council, client_b: Browser) -> None:
    """At 20:00 UTC on 10 March it is already 11 March in Melbourne: a contact planned for 10 March was missed."""
    import time_machine

    from tests.conftest import sign_in
    from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["family.beta.example"])
        worker = verified_practitioner(agency, "Vera", "Victoria")
        client = ClientFactory(first_name="Lachlan", surname="Nguyen", postcode="3121")
        InvolvementFactory(
            client=client,
            practitioner=worker,
            role="Case worker",
            started_on=datetime.date(2026, 1, 5),
            next_contact_on=datetime.date(2026, 3, 10),
        )
    with time_machine.travel(datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC), tick=False):
        sign_in(client_b, worker.user, council_b)
        page = text_of(client_b.get("/"))
    assert "Missed contacts" in page
    assert "10 March 2026" in page.split("Missed contacts", 1)[1]
