"""A change in a team, a request to join and its answer, and consent withdrawn: each person concerned gets a notice
in the notification centre (the client's id kept, never the client's details) and an email as they prefer; who
acted is named through the visibility policy; and a team of 50 costs the same number of queries as a team of 5."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.origin import Origin
from core.clients.consent import ConsentValues, consent_record, consent_withdraw
from core.clients.joining import join_request_create, join_request_decide
from core.clients.models import Client, Consent, Involvement
from core.clients.services import involvement_end, involvement_start
from core.directory.models import Practitioner
from core.governance.rules import Rules
from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from tenants.models import Council
from tests.core.clients.conftest import Team
from tests.core.governance.rulebook import rules_in_force
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

ORIGIN = Origin(ip_address="192.0.2.1", user_agent="pytest", path="/test/", base_url="https://alpha.example")


def _notices(council: Council, **filters: object) -> dict[str, Notice]:
    with schema_context(council.schema_name):
        return {
            notice.recipient.email: notice for notice in Notice.objects.filter(**filters).select_related("recipient")
        }


def test_a_change_in_the_team_is_a_notice_for_each_member_named_through_the_policy(
    council_a: Council, team: Team, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        NotificationPreference.objects.create(user=team.nurse.user, email_frequency=EmailFrequency.DAILY_DIGEST)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            involvement_end(
                viewer=team.recovery_worker,
                involvement=Involvement.objects.get(client=team.client, practitioner=team.recovery_worker),
                origin=ORIGIN,
            )
    notices = _notices(council_a, kind=NoticeKind.TEAM_CHANGE)
    assert set(notices) == {team.member.user.email, team.nurse.user.email}
    for notice in notices.values():
        assert notice.text == "A confidential service left the team around one of your clients."
        assert notice.link == f"/clients/{team.client.pk}/"
        assert notice.client_id == team.client.pk
        assert notice.read_at is None
    assert notices[team.member.user.email].emailed_at is not None
    assert notices[team.nurse.user.email].emailed_at is None  # waits for the daily summary
    assert [message.to for message in mail.outbox] == [[team.member.user.email]]
    assert f"https://alpha.example/clients/{team.client.pk}/" in mail.outbox[0].body
    for words in ("Jade", "Hughes", "Rory"):
        assert all(words not in notice.text for notice in notices.values())
        assert words not in mail.outbox[0].body


def _team_of(size: int, sensitive: object, agencies: list[object]) -> tuple[Client, list[Practitioner]]:
    """A client with ``size`` current members spread over the same agencies whatever the size (a sensitive one
    among them), so that the same sentences are written however large the team."""
    client = ClientFactory()
    members = []
    for number in range(size):
        agency = agencies[number % len(agencies)] if number % 5 else sensitive
        member = verified_practitioner(agency, f"Member{number}", f"Size{size}")  # type: ignore[arg-type]
        InvolvementFactory(client=client, practitioner=member, started_on=datetime.date(2026, 1, 5))
        members.append(member)
    return client, members


def _queries_of(action: object) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()  # type: ignore[operator]
    return len(queries.captured_queries)


@pytest.mark.parametrize("change", ["joins", "ends"])
def test_a_change_in_a_team_of_50_costs_the_same_queries_as_in_a_team_of_5(council_a: Council, change: str) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(Rules())
        sensitive = AgencyFactory(
            name="Size Recovery", email_domains=["size-recovery.example"], is_sensitive=True, gateway_contact="Duty"
        )
        agencies = [AgencyFactory(name=f"Size {n}", email_domains=[f"size{n}.example"]) for n in range(3)]
        counts, told = [], []
        for size in (5, 50):
            client, members = _team_of(size, sensitive, agencies)
            NotificationPreference.objects.create(user=members[1].user, email_frequency=EmailFrequency.DAILY_DIGEST)
            if change == "joins":
                newcomer = verified_practitioner(agencies[0], "New", f"Comer{size}")
                counts.append(
                    _queries_of(
                        lambda newcomer=newcomer, client=client: involvement_start(
                            viewer=newcomer, client=client, role="Nurse", reason="Referral", origin=ORIGIN
                        )
                    )
                )
            else:
                leaving = Involvement.objects.get(client=client, practitioner=members[2])
                counts.append(
                    _queries_of(
                        lambda leaving=leaving, members=members: involvement_end(
                            viewer=members[2], involvement=leaving, origin=ORIGIN
                        )
                    )
                )
            told.append(Notice.objects.filter(client_id=client.pk).count())
    assert told == [5 if change == "joins" else 4, 50 if change == "joins" else 49]
    assert counts[0] == counts[1], counts


def test_a_request_to_join_and_its_answer_are_notices(
    council_a: Council, team: Team, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(join_needs_lead_approval=True))
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            request = join_request_create(
                viewer=team.outsider, client=team.client, role="Family support", reason="Referral", origin=ORIGIN
            )
        (asked,) = Notice.objects.filter(kind=NoticeKind.JOIN_REQUEST)
        assert asked.recipient_id == team.member.user_id  # the lead decides
        assert asked.text.startswith("Otto Outsider (Alpha Children's Services) asks to join the team around")
        assert asked.link == f"/clients/{team.client.pk}/join-requests/{request.pk}/"
        assert asked.client_id == team.client.pk
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            join_request_decide(actor=team.member, request=request, approve=False, note="Not needed now", origin=ORIGIN)
        answer = Notice.objects.get(kind=NoticeKind.JOIN_REQUEST, recipient=team.outsider.user)
    assert (
        answer.text
        == "Your request to join a client's team was declined. The lead professional's note: \"Not needed now\""
    )
    assert answer.link == "/"
    assert answer.client_id == team.client.pk
    declined = [message for message in mail.outbox if message.to == [team.outsider.user.email]]
    assert [message.subject for message in declined] == ["Your request to join a team was declined"]
    assert "Not needed now" in declined[0].body


def test_consent_withdrawn_is_a_notice_for_the_lead(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        consent = consent_record(
            actor=team.nurse,
            client=team.client,
            values=ConsentValues(
                given_by="Mia Hughes",
                relationship=Consent.Relationship.PARENT,
                given_on=datetime.date(2026, 1, 10),
                evidence="Signed form",
            ),
            origin=ORIGIN,
        )
        consent_withdraw(actor=team.nurse, consent=consent, note="Told us by phone", origin=ORIGIN)
        (notice,) = Notice.objects.filter(kind=NoticeKind.CONSENT)
    assert notice.recipient_id == team.member.user_id
    assert notice.text.startswith("Nia Nurse (Alpha Primary School) recorded that consent was withdrawn")
    assert notice.client_id == team.client.pk
    assert "Mia" not in notice.text
    assert "Hughes" not in notice.text


def test_erasing_a_client_removes_the_notices_about_them_and_their_unread_count(council_a: Council, team: Team) -> None:
    from core.clients.erasure import clients_erase
    from core.inbox.unread import unread_count

    with schema_context(council_a.schema_name):
        other = ClientFactory()
        InvolvementFactory(client=other, practitioner=team.nurse)
        InvolvementFactory(client=other, practitioner=team.member)
        for client in (team.client, other):
            involvement_start(viewer=team.outsider, client=client, role="Support", reason="Referral", origin=ORIGIN)
        assert unread_count(user_id=team.member.user_id) == 2
        counts = clients_erase(client_ids=[team.client.pk])
        assert counts["inbox.Notice"] == 3  # Maya, Nia and Rory were told Otto joined
        assert set(Notice.objects.values_list("client_id", flat=True)) == {other.pk}
        assert unread_count(user_id=team.member.user_id) == 1
