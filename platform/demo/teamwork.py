"""The demo's teamwork: in the social worker's largest team, a colleague's message to the team, a meeting next week
she arranged with two colleagues, and a task a colleague gave her, made through the services as practitioners
would (core/teamwork), so that the team page, the home page and the notification centre show them, and the
calendar invitations are in ``var/mail``.

Only once: a council that has any team message gets nothing more.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef, Subquery

from core.audit.origin import Origin
from core.clients.models import Client, Involvement
from core.directory.models import Practitioner
from core.teamwork.meetings import MeetingValues, meeting_arrange
from core.teamwork.messages import team_message_send
from core.teamwork.models import TeamMessage
from core.teamwork.tasks import team_task_assign
from demo.places import Place
from demo.staff import demo_email
from tenants.models import Council

MESSAGE = "Attendance dropped again this week. Can we meet before the review? I will bring the figures."


def _site_origin(council: Council) -> Origin:
    domain = council.domains.get(is_primary=True).domain
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    return Origin(base_url=f"{settings.PLATFORM_SCHEME}://{domain}{port}", path="/")


def _demo_practitioner(place: Place, key: str) -> Practitioner | None:
    person = next((person for person in place.people if person.key == key), None)
    if person is None:
        return None
    return Practitioner.objects.filter(user__email=demo_email(person, place)).select_related("user").first()


def council_teamwork_populate(*, place: Place, today: datetime.date) -> bool:
    """Whether anything was made: nothing when the council already has team messages or lacks the demo's people."""
    if TeamMessage.objects.exists():
        return False
    social_worker = _demo_practitioner(place, "social-worker")
    if social_worker is None:
        return False
    current_members = (
        Involvement.objects.filter(client=OuterRef("pk"), ended_on__isnull=True)
        .values("client")
        .annotate(count=Count("pk"))
        .values("count")
    )
    client = (
        Client.objects.filter(involvements__practitioner=social_worker, involvements__ended_on__isnull=True)
        .annotate(members=Subquery(current_members[:1]))
        .filter(members__gte=3)
        .order_by("-members", "surname", "first_name")
        .first()
    )
    if client is None:
        return False
    others = list(
        Practitioner.objects.filter(
            involvements__client=client,
            involvements__ended_on__isnull=True,
            agency__is_sensitive=False,
            user__is_active=True,
            verified_at__isnull=False,
        )
        .exclude(pk=social_worker.pk)
        .select_related("user")
        .order_by("user__email")[:2]
    )
    if len(others) < 2:
        return False
    colleague = others[0]
    council = Council.objects.get(schema_name=connection.schema_name)
    origin = _site_origin(council)
    team_message_send(sender=colleague, client_id=client.pk, text=MESSAGE, recipient_ids=None, origin=origin)
    zone = zoneinfo.ZoneInfo(council.time_zone)
    day = today + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    starts = datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=zone)
    meeting_arrange(
        organiser=social_worker,
        client_id=client.pk,
        values=MeetingValues(
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            place="Family Hub, meeting room 2",
            online_link="",
            invitee_ids=[person.pk for person in others],
        ),
        origin=origin,
    )
    team_task_assign(
        actor=colleague,
        client_id=client.pk,
        assignee_id=social_worker.pk,
        description="Share the latest assessment summary with the team before the meeting",
        due_on=today + datetime.timedelta(days=3),
        origin=origin,
    )
    return True
