"""What keeps a client's team connected: messages, meetings, tasks, and asking whether members are still involved.

Nothing here is case management: a message says what the team should know or do, briefly; a task is a
line, not a plan. Emails about any of them say only that there is something to see, and link to it.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clients.models import Client, Involvement
from core.directory.models import Practitioner

MESSAGE_MOST = 1000
TASK_MOST = 300


class TeamMessage(models.Model):
    """Raise attention: a short message to the whole current team, or to chosen members of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="team_messages")
    sender = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=MESSAGE_MOST)
    to_whole_team = models.BooleanField(default=True)
    recipients = models.ManyToManyField(Practitioner, related_name="team_messages_received")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["client", "-sent_at"], name="team_message_recent")]

    def __str__(self) -> str:
        return f"Message {self.id}"


class Meeting(models.Model):
    """A meeting of chosen team members. ``sequence`` goes up with each change, so calendars apply the update.

    The calendar invitation carries the time, the place or link and a link to the team page: no client data.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="meetings")
    organiser = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(
        max_length=300, blank=True, help_text="A venue, never the client's address: it goes into calendars."
    )
    online_link = models.URLField(max_length=500, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["client", "starts_at"], name="meeting_client_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(online_link=""), name="meeting_has_place_or_link"),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.id}"


class MeetingReply(models.TextChoices):
    NONE = "needs_action", "Not replied"
    ACCEPTED = "accepted", "Coming"
    TENTATIVE = "tentative", "Maybe"
    DECLINED = "declined", "Not coming"


class MeetingInvitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="meeting_invitations")
    reply = models.CharField(max_length=20, choices=MeetingReply.choices, default=MeetingReply.NONE)
    replied_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="Taken off the meeting by the organiser.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "practitioner"], name="one_invitation_each")]

    def __str__(self) -> str:
        return self.get_reply_display()


class TeamTask(models.Model):
    """A small task one team member gives another, with a due date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="team_tasks")
    assigned_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="team_tasks")
    description = models.CharField(max_length=TASK_MOST)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    reminded_on = models.DateField(null=True, blank=True, help_text="The last day the assignee was reminded.")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["due_on", "created_at"]
        indexes = [
            models.Index(fields=["assignee", "due_on"], name="team_task_open", condition=Q(done_at__isnull=True)),
            models.Index(fields=["client", "due_on"], name="team_task_client"),
        ]

    def __str__(self) -> str:
        return f"Task {self.id} ({'done' if self.done_at else 'open'})"


class StillInvolvedAnswer(models.TextChoices):
    STILL_INVOLVED = "still_involved", "Still involved"
    NO_LONGER_INVOLVED = "no_longer_involved", "No longer involved"


class InvolvementCheck(models.Model):
    """Asking a member with no contact recorded for the council's number of days whether they are still involved.

    Asked once, reminded once; with no answer after the reminder, the lead professional is told.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    involvement = models.ForeignKey(Involvement, on_delete=models.CASCADE, related_name="checks")
    asked_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    lead_told_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=StillInvolvedAnswer.choices, blank=True)

    class Meta:
        ordering = ["-asked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["involvement"], condition=Q(answered_at__isnull=True), name="one_open_check_per_involvement"
            ),
        ]

    def __str__(self) -> str:
        return f"Check {self.id} ({self.answer or 'open'})"
