"""Raise attention: a member writes to the whole team or to chosen members; they are told, never the text.

Email delivery is not exercised: the emails are read from the outbox, where they are written in the sender's
transaction (delivery after commit is core/notifications' business).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.clients.models import Client
from core.directory.models import Practitioner
from core.inbox.models import Notice, NoticeKind
from core.notifications.models import Notification
from core.teamwork.membership import NotInTeam, team_current_for_member
from core.teamwork.messages import team_message_send
from core.teamwork.models import TeamMessage
from tenants.models import Council
from tests.core.clients.conftest import Team, text_of
from tests.core.teamwork.helpers import break_glass_opened, emails_to, origin_of
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

TEXT = "Jade was not at school today and her mother did not answer the door: please call me before 4pm."


def _nothing_sent() -> bool:
    return not TeamMessage.objects.exists() and not Notice.objects.exists() and not Notification.objects.exists()


def test_a_message_to_the_whole_team_reaches_every_other_member_without_its_text(
    council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        message = team_message_send(
            sender=team.member,
            client_id=team.client.pk,
            text=f"  {TEXT}\n",
            recipient_ids=None,
            origin=origin_of(council_a),
        )
        assert message.text == TEXT
        assert message.to_whole_team
        assert set(message.recipients.all()) == {team.nurse, team.recovery_worker}
        notices = {notice.recipient_id: notice for notice in Notice.objects.all()}
        assert set(notices) == {team.nurse.user_id, team.recovery_worker.user_id}
        nurse_notice = notices[team.nurse.user_id]
        assert nurse_notice.kind == NoticeKind.MESSAGE
        assert nurse_notice.text == (
            "Maya Member (Alpha Children's Services) sent a message to the team around one of your clients."
        )
        assert nurse_notice.link == f"/clients/{team.client.pk}/#team-messages"
        assert nurse_notice.client_id == team.client.pk
        (email,) = emails_to(team.nurse.user.email)
        assert "Maya Member (Alpha Children's Services) sent a message" in email.body
        assert f"http://alpha.{council_a.domains.get().domain.split('.', 1)[1]}/clients/{team.client.pk}/" in email.body
        for secret in ("school today", "Jade", "Hughes", "WS13", "2014"):
            assert secret not in email.body + email.subject + nurse_notice.text
        event = AuditEvent.objects.get(action=AuditAction.TEAM_MESSAGE_SENT)
        assert event.actor_id == team.member.user_id
        assert event.object_id == str(team.client.pk)
        assert "school" not in str(event.__dict__)
        assert not Notice.objects.filter(recipient=team.member.user).exists()  # not told of their own message


def test_a_confidential_services_practitioner_is_named_to_others_only_as_the_policy_says(
    council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        team_message_send(
            sender=team.recovery_worker,
            client_id=team.client.pk,
            text=TEXT,
            recipient_ids=None,
            origin=origin_of(council_a),
        )
        texts = set(Notice.objects.values_list("text", flat=True))
        emails = Notification.objects.values_list("body", flat=True)
    assert texts == {"A confidential service sent a message to the team around one of your clients."}
    assert not any("Rory" in body or "Recovery Service" in body for body in emails)


def test_a_message_to_chosen_members_reaches_only_them(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        message = team_message_send(
            sender=team.member,
            client_id=team.client.pk,
            text=TEXT,
            recipient_ids=[str(team.nurse.pk)],
            origin=origin_of(council_a),
        )
        assert not message.to_whole_team
        assert list(message.recipients.all()) == [team.nurse]
        assert list(Notice.objects.values_list("recipient_id", flat=True)) == [team.nurse.user_id]


def test_a_placeholder_cannot_be_chosen_by_an_outsider_to_its_service(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            team_message_send(
                sender=team.member,
                client_id=team.client.pk,
                text=TEXT,
                recipient_ids=[str(team.recovery_worker.pk)],
                origin=origin_of(council_a),
            )
        assert refused.value.message_dict == {"recipients": ["Choose only people who are in the team now."]}
        assert _nothing_sent()


@pytest.mark.parametrize("who", ["outsider", "recovery_colleague"])
def test_a_practitioner_outside_the_team_cannot_send_and_nothing_is_written(
    council_a: Council, team: Team, who: str
) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(NotInTeam):
            team_message_send(
                sender=getattr(team, who),
                client_id=team.client.pk,
                text=TEXT,
                recipient_ids=None,
                origin=origin_of(council_a),
            )
        assert _nothing_sent()
        assert not AuditEvent.objects.filter(action=AuditAction.TEAM_MESSAGE_SENT).exists()


def test_a_break_glass_viewer_cannot_send(council_a: Council, team: Team) -> None:
    break_glass_opened(council_a, team.outsider, team.client.pk)
    with schema_context(council_a.schema_name):
        with pytest.raises(NotInTeam):
            team_message_send(
                sender=team.outsider,
                client_id=team.client.pk,
                text=TEXT,
                recipient_ids=None,
                origin=origin_of(council_a),
            )
        assert _nothing_sent()


def test_another_councils_client_is_not_found(council_a: Council, council_b: Council, team: Team) -> None:
    with schema_context(council_b.schema_name):
        theirs = ClientFactory()
        InvolvementFactory(client=theirs)
    with schema_context(council_a.schema_name):
        for client_id in (theirs.pk, "not-a-uuid"):
            with pytest.raises(NotInTeam):
                team_message_send(
                    sender=team.member, client_id=client_id, text=TEXT, recipient_ids=None, origin=origin_of(council_a)
                )
        assert _nothing_sent()
    with schema_context(council_b.schema_name):
        assert not TeamMessage.objects.exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "Enter your message"), ("   \n ", "Enter your message"), ("x" * 1001, "1000 characters or fewer")],
)
def test_an_empty_or_overlong_message_is_refused(council_a: Council, team: Team, text: str, problem: str) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            team_message_send(
                sender=team.member, client_id=team.client.pk, text=text, recipient_ids=None, origin=origin_of(council_a)
            )
        assert problem in refused.value.message_dict["text"][0]
        assert _nothing_sent()


def test_a_message_of_exactly_1000_characters_is_sent(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        message = team_message_send(
            sender=team.member,
            client_id=team.client.pk,
            text="x" * 1000,
            recipient_ids=None,
            origin=origin_of(council_a),
        )
        assert len(message.text) == 1000


@pytest.mark.parametrize("who", ["outsider", "member", "none"])
def test_every_recipient_must_be_a_current_member_the_sender_may_choose(
    council_a: Council, team: Team, who: str
) -> None:
    chosen = {"outsider": [str(team.outsider.pk)], "member": [str(team.member.pk)], "none": []}[who]
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            team_message_send(
                sender=team.member,
                client_id=team.client.pk,
                text=TEXT,
                recipient_ids=chosen,
                origin=origin_of(council_a),
            )
        assert "recipients" in refused.value.message_dict
        assert _nothing_sent()


def _team_of(size: int) -> tuple[Client, Practitioner]:
    """A client with ``size`` members: a third in the sender's agency, a third in another, a third in a sensitive
    service (shown as a placeholder)."""
    agencies = [AgencyFactory(), AgencyFactory(), AgencyFactory(is_sensitive=True, gateway_contact="Duty line")]
    client = ClientFactory()
    sender = PractitionerFactory(agency=agencies[0])
    InvolvementFactory(client=client, practitioner=sender, is_lead=True)
    for number in range(size - 1):
        InvolvementFactory(client=client, practitioner=PractitionerFactory(agency=agencies[number % 3]))
    return client, sender


@pytest.mark.parametrize("whole", [True, False])
def test_sending_a_message_costs_the_same_queries_for_a_team_of_5_and_of_50(council_a: Council, whole: bool) -> None:
    counts = []
    with schema_context(council_a.schema_name):
        for size in (5, 50):
            client, sender = _team_of(size)
            # chosen: everyone the sender may choose (the placeholders are not)
            chosen = (
                None
                if whole
                else [
                    person.pk
                    for person in team_current_for_member(actor=sender, client_id=client.pk).choosable_by(sender)
                ]
            )
            with CaptureQueriesContext(connection) as queries:
                message = team_message_send(
                    sender=sender, client_id=client.pk, text=TEXT, recipient_ids=chosen, origin=origin_of(council_a)
                )
            assert message.recipients.count() == (size - 1 if whole else len(chosen or []))
            counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


# --- Pages --------------------------------------------------------------------------------------------------------


def test_the_page_offers_only_the_members_the_sender_sees_in_full(team: Team, browser_as: object) -> None:
    response = browser_as(team.member).get(f"/clients/{team.client.pk}/messages/new/")  # type: ignore[operator]
    page = text_of(response)
    assert response.status_code == 200
    assert "Nia Nurse (Alpha Primary School, School nurse)" in page
    assert str(team.recovery_worker.pk) not in page
    assert "Rory" not in page
    assert f'value="{team.member.pk}"' not in page  # not themselves


def test_a_message_sent_from_the_page_is_shown_to_its_recipients_on_the_team_page(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(
        f"/clients/{team.client.pk}/messages/new/",
        {"text": "Home visit moved to Thursday", "send_to": "chosen", "recipients": [str(team.nurse.pk)]},
    )
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/#team-messages"
    own = text_of(browser.get(response.url))
    assert "Home visit moved to Thursday" in own
    assert "to Nia Nurse" in own
    assert "Your message has been sent" in own
    browser.post("/sign-out/")
    nurse = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "Home visit moved to Thursday" in nurse
    assert "Maya Member (Alpha Children&#x27;s Services)" in nurse
    browser.post("/sign-out/")
    recovery = text_of(browser_as(team.recovery_worker).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "Home visit moved to Thursday" not in recovery  # not sent to them


def test_a_message_to_the_whole_team_is_read_by_every_member_newest_first(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        for text in ("First message", "Second message"):
            team_message_send(
                sender=team.recovery_worker,
                client_id=team.client.pk,
                text=text,
                recipient_ids=None,
                origin=origin_of(council_a),
            )
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert page.index("Second message") < page.index("First message")
    assert "A confidential service</strong>" in page
    assert "to the whole team" in page
    assert "Rory" not in page


def test_someone_who_joins_later_does_not_read_earlier_messages_to_the_whole_team(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        team_message_send(
            sender=team.member,
            client_id=team.client.pk,
            text="Before you joined",
            recipient_ids=None,
            origin=origin_of(council_a),
        )
        InvolvementFactory(client=team.client, practitioner=team.outsider, role="Family support")
    page = text_of(browser_as(team.outsider).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "Before you joined" not in page


def test_a_break_glass_viewer_reads_no_messages_and_has_no_button(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        team_message_send(
            sender=team.member, client_id=team.client.pk, text=TEXT, recipient_ids=None, origin=origin_of(council_a)
        )
    break_glass_opened(council_a, team.outsider, team.client.pk)
    browser = browser_as(team.outsider)  # type: ignore[operator]
    page = text_of(browser.get(f"/clients/{team.client.pk}/"))
    assert "You opened it in an emergency" in page
    assert "school today" not in page
    assert "Raise attention" not in page
    assert browser.get(f"/clients/{team.client.pk}/messages/new/").status_code == 404
    assert browser.post(f"/clients/{team.client.pk}/messages/new/", {"text": TEXT}).status_code == 404
    with schema_context(council_a.schema_name):
        assert TeamMessage.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "recovery_colleague"])
def test_the_page_is_not_found_for_a_practitioner_outside_the_team(
    council_a: Council, team: Team, browser_as: object, who: str
) -> None:
    browser = browser_as(getattr(team, who))  # type: ignore[operator]
    assert browser.get(f"/clients/{team.client.pk}/messages/new/").status_code == 404
    response = browser.post(f"/clients/{team.client.pk}/messages/new/", {"text": TEXT, "send_to": "whole_team"})
    assert response.status_code == 404
    assert "Jade" not in text_of(response)
    with schema_context(council_a.schema_name):
        assert _nothing_sent()
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=getattr(team, who).user_id).exists()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"text": "x" * 1001, "send_to": "whole_team"}, "Your message must be 1000 characters or fewer"),
        ({"text": "", "send_to": "whole_team"}, "Enter your message"),
        ({"text": "Call me", "send_to": "chosen"}, "Choose who to send the message to"),
        ({"text": "Call me", "send_to": "chosen", "recipients": ["not-an-id"]}, "Select a valid choice"),
        ({"text": "Call me", "send_to": "nonsense"}, "Select a valid choice"),
    ],
)
def test_a_refused_message_shows_the_problem_and_keeps_what_was_typed(
    council_a: Council, team: Team, browser_as: object, data: dict, problem: str
) -> None:
    response = browser_as(team.member).post(f"/clients/{team.client.pk}/messages/new/", data)  # type: ignore[operator]
    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert problem in page
    assert "<title>Error: " in page
    assert data["text"] in page
    with schema_context(council_a.schema_name):
        assert _nothing_sent()


def test_a_sender_the_policy_hides_never_reaches_those_it_hides_them_from(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from core.governance.rules import SensitiveMode
    from tests.core.governance.rulebook import rules_in_force, sensitive_rules

    with schema_context(council_a.schema_name):
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.HIDDEN))
        InvolvementFactory(client=team.client, practitioner=team.recovery_colleague, role="Peer mentor")
        message = team_message_send(
            sender=team.recovery_worker,
            client_id=team.client.pk,
            text=TEXT,
            recipient_ids=None,
            origin=origin_of(council_a),
        )
        assert list(message.recipients.all()) == [team.recovery_colleague]  # the whole team it may be known to
        assert list(Notice.objects.values_list("recipient_id", flat=True)) == [team.recovery_colleague.user_id]
        with pytest.raises(ValidationError):  # nor can the nurse be chosen
            team_message_send(
                sender=team.recovery_worker,
                client_id=team.client.pk,
                text=TEXT,
                recipient_ids=[str(team.nurse.pk)],
                origin=origin_of(council_a),
            )
    browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    form = text_of(browser.get(f"/clients/{team.client.pk}/messages/new/"))
    assert "do not let 2 members of the team know that your service is involved" in form
    assert "Nia Nurse" not in form
    browser.post("/sign-out/")
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "school today" not in page
    assert "Rory" not in page


def test_a_member_whose_account_is_deactivated_is_neither_offered_nor_told(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from core.accounts.models import User

    with schema_context(council_a.schema_name):
        User.objects.filter(pk=team.nurse.user_id).update(is_active=False)
    page = text_of(browser_as(team.member).get(f"/clients/{team.client.pk}/messages/new/"))  # type: ignore[operator]
    assert "Nia Nurse" not in page
    with schema_context(council_a.schema_name):
        message = team_message_send(
            sender=team.member, client_id=team.client.pk, text=TEXT, recipient_ids=None, origin=origin_of(council_a)
        )
        assert list(message.recipients.all()) == [team.recovery_worker]
        assert not Notification.objects.filter(to=team.nurse.user.email).exists()
