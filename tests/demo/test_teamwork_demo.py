"""The demo's teamwork: in Staffordshire's social worker's largest team, a colleague's message to the team, a meeting
the social worker arranged for next week with calendar invitations, and a task a colleague gave her — each made
through the services, so the people told have notices and emails. Made once: topping up adds nothing."""

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from core.inbox.models import Notice, NoticeKind
from core.notifications.models import Notification
from core.teamwork.models import Meeting, TeamMessage, TeamTask
from demo.populate import council_demo_populate
from demo.teamwork import council_teamwork_populate
from tests.demo.test_governance_demo import password_hash, populated  # noqa: F401 -- a fixture and its helper

pytestmark = pytest.mark.council_side

SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"


def test_staffordshire_has_a_message_a_meeting_and_a_task_in_one_team(
    db: None,
    request: pytest.FixtureRequest,
    password_hash: str,  # noqa: F811
) -> None:
    for _ in populated("staffordshire", request, password_hash):
        message = TeamMessage.objects.select_related("sender__user").get()
        meeting = Meeting.objects.select_related("organiser__user").get()
        task = TeamTask.objects.select_related("assignee__user", "assigned_by__user").get()
        colleague = message.sender.user.email
        assert colleague != SOCIAL_WORKER
        assert meeting.organiser.user.email == SOCIAL_WORKER
        assert (task.assigned_by.user.email, task.assignee.user.email) == (colleague, SOCIAL_WORKER)
        assert message.client_id == meeting.client_id == task.client_id
        assert Notice.objects.filter(recipient__email=SOCIAL_WORKER, kind=NoticeKind.MESSAGE).exists()
        assert Notice.objects.filter(recipient__email=SOCIAL_WORKER, kind=NoticeKind.TASK).exists()
        assert Notice.objects.filter(recipient__email=colleague, kind=NoticeKind.MEETING).exists()
        invitations = Notification.objects.filter(attachment_name="invitation.ics")
        assert invitations.count() == 2
        assert all("Europe/London" in row.attachment_text for row in invitations)
        # Topping the demo up adds nothing more.
        sent = len(mail.outbox)
        council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
        assert (TeamMessage.objects.count(), Meeting.objects.count(), TeamTask.objects.count()) == (1, 1, 1)
        assert len(mail.outbox) == sent


def test_a_council_without_the_demo_people_gets_nothing(council_a: object) -> None:
    from demo.places import place_for

    with schema_context(council_a.schema_name):  # type: ignore[attr-defined]
        assert council_teamwork_populate(place=place_for("staffordshire", jurisdiction="england"), today=None) is False  # type: ignore[arg-type]
        assert not TeamMessage.objects.exists()
