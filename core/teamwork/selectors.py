"""Reads of the team's messages and meetings, for the viewer and through the visibility policy.

The team page adds what it shows of them in one statement (``teamwork_for_team``): the messages the viewer may
read and the upcoming meetings they are in, read as two arrays on the client's row, whatever the team's size.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone

from core.accounts.models import User
from core.clients.models import Client
from core.clients.selectors import TeamView
from core.directory.models import Agency, Practitioner
from core.governance.visibility import Detail, MemberView, policy_for
from core.teamwork.meetings import MeetingNotFound
from core.teamwork.membership import team_current_for_member
from core.teamwork.models import Meeting, MeetingInvitation, MeetingReply, TeamMessage

MESSAGES_SHOWN = 20
MEETINGS_SHOWN = 10


@dataclass(frozen=True)
class MessageShown:
    id: uuid.UUID
    text: str
    sent_at: datetime.datetime
    sender: str  # through the policy
    from_viewer: bool
    to_whole_team: bool
    recipients: list[str]  # those the viewer sees in full ("you" for the viewer); the rest are not named


@dataclass(frozen=True)
class MeetingShown:
    id: uuid.UUID
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_link: str
    is_organiser: bool
    reply: str  # the viewer's, as shown ("Not replied", "Coming" …); empty for the organiser


@dataclass(frozen=True)
class Teamwork:
    """What the team page shows of the team's messages and meetings, for one viewer."""

    messages: list[MessageShown] = field(default_factory=list)
    more_messages: bool = False
    meetings: list[MeetingShown] = field(default_factory=list)


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def _teamwork_queryset(*, client_id: object, viewer_id: object, now: datetime.datetime) -> QuerySet[Client]:
    through = TeamMessage.recipients.through
    to_viewer = through.objects.filter(teammessage_id=OuterRef("pk"), practitioner_id=viewer_id)
    messages = (
        TeamMessage.objects.filter(client_id=OuterRef("pk"))
        .filter(Q(sender_id=viewer_id) | Exists(to_viewer))
        .order_by("-sent_at", "-id")
        .values(
            row=JSONObject(
                id="id",
                text="text",
                sent_at="sent_at",
                whole="to_whole_team",
                sender_id="sender_id",
                first_name="sender__user__first_name",
                last_name="sender__user__last_name",
                agency_id="sender__agency_id",
                agency="sender__agency__name",
                sensitive="sender__agency__is_sensitive",
                recipients=ArraySubquery(
                    through.objects.filter(teammessage_id=OuterRef("pk")).values("practitioner_id")
                ),
            )
        )[: MESSAGES_SHOWN + 1]
    )
    invited = MeetingInvitation.objects.filter(
        meeting_id=OuterRef("pk"), practitioner_id=viewer_id, removed_at__isnull=True
    )
    meetings = (
        Meeting.objects.filter(client_id=OuterRef("pk"), cancelled_at__isnull=True, ends_at__gt=now)
        .filter(Q(organiser_id=viewer_id) | Exists(invited))
        .order_by("starts_at", "id")
        .values(
            row=JSONObject(
                id="id",
                starts_at="starts_at",
                ends_at="ends_at",
                place="place",
                online_link="online_link",
                organiser_id="organiser_id",
                reply=Subquery(invited.values("reply")[:1]),
            )
        )[:MEETINGS_SHOWN]
    )
    return Client.objects.filter(pk=client_id).values(
        messages_shown=ArraySubquery(messages), meetings_shown=ArraySubquery(meetings)
    )


def _sender(row: dict) -> Practitioner:
    """The sender as the policy reads them (agency and whether it is sensitive, the name), without a query."""
    agency = Agency(pk=uuid.UUID(row["agency_id"]), name=row["agency"], is_sensitive=row["sensitive"])
    user = User(first_name=row["first_name"], last_name=row["last_name"])
    return Practitioner(pk=uuid.UUID(row["sender_id"]), agency=agency, user=user)


def _names(members: list[MemberView]) -> dict[str, str]:
    return {
        str(member.practitioner_id): "you" if member.is_viewer else member.name or ""
        for member in members
        if member.detail is Detail.FULL and member.practitioner_id is not None
    }


def teamwork_for_team(*, team: TeamView, viewer: Practitioner, now: datetime.datetime | None = None) -> Teamwork:
    """The messages the viewer may read (sent by them or to them — a message to the whole team goes to everyone
    in it when it is sent), newest first, and the upcoming meetings they arranged or are invited to, soonest
    first. Senders and recipients are named through the policy the team was read with; a message from someone the
    rules now hide from the viewer is left out. One statement."""
    policy = team.policy or policy_for(viewer)
    row = _teamwork_queryset(client_id=team.client.pk, viewer_id=viewer.pk, now=now or timezone.now()).first()
    if row is None:
        return Teamwork()
    names = _names([*team.current, *team.previous])
    messages = []
    for item in (row["messages_shown"] or [])[:MESSAGES_SHOWN]:
        sender = _sender(item)
        mine = sender.pk == viewer.pk
        named = "you" if mine else policy.practitioner_named(sender, team.consent)
        if named is None:  # the rules now hide the sender from the viewer: what they wrote is not shown either
            continue
        messages.append(
            MessageShown(
                id=uuid.UUID(item["id"]),
                text=item["text"],
                sent_at=_moment(item["sent_at"]),
                sender=named,
                from_viewer=mine,
                to_whole_team=item["whole"],
                recipients=[names[str(key)] for key in item["recipients"] or [] if str(key) in names],
            )
        )
    replies = dict(MeetingReply.choices)
    meetings = [
        MeetingShown(
            id=uuid.UUID(item["id"]),
            starts_at=_moment(item["starts_at"]),
            ends_at=_moment(item["ends_at"]),
            place=item["place"],
            online_link=item["online_link"],
            is_organiser=item["organiser_id"] == str(viewer.pk),
            reply="" if item["organiser_id"] == str(viewer.pk) else replies.get(item["reply"] or "", ""),
        )
        for item in row["meetings_shown"] or []
    ]
    read = row["messages_shown"] or []
    return Teamwork(messages=messages, more_messages=len(read) > MESSAGES_SHOWN, meetings=meetings)


@dataclass(frozen=True)
class InviteeShown:
    name: str
    reply: str
    is_viewer: bool


@dataclass(frozen=True)
class MeetingPage:
    meeting: Meeting
    client: Client
    organiser: str  # through the policy
    is_organiser: bool
    invitees: list[InviteeShown]
    own_reply: str | None  # the viewer's reply value when invited, else None
    is_over: bool


def meeting_for_viewer(*, viewer: Practitioner, client_id: object, meeting_id: object) -> MeetingPage:
    """A meeting for its organiser or one of its invitees, who must be in the team now; ``NotInTeam`` or
    ``MeetingNotFound`` (core/teamwork/meetings.py) for anyone else. Invitees are named through the policy: one
    the viewer may not know of is not listed. A constant number of queries."""
    team = team_current_for_member(actor=viewer, client_id=client_id)
    meeting = (
        Meeting.objects.select_related("organiser__user", "organiser__agency")
        .filter(pk=meeting_id, client_id=team.client.pk)
        .first()
    )
    if meeting is None:
        raise MeetingNotFound
    invitations = list(
        meeting.invitations.filter(removed_at__isnull=True)
        .select_related("practitioner__user", "practitioner__agency")
        .order_by("practitioner__user__first_name", "practitioner__user__last_name", "pk")
    )
    own = next((invitation for invitation in invitations if invitation.practitioner_id == viewer.pk), None)
    is_organiser = meeting.organiser_id == viewer.pk
    if own is None and not is_organiser:
        raise MeetingNotFound
    policy = team.policy(viewer)
    invitees = []
    for invitation in invitations:
        if invitation.practitioner_id == viewer.pk:
            name = "You"
        else:
            name = policy.practitioner_named(invitation.practitioner, team.consent)
            if name is None:
                continue
        invitees.append(
            InviteeShown(
                name=name, reply=invitation.get_reply_display(), is_viewer=invitation.practitioner_id == viewer.pk
            )
        )
    organiser = "You" if is_organiser else team.named_to(viewer, meeting.organiser)
    return MeetingPage(
        meeting=meeting,
        client=team.client,
        organiser=organiser,
        is_organiser=is_organiser,
        invitees=invitees,
        own_reply=own.reply if own is not None else None,
        is_over=meeting.ends_at <= timezone.now(),
    )
