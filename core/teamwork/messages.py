"""Raise attention: a short message from a member of the team to the whole current team, or to chosen members.

The message is read on the team page. Whoever it is sent to is told in the app, and by email as they prefer,
only that a message was sent and by whom (through the visibility policy) — never its text.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Practitioner
from core.inbox.models import NoticeKind
from core.inbox.services.notices import notices_send
from core.teamwork.membership import CurrentTeam, team_current_for_member
from core.teamwork.models import MESSAGE_MOST, TeamMessage

MESSAGE_SUBJECT = "A message to one of your teams"
NO_TEXT = "Enter your message"
TOO_LONG = f"Your message must be {MESSAGE_MOST} characters or fewer"
NOBODY_CHOSEN = "Choose who to send the message to"
NOBODY_ELSE = "There is nobody else in the team to send a message to."


def message_text_clean(text: str) -> str:
    """The message as it is kept: without white space around it. A ValidationError on ``text`` when empty or
    too long (the length is counted after tidying, as the page counts it)."""
    cleaned = (text or "").replace("\r\n", "\n").strip()
    if not cleaned:
        raise ValidationError({"text": NO_TEXT})
    if len(cleaned) > MESSAGE_MOST:
        raise ValidationError({"text": TOO_LONG})
    return cleaned


def _recipients(team: CurrentTeam, sender: Practitioner, recipient_ids: Sequence[object] | None) -> list[Practitioner]:
    if recipient_ids is None:  # the whole current team as it is now, less those the policy hides the sender from
        everyone = team.reachable_by(sender)
        if not everyone:
            raise ValidationError({"recipients": NOBODY_ELSE})
        return everyone
    if not recipient_ids:
        raise ValidationError({"recipients": NOBODY_CHOSEN})
    return team.chosen_by(sender, recipient_ids, field="recipients")


@transaction.atomic
def team_message_send(
    *, sender: Practitioner, client_id: object, text: str, recipient_ids: Sequence[object] | None, origin: Origin
) -> TeamMessage:
    """Send a message to the client's team: to every current member (``recipient_ids`` None) or to the members
    chosen by id, each of whom the sender must see in full. Members from whom the policy hides the sender (a
    confidential service they may not know is involved) are never sent to. The sender must be in the team now
    (``NotInTeam`` otherwise: nothing is written). Each recipient is told who sent a message, as the policy names
    the sender to them, with a link to the team page. A constant number of queries, whatever the size of the team.
    """
    team = team_current_for_member(actor=sender, client_id=client_id)
    cleaned = message_text_clean(text)
    recipients = _recipients(team, sender, recipient_ids)
    message = TeamMessage.objects.create(
        client=team.client, sender=sender, text=cleaned, to_whole_team=recipient_ids is None
    )
    message.recipients.through.objects.bulk_create(
        message.recipients.through(teammessage_id=message.pk, practitioner_id=person.pk) for person in recipients
    )
    audit_record(
        action=AuditAction.TEAM_MESSAGE_SENT,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=sender.user_id,
        object_type="client",
        object_id=team.client.pk,
        reason=f"message {message.pk} to "
        + ("the whole team" if message.to_whole_team else "chosen members")
        + f" ({len(recipients)})",
        related_ids=[person.pk for person in recipients],
    )
    link = reverse("client-team", kwargs={"client_id": team.client.pk}) + "#team-messages"
    by_sentence: dict[str, list[Practitioner]] = {}
    for person in recipients:
        sentence = f"{team.named_to(person, sender)} sent a message to the team around one of your clients."[:300]
        by_sentence.setdefault(sentence, []).append(person)
    for sentence, people in by_sentence.items():  # at most three sentences: a name, a confidential service, a member
        notices_send(
            recipients=[person.user for person in people],
            kind=NoticeKind.MESSAGE,
            text=sentence,
            link=link,
            subject=MESSAGE_SUBJECT,
            origin=origin,
            client_id=team.client.pk,
        )
    return message
