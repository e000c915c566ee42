"""The consent pages and the team page's consent line, from a member's side and an attacker's."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import Client, Consent
from core.directory.models import Agency
from core.notifications.models import Notification
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.clients.conftest import Team, text_of
from tests.core.clients.test_consent import health_service_and_rules, with_consent_rules
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side


@pytest.fixture
def health(council_a: Council, team: Team) -> Agency:
    return health_service_and_rules(council_a, team)


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "given_by": "Kerry Hughes",
        "relationship": "parent",
        "given_on_day": "1",
        "given_on_month": "3",
        "given_on_year": "2026",
        "scope": "all",
        "evidence": "Signed form, on file",
    }
    return data | overrides


def _consent(council: Council, team: Team, **fields: object) -> Consent:
    with schema_context(council.schema_name):
        return Consent.objects.create(
            client=team.client,
            **{
                "given_by": "Kerry Hughes",
                "relationship": "parent",
                "given_on": datetime.date(2026, 3, 1),
                "evidence": "Signed form",
                "recorded_by": team.member,
            }
            | fields,
        )


def _consents(council: Council) -> list[Consent]:
    with schema_context(council.schema_name):
        return list(Consent.objects.prefetch_related("services"))


def _client(council: Council, team: Team) -> Client:
    with schema_context(council.schema_name):
        return Client.objects.get(pk=team.client.pk)


def _events(council: Council, action: str) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=action))


# A member of the team -------------------------------------------------------------------------------------


def test_the_team_page_says_no_consent_is_recorded_and_links_to_the_records(
    team: Team, health: Agency, browser_as: object
) -> None:
    page = text_of(browser_as(team.member).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "No consent recorded." in page
    assert f'href="/clients/{team.client.pk}/consent/">Consent records' in page


def test_the_consent_form_offers_only_services_shown_with_consent(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    response = browser_as(team.nurse).get(f"/clients/{team.client.pk}/consent/")  # type: ignore[operator]
    assert response.status_code == 200
    page = text_of(response)
    assert '<h1 class="govuk-heading-l">Consent</h1>' in page
    assert f'value="{team.recovery.pk}"' in page
    assert "Alpha Recovery Service" in page
    assert f'value="{health.pk}"' not in page
    assert "Alpha Sexual Health" not in page
    assert f'value="{team.school.pk}"' not in page
    assert 'name="given_on_day"' in page
    assert "No consent is on record." in page
    [view] = _events(council_a, AuditAction.CLIENT_VIEWED)
    assert (view.actor_id, view.object_id, view.reason) == (team.nurse.user_id, str(team.client.pk), "consent records")


def test_a_member_records_consent_and_the_team_page_says_since_when(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    response = browser.post(
        f"/clients/{team.client.pk}/consent/", _form(scope="chosen", services=[str(team.recovery.pk)])
    )
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/consent/"
    [consent] = _consents(council_a)
    assert (consent.given_by, consent.given_on, consent.covers_all_services) == (
        "Kerry Hughes",
        datetime.date(2026, 3, 1),
        False,
    )
    assert [agency.pk for agency in consent.services.all()] == [team.recovery.pk]
    [event] = _events(council_a, AuditAction.CONSENT_RECORDED)
    assert event.actor_id == team.nurse.user_id
    records = text_of(browser.get(response.url))
    assert "Given by Kerry Hughes on 1 March 2026" in records
    assert "Alpha Recovery Service" in records
    assert "by Nia Nurse (Alpha Primary School)" in records
    team_page = text_of(browser.get(f"/clients/{team.client.pk}/"))
    assert "Consent on record since 1 March 2026." in team_page


def test_a_member_records_the_withdrawal_and_the_lead_is_told(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    consent = _consent(council_a, team)
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    path = f"/clients/{team.client.pk}/consent/{consent.pk}/withdraw/"
    confirm = text_of(browser.get(path))
    assert "searches by anyone outside the current team no longer find Jade" in confirm
    assert "the lead professional is told by email" in confirm
    response = browser.post(path, {"note": "Mother phoned the school office"})
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/consent/"
    with schema_context(council_a.schema_name):
        consent.refresh_from_db()
        [email] = Notification.objects.all()
    assert (consent.withdrawn_by_id, consent.withdrawal_note) == (team.nurse.pk, "Mother phoned the school office")
    assert _client(council_a, team).withheld_from_search_since is not None
    assert [event.actor_id for event in _events(council_a, AuditAction.CONSENT_WITHDRAWN)] == [team.nurse.user_id]
    assert email.to == team.member.user.email
    assert f"/clients/{team.client.pk}/" in email.body
    assert "Jade" not in email.body
    assert "Hughes" not in email.body
    today = timezone.localdate()
    team_page = text_of(browser.get(f"/clients/{team.client.pk}/"))
    assert f"Consent withdrawn on {today.day} {today:%B %Y}: not found by searches outside the team." in team_page
    records = text_of(browser.get(response.url))
    assert "Withdrawn consent" in records
    assert "Mother phoned the school office" in records


def test_withdrawing_twice_is_refused_plainly_and_changes_nothing(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    consent = _consent(
        council_a, team, withdrawn_on=datetime.date(2026, 3, 5), withdrawn_by=team.member, withdrawal_note="First"
    )
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    path = f"/clients/{team.client.pk}/consent/{consent.pk}/withdraw/"
    assert "This consent was already withdrawn" in text_of(browser.get(path))
    response = browser.post(path, {"note": "Second"})
    assert response.status_code == 200
    assert "This consent was already withdrawn on 5 March 2026." in text_of(response)
    with schema_context(council_a.schema_name):
        consent.refresh_from_db()
        assert not Notification.objects.exists()
    assert (consent.withdrawn_by_id, consent.withdrawal_note) == (team.member.pk, "First")
    assert _client(council_a, team).withheld_from_search_since is None
    assert _events(council_a, AuditAction.CONSENT_WITHDRAWN) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"given_on_day": "31", "given_on_month": "2"}, "Date consent was given must be a real date"),
        ({"given_on_month": "Mar"}, "Date consent was given must be a real date"),
        ({"given_on_year": ""}, "Date consent was given must include a year"),
        ({"given_on_year": "2099"}, "Date consent was given must be today or in the past"),
        ({"given_by": ""}, "Enter who gave consent"),
        ({"relationship": ""}, "Choose their relationship to the client"),
        ({"evidence": ""}, "Say how consent was given and where the evidence is kept"),
        ({"scope": "chosen"}, "Choose the services the consent covers"),
    ],
)
def test_bad_input_is_refused_with_an_error_summary_keeping_the_values(
    council_a: Council,
    team: Team,
    health: Agency,
    browser_as: object,
    overrides: dict[str, str],
    message: str,
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(f"/clients/{team.client.pk}/consent/", _form(**overrides))
    assert response.status_code == 200
    page = text_of(response)
    assert "<title>Error: Consent" in page
    assert "There is a problem" in page
    assert message in page
    if overrides.get("given_by") != "":
        assert 'value="Kerry Hughes"' in page
    if "given_on_month" in overrides:
        assert f'value="{overrides["given_on_month"]}"' in page
    assert "Signed form, on file" in page or overrides.get("evidence") == ""
    assert _consents(council_a) == []
    # Each error in the summary links to its field (radios and checkboxes: their first option), as GOV.UK asks.
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    for target in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{target}"' in page, f"the error summary links to #{target}, which is not on the page"


def test_a_service_outside_the_consent_modes_is_refused(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    for outside in (health, team.school):
        response = browser.post(
            f"/clients/{team.client.pk}/consent/",
            _form(scope="chosen", services=[str(team.recovery.pk), str(outside.pk)]),
        )
        assert response.status_code == 200
        assert "Choose only services the council shows with consent" in text_of(response)
    assert _consents(council_a) == []


def test_the_records_page_needs_the_same_queries_for_one_consent_or_many(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    path = f"/clients/{team.client.pk}/consent/"

    def queries() -> int:
        browser.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(path).status_code == 200
        return len(captured)

    _consent(council_a, team)
    one = queries()
    with schema_context(council_a.schema_name):
        for number in range(6):
            consent = Consent.objects.create(
                client=team.client,
                given_by=f"Person {number}",
                relationship="other",
                given_on=datetime.date(2026, 2, number + 1),
                covers_all_services=False,
                evidence="Form",
                recorded_by=team.nurse,
                withdrawn_on=datetime.date(2026, 3, 1) if number % 2 else None,
                withdrawn_by=team.nurse if number % 2 else None,
            )
            consent.services.set([team.recovery])
    assert queries() == one


# Outside the team, another council ---------------------------------------------------------------------


def test_someone_outside_the_team_gets_not_found_and_changes_nothing(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    consent = _consent(council_a, team)
    for outsider in (team.outsider, team.recovery_colleague):
        browser: Browser = browser_as(outsider)  # type: ignore[operator]
        assert browser.get(f"/clients/{team.client.pk}/consent/").status_code == 404
        assert browser.post(f"/clients/{team.client.pk}/consent/", _form()).status_code == 404
        withdraw = f"/clients/{team.client.pk}/consent/{consent.pk}/withdraw/"
        assert browser.get(withdraw).status_code == 404
        assert browser.post(withdraw, {"note": "Not mine to say"}).status_code == 404
        browser.post("/sign-out/")
    [kept] = _consents(council_a)
    assert kept.is_current
    assert _client(council_a, team).withheld_from_search_since is None
    assert _events(council_a, AuditAction.CONSENT_RECORDED) == []
    assert _events(council_a, AuditAction.CONSENT_WITHDRAWN) == []
    denied = _events(council_a, AuditAction.ACCESS_DENIED)
    assert len(denied) == 8
    assert {event.outcome for event in denied} == {AuditOutcome.DENIED}


def test_a_consent_of_another_client_is_not_found_through_this_clients_address(
    council_a: Council, team: Team, health: Agency, browser_as: object
) -> None:
    from tests.factories import ClientFactory, InvolvementFactory

    with schema_context(council_a.schema_name):
        other = ClientFactory()
        InvolvementFactory(client=other, practitioner=team.outsider)
        theirs = Consent.objects.create(
            client=other,
            given_by="Someone",
            relationship="client",
            given_on=datetime.date(2026, 1, 1),
            evidence="Form",
            recorded_by=team.outsider,
        )
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    path = f"/clients/{team.client.pk}/consent/{theirs.pk}/withdraw/"
    assert browser.get(path).status_code == 404
    assert browser.post(path, {"note": "Wrong client"}).status_code == 404
    with schema_context(council_a.schema_name):
        assert Consent.objects.get(pk=theirs.pk).is_current
        assert not Client.objects.filter(withheld_from_search_since__isnull=False).exists()


def test_another_councils_practitioner_cannot_reach_this_councils_consent(
    council_a: Council, council_b: Council, team: Team, health: Agency, client_b: Browser
) -> None:
    consent = _consent(council_a, team)
    with schema_context(council_b.schema_name):
        stranger = PractitionerFactory(user__email="kim@beta.example", agency__email_domains=["beta.example"])
    sign_in(client_b, stranger.user, council_b)
    assert client_b.get(f"/clients/{team.client.pk}/consent/").status_code == 404
    assert client_b.post(f"/clients/{team.client.pk}/consent/", _form()).status_code == 404
    withdraw = f"/clients/{team.client.pk}/consent/{consent.pk}/withdraw/"
    assert client_b.post(withdraw, {"note": "From another council"}).status_code == 404
    [kept] = _consents(council_a)
    assert kept.is_current
    assert _client(council_a, team).withheld_from_search_since is None


def test_a_members_session_is_useless_at_another_councils_host(
    council_a: Council, council_b: Council, team: Team, health: Agency, browser_as: object
) -> None:
    consent = _consent(council_a, team)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    host_b = council_b.domains.get(is_primary=True).domain
    response = browser.post(
        f"/clients/{team.client.pk}/consent/{consent.pk}/withdraw/", {"note": "Wrong site"}, HTTP_HOST=host_b
    )
    assert response.status_code in (302, 403, 404)
    assert _consents(council_a)[0].is_current


def test_with_no_service_shown_with_consent_the_consent_covers_all(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        with_consent_rules()
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(browser.get(f"/clients/{team.client.pk}/consent/"))
    assert "The council shows no service only with consent at the moment" in page
    assert browser.post(f"/clients/{team.client.pk}/consent/", _form()).status_code == 302
    assert _consents(council_a)[0].covers_all_services
