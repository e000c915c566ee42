"""The team page's messages and meetings: read in one statement, rendered without a query."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django_tenants.utils import schema_context

from core.clients.selectors import team_for_client
from core.clients.views.team import team_page_context
from core.teamwork.models import Meeting, MeetingInvitation, TeamMessage
from core.teamwork.selectors import MESSAGES_SHOWN, teamwork_for_team
from tenants.models import Council
from tests.core.clients.conftest import Team, text_of

pytestmark = pytest.mark.council_side


def _messages(team: Team, count: int) -> None:
    start = timezone.now() - datetime.timedelta(hours=count)
    for number in range(count):
        message = TeamMessage.objects.create(
            client=team.client,
            sender=team.recovery_worker,
            text=f"Note {number:02d}",
            sent_at=start + datetime.timedelta(hours=number),
        )
        message.recipients.add(team.nurse, team.member)


def test_the_team_page_renders_its_messages_and_meetings_without_a_query(
    council_a: Council, team: Team, django_assert_num_queries: object
) -> None:
    with schema_context(council_a.schema_name):
        _messages(team, 3)
        soon = timezone.now() + datetime.timedelta(days=1)
        meeting = Meeting.objects.create(
            client=team.client,
            organiser=team.member,
            starts_at=soon,
            ends_at=soon + datetime.timedelta(hours=1),
            place="Room 2",
        )
        MeetingInvitation.objects.create(meeting=meeting, practitioner=team.nurse)
        viewed = team_for_client(viewer=team.nurse, client_id=team.client.pk)
        assert viewed is not None
        with django_assert_num_queries(1):  # type: ignore[operator]
            teamwork = teamwork_for_team(team=viewed, viewer=team.nurse)
        context = team_page_context(viewed) | {"teamwork": teamwork}
        with django_assert_num_queries(0):  # type: ignore[operator]
            page = render_to_string("teamwork/team.html", context)
    assert page.index("Note 02") < page.index("Note 01") < page.index("Note 00")
    assert "A confidential service</strong>" in page
    assert "Room 2 · Your reply: Not replied" in " ".join(page.split())
    assert "Rory" not in page


def test_only_the_newest_messages_are_shown_and_the_page_says_so(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        _messages(team, MESSAGES_SHOWN + 2)
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert f"Note {MESSAGES_SHOWN + 1:02d}" in page
    assert "Note 01" not in page
    assert f"Only the {MESSAGES_SHOWN} most recent messages are shown." in page


def test_past_and_cancelled_meetings_and_those_the_viewer_was_taken_off_are_not_listed(
    council_a: Council, team: Team, browser_as: object
) -> None:
    now = timezone.now()
    with schema_context(council_a.schema_name):
        for starts, cancelled, removed in (
            (now - datetime.timedelta(days=1), None, None),
            (now + datetime.timedelta(days=1), now, None),
            (now + datetime.timedelta(days=2), None, now),
        ):
            meeting = Meeting.objects.create(
                client=team.client,
                organiser=team.member,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                place="Room 9",
                cancelled_at=cancelled,
            )
            MeetingInvitation.objects.create(meeting=meeting, practitioner=team.nurse, removed_at=removed)
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "Your upcoming meetings" not in page
    assert "Room 9" not in page


def test_a_message_from_someone_the_rules_have_since_hidden_is_not_shown(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from core.governance.rules import SensitiveMode
    from tests.core.governance.rulebook import rules_in_force, sensitive_rules

    with schema_context(council_a.schema_name):
        _messages(team, 1)  # from Rory, while his service was shown as a placeholder
        rules_in_force(sensitive_rules(team.recovery, SensitiveMode.HIDDEN))
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    assert "Note 00" not in page
    assert "Messages to the team" not in page
