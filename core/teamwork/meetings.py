"""Team meetings: a member arranges one with chosen members of the team, changes or cancels it; invitees reply.

Each invitee is told in the app and emailed at once with a calendar invitation of their own
(core/teamwork/calendar.py): a REQUEST when invited or when the meeting changes, a CANCEL when it is cancelled or
they are taken off it. ``sequence`` goes up with every change, so calendars apply the newest. Replies are made in
Patchwork (a calendar's emailed reply is not read); the organiser is told of each.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Practitioner
from core.inbox.models import NoticeKind
from core.inbox.services.notices import PersonalNotice, notices_send, notices_send_each
from core.notifications.services.outbox import Attachment
from core.teamwork.calendar import CANCEL, REQUEST, CouncilCalendar, Person, council_calendar, meeting_invitation_ics
from core.teamwork.membership import CurrentTeam, team_current_for_member
from core.teamwork.models import Meeting, MeetingInvitation, MeetingReply

LONGEST = datetime.timedelta(hours=12)
FURTHEST = datetime.timedelta(days=366)
PLACE_MOST = 300
LINK_MOST = 500
REPLIES = (MeetingReply.ACCEPTED, MeetingReply.TENTATIVE, MeetingReply.DECLINED)


class MeetingNotFound(Exception):
    """No such meeting for this practitioner: another's meeting, another client's, or none at all."""


@dataclass(frozen=True)
class MeetingValues:
    """What the organiser chose: aware start and end, a place or a video link (or both), and invitees by id."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_link: str
    invitee_ids: Sequence[object]


@dataclass(frozen=True)
class _Checked:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_link: str
    invitees: list[Practitioner]


def _checked(team: CurrentTeam, organiser: Practitioner, values: MeetingValues) -> _Checked:
    """The values, tidied, or every problem with them at once as a ValidationError keyed by the form's fields."""
    errors: dict[str, str] = {}
    now = timezone.now()
    starts_at, ends_at = values.starts_at, values.ends_at
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("A meeting's times must be aware datetimes")
    if starts_at <= now:
        errors["start_time"] = "The meeting must start in the future"
    elif starts_at > now + FURTHEST:
        errors["date"] = "The meeting must be within the next year"
    if ends_at <= starts_at:
        errors["end_time"] = "The end time must be after the start time"
    elif ends_at - starts_at > LONGEST:
        errors["end_time"] = "A meeting can last at most 12 hours"
    place = " ".join((values.place or "").split())
    online_link = (values.online_link or "").strip()
    if not place and not online_link:
        errors["place"] = "Enter a place or a video link"
    if len(place) > PLACE_MOST:
        errors["place"] = f"The place must be {PLACE_MOST} characters or fewer"
    if online_link:
        try:
            URLValidator(schemes=["https"])(online_link)
        except ValidationError:
            errors["online_link"] = "Enter a video link that starts with https://"
        if len(online_link) > LINK_MOST:
            errors["online_link"] = f"The video link must be {LINK_MOST} characters or fewer"
    invitees: list[Practitioner] = []
    if not values.invitee_ids:
        errors["invitees"] = "Choose who to invite"
    else:
        try:
            invitees = team.chosen_by(organiser, values.invitee_ids, field="invitees")
        except ValidationError as error:
            errors |= {key: messages[0] for key, messages in error.message_dict.items()}
    if errors:
        raise ValidationError(errors)
    return _Checked(starts_at=starts_at, ends_at=ends_at, place=place, online_link=online_link, invitees=invitees)


def meeting_path(meeting: Meeting) -> str:
    return reverse("meeting", kwargs={"client_id": meeting.client_id, "meeting_id": meeting.pk})


def _team_path(meeting: Meeting) -> str:
    return reverse("client-team", kwargs={"client_id": meeting.client_id})


def _person(practitioner: Practitioner) -> Person:
    return Person(email=practitioner.user.email, name=practitioner.user.full_name)


@dataclass(frozen=True)
class _Telling:
    """Everything the invitations of one change share."""

    team: CurrentTeam
    meeting: Meeting
    organiser: Practitioner
    council: CouncilCalendar
    origin: Origin


def _tell(telling: _Telling, people: list[Practitioner], *, method: str, what: str, subject: str) -> None:
    """Each of ``people`` gets a notice ("<the organiser, as the policy names them> <what>") and, at once, an
    email with their own calendar file: one insert of notices and one of emails, however many people."""
    meeting, team = telling.meeting, telling.team
    link = telling.origin.absolute_url(_team_path(meeting))
    path = meeting_path(meeting) if method == REQUEST or meeting.cancelled_at else _team_path(meeting)
    notices = []
    for person in people:
        shown = team.shown_in_full_to(person, telling.organiser)
        ics = meeting_invitation_ics(
            meeting=meeting,
            method=method,
            recipient=_person(person),
            organiser=_person(telling.organiser) if shown else None,
            link=link,
            council=telling.council,
        )
        notices.append(
            PersonalNotice(
                recipient=person.user,
                text=f"{team.named_to(person, telling.organiser)} {what}",
                link=path,
                attachment=Attachment(name="invitation.ics", content_type=f"text/calendar; method={method}", text=ics),
            )
        )
    notices_send_each(
        notices=notices,
        kind=NoticeKind.MEETING,
        subject=subject,
        origin=telling.origin,
        client_id=meeting.client_id,
        email_now=True,
    )


def _audit(action: str, *, actor: Practitioner, meeting: Meeting, origin: Origin, reason: str) -> None:
    audit_record(
        action=action,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=meeting.client_id,
        reason=f"meeting {meeting.pk}: {reason}",
    )


@transaction.atomic
def meeting_arrange(*, organiser: Practitioner, client_id: object, values: MeetingValues, origin: Origin) -> Meeting:
    """Arrange a meeting of the client's team. The organiser must be in the team now (``NotInTeam``: nothing is
    written); the invitees are members the organiser sees in full. Each invitee gets a calendar invitation."""
    team = team_current_for_member(actor=organiser, client_id=client_id)
    checked = _checked(team, organiser, values)
    now = timezone.now()
    meeting = Meeting.objects.create(
        client=team.client,
        organiser=organiser,
        starts_at=checked.starts_at,
        ends_at=checked.ends_at,
        place=checked.place,
        online_link=checked.online_link,
        created_at=now,
        changed_at=now,
    )
    MeetingInvitation.objects.bulk_create(
        MeetingInvitation(meeting=meeting, practitioner=person) for person in checked.invitees
    )
    _audit(
        AuditAction.MEETING_ARRANGED,
        actor=organiser,
        meeting=meeting,
        origin=origin,
        reason=f"{len(checked.invitees)} invited",
    )
    telling = _Telling(team=team, meeting=meeting, organiser=organiser, council=council_calendar(), origin=origin)
    _tell(
        telling,
        checked.invitees,
        method=REQUEST,
        what="invited you to a meeting of the team around one of your clients.",
        subject="Invitation: team meeting",
    )
    return meeting


def _meeting_of_organiser(*, organiser: Practitioner, client_id: object, meeting_id: object) -> Meeting:
    """The meeting, locked, for its organiser; ``MeetingNotFound`` for anyone who may not know it exists, and
    PermissionDenied for an invitee (they see it, but did not arrange it). Refuses one that is over or cancelled."""
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id, client_id=client_id).first()
    if meeting is None:
        raise MeetingNotFound
    if meeting.organiser_id != organiser.pk:
        invited = meeting.invitations.filter(practitioner=organiser, removed_at__isnull=True).exists()
        if not invited:
            raise MeetingNotFound
        raise PermissionDenied("Only the person who arranged the meeting can change or cancel it.")
    if meeting.cancelled_at is not None:
        raise ValidationError("This meeting has been cancelled.")
    if meeting.ends_at <= timezone.now():
        raise ValidationError("This meeting has already taken place.")
    return meeting


@transaction.atomic
def meeting_change(
    *, organiser: Practitioner, client_id: object, meeting_id: object, values: MeetingValues, origin: Origin
) -> Meeting:
    """Change the time, the place or the invitees. Every invitee gets the updated invitation (SEQUENCE one
    higher); those taken off it get a cancellation, those added an invitation. When the time changes, replies
    are asked for again. Nothing changed: nothing is sent."""
    team = team_current_for_member(actor=organiser, client_id=client_id)
    meeting = _meeting_of_organiser(organiser=organiser, client_id=team.client.pk, meeting_id=meeting_id)
    checked = _checked(team, organiser, values)
    invitations = {
        invitation.practitioner_id: invitation
        for invitation in meeting.invitations.select_related("practitioner__user", "practitioner__agency")
    }
    before = {key for key, invitation in invitations.items() if invitation.removed_at is None}
    after = {person.pk for person in checked.invitees}
    moved = (checked.starts_at, checked.ends_at) != (meeting.starts_at, meeting.ends_at)
    details = moved or (checked.place, checked.online_link) != (meeting.place, meeting.online_link)
    if not details and before == after:
        return meeting
    now = timezone.now()
    meeting.starts_at, meeting.ends_at = checked.starts_at, checked.ends_at
    meeting.place, meeting.online_link = checked.place, checked.online_link
    meeting.sequence += 1
    meeting.changed_at = now
    meeting.save(update_fields=["starts_at", "ends_at", "place", "online_link", "sequence", "changed_at"])
    removed = [invitations[key] for key in before - after]
    MeetingInvitation.objects.filter(pk__in=[invitation.pk for invitation in removed]).update(removed_at=now)
    again = [invitations[key].pk for key in after & set(invitations) if key not in before]  # put back on it
    if moved:  # a new time: everyone answers again
        MeetingInvitation.objects.filter(meeting=meeting, practitioner_id__in=after).update(
            reply=MeetingReply.NONE, replied_at=None, removed_at=None
        )
    elif again:
        MeetingInvitation.objects.filter(pk__in=again).update(reply=MeetingReply.NONE, replied_at=None, removed_at=None)
    MeetingInvitation.objects.bulk_create(
        MeetingInvitation(meeting=meeting, practitioner=person)
        for person in checked.invitees
        if person.pk not in invitations
    )
    _audit(
        AuditAction.MEETING_CHANGED,
        actor=organiser,
        meeting=meeting,
        origin=origin,
        reason=f"sequence {meeting.sequence}; {len(after - before)} added, {len(before - after)} removed"
        + ("; new time" if moved else ""),
    )
    telling = _Telling(team=team, meeting=meeting, organiser=organiser, council=council_calendar(), origin=origin)
    added = [person for person in checked.invitees if person.pk not in before]
    kept = [person for person in checked.invitees if person.pk in before]
    _tell(
        telling,
        kept,
        method=REQUEST,
        what="changed a meeting of the team around one of your clients.",
        subject="Updated invitation: team meeting",
    )
    _tell(
        telling,
        added,
        method=REQUEST,
        what="invited you to a meeting of the team around one of your clients.",
        subject="Invitation: team meeting",
    )
    _tell(
        telling,
        [invitation.practitioner for invitation in removed],
        method=CANCEL,
        what="took you off a meeting of the team around one of your clients.",
        subject="Cancelled: team meeting",
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, organiser: Practitioner, client_id: object, meeting_id: object, origin: Origin) -> Meeting:
    """Cancel the meeting: every invitee gets a cancellation (METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE one
    higher)."""
    team = team_current_for_member(actor=organiser, client_id=client_id)
    meeting = _meeting_of_organiser(organiser=organiser, client_id=team.client.pk, meeting_id=meeting_id)
    now = timezone.now()
    meeting.cancelled_at = now
    meeting.changed_at = now
    meeting.sequence += 1
    meeting.save(update_fields=["cancelled_at", "changed_at", "sequence"])
    invited = [
        invitation.practitioner
        for invitation in meeting.invitations.filter(removed_at__isnull=True).select_related(
            "practitioner__user", "practitioner__agency"
        )
    ]
    _audit(AuditAction.MEETING_CANCELLED, actor=organiser, meeting=meeting, origin=origin, reason="cancelled")
    telling = _Telling(team=team, meeting=meeting, organiser=organiser, council=council_calendar(), origin=origin)
    _tell(
        telling,
        invited,
        method=CANCEL,
        what="cancelled a meeting of the team around one of your clients.",
        subject="Cancelled: team meeting",
    )
    return meeting


@transaction.atomic
def meeting_reply(
    *, invitee: Practitioner, client_id: object, meeting_id: object, reply: str, origin: Origin
) -> MeetingInvitation:
    """An invitee answers: coming, maybe, not coming. The organiser is told (in the app, and by email as they
    prefer). Only someone invited, and in the team now; not once the meeting is cancelled or over."""
    team = team_current_for_member(actor=invitee, client_id=client_id)
    invitation = (
        MeetingInvitation.objects.select_for_update(of=("self",))
        .select_related("meeting__organiser__user", "meeting__organiser__agency")
        .filter(meeting_id=meeting_id, meeting__client_id=team.client.pk, practitioner=invitee, removed_at__isnull=True)
        .first()
    )
    if invitation is None:
        raise MeetingNotFound
    meeting = invitation.meeting
    if reply not in REPLIES:
        raise ValidationError({"reply": "Choose whether you are coming"})
    if meeting.cancelled_at is not None:
        raise ValidationError("This meeting has been cancelled.")
    if meeting.ends_at <= timezone.now():
        raise ValidationError("This meeting has already taken place.")
    invitation.reply = reply
    invitation.replied_at = timezone.now()
    invitation.save(update_fields=["reply", "replied_at"])
    answer = invitation.get_reply_display()
    _audit(AuditAction.MEETING_REPLIED, actor=invitee, meeting=meeting, origin=origin, reason=answer)
    organiser = meeting.organiser
    notices_send(
        recipients=[organiser.user],
        kind=NoticeKind.MEETING,
        text=f"{team.named_to(organiser, invitee)} replied to your team meeting invitation: {answer}."[:300],
        link=meeting_path(meeting),
        subject="Reply to your team meeting",
        origin=origin,
        client_id=meeting.client_id,
    )
    return invitation
