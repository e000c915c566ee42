"""Break-glass: a practitioner in a role the council designates (a MASH, an out-of-hours duty team) opens the
team around a client they are not in, in an emergency, with a reason from the council's list and an
explanation, for the time the council allows. Every access raises an alert at once, the council's privacy
officers are emailed, and a privacy officer reviews it (accepted, or challenged with a note).

Services (writes) and selectors (reads) live together here: they share one idea of a running access.
Emails carry no client personal data: who opened a team, when, for which of the council's reasons, and a link.
"""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import Origin, without_control_characters
from core.audit.services.events import audit_record
from core.clients.models import BreakGlassAccess, Client, Involvement
from core.directory.models import Practitioner
from core.governance.models import AlertKind
from core.governance.rules import BreakGlassRole, Rules
from core.governance.selectors import rules_current
from core.governance.services.alerts import alert_raise
from core.notifications.services.outbox import notification_queue

EXPLANATION_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 500
NOT_VERIFIED = "Your agency manager has not verified your account yet."
NO_ROLE = "Your council has not given you a role that may open a team in an emergency."


class BreakGlassAlreadyReviewed(Exception):
    """The access has been reviewed already: a review is made once (the page answers 409)."""


def _running(now: datetime.datetime) -> Q:
    return Q(ended_at__isnull=True, expires_at__gt=now)


def one_line(text: str) -> str:
    """Free text as one line: runs of white space (new lines too) as one space, control characters removed."""
    return without_control_characters(re.sub(r"\s+", " ", text)).strip()


def _council_time(moment: datetime.datetime) -> datetime.datetime:
    """A moment in the council's own time zone (the current one when the council does not say)."""
    zone = getattr(getattr(connection, "tenant", None), "time_zone", "")
    try:
        return timezone.localtime(moment, ZoneInfo(zone)) if zone else timezone.localtime(moment)
    except (KeyError, ValueError):
        return timezone.localtime(moment)


def _when(moment: datetime.datetime) -> str:
    local = _council_time(moment)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


# --- Reads -----------------------------------------------------------------------------------------------


def break_glass_role_in_force(viewer: Practitioner, rules: Rules | None = None) -> BreakGlassRole | None:
    """The viewer's break-glass role, if the council's rules in force still hold it. No query without a role."""
    if not viewer.break_glass_role:
        return None
    return (rules or rules_current()).break_glass_role(viewer.break_glass_role)


def break_glass_current(*, viewer: Practitioner) -> list[BreakGlassAccess]:
    """The viewer's own accesses still running (neither ended nor expired), soonest to expire first."""
    return list(
        BreakGlassAccess.objects.filter(_running(timezone.now()), practitioner=viewer).order_by("expires_at", "pk")
    )


def break_glass_running(*, viewer: Practitioner, client_id: object) -> BreakGlassAccess | None:
    """The viewer's running access to this client's team, if any."""
    return (
        BreakGlassAccess.objects.filter(_running(timezone.now()), practitioner=viewer, client_id=client_id)
        .order_by("-expires_at")
        .first()
    )


def break_glass_own(*, viewer: Practitioner, access_id: object) -> BreakGlassAccess | None:
    """One of the viewer's own accesses (running or not); None for anyone else's, or no such access."""
    return BreakGlassAccess.objects.filter(pk=access_id, practitioner=viewer).first()


def _require_privacy_officer(viewer: Practitioner) -> None:
    if not viewer.is_privacy_officer or not viewer.user.is_active:
        raise PermissionDenied("Only the council's privacy officers review emergency access.")


def break_glass_reviews(*, viewer: Practitioner) -> QuerySet[BreakGlassAccess]:
    """Every access for a privacy officer: those waiting for review first (oldest first), then the reviewed
    (newest first). Who opened each comes with it: one query per page of the list."""
    _require_privacy_officer(viewer)
    return (
        BreakGlassAccess.objects.select_related("practitioner__user", "practitioner__agency", "reviewed_by__user")
        .annotate(
            waiting=Case(
                When(review=BreakGlassAccess.Review.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", Case(When(waiting=0, then="opened_at")), "-opened_at", "pk")
    )


@dataclass(frozen=True)
class BreakGlassReviewView:
    """What a privacy officer sees of one access: it, the client, and the client's team views made under it."""

    access: BreakGlassAccess
    views: list[datetime.datetime]

    @property
    def until(self) -> datetime.datetime:
        return self.access.ended_at or self.access.expires_at

    @property
    def is_running(self) -> bool:
        return self.access.ended_at is None and self.access.expires_at > timezone.now()


def break_glass_views(access: BreakGlassAccess) -> list[datetime.datetime]:
    """When the practitioner viewed the client's team while the access ran (from the audit trail)."""
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            actor_id=access.practitioner.user_id,
            object_type="client",
            object_id=str(access.client_id),
            occurred_at__gte=access.opened_at,
            occurred_at__lte=access.ended_at or access.expires_at,
        )
        .order_by("occurred_at", "id")
        .values_list("occurred_at", flat=True)
    )


def break_glass_review_view(*, viewer: Practitioner, access_id: object, origin: Origin) -> BreakGlassReviewView:
    """One access, for a privacy officer (anyone else: PermissionDenied); an unknown id is not found. The
    reading is recorded: it shows who the client is."""
    _require_privacy_officer(viewer)
    access = (
        BreakGlassAccess.objects.select_related(
            "client", "practitioner__user", "practitioner__agency", "reviewed_by__user"
        )
        .filter(pk=access_id)
        .first()
    )
    if access is None:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=viewer.user_id,
            object_type="break_glass",
            object_id=access_id,
            reason="no such break-glass access",
        )
        raise Http404("No such access.")
    audit_record(
        action=AuditAction.ACCESS_REPORT_VIEWED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="break_glass",
        object_id=access.pk,
        related_ids=[access.client_id],
    )
    return BreakGlassReviewView(access=access, views=break_glass_views(access))


# --- Writes ----------------------------------------------------------------------------------------------


def _refuse_opening(*, actor: Practitioner, client_id: object, origin: Origin, why: str) -> None:
    """Record a refused opening. Outside any transaction of the caller's that the refusal rolls back."""
    audit_record(
        action=AuditAction.BREAK_GLASS_OPENED,
        outcome=AuditOutcome.DENIED,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=client_id,
        reason=why,
    )


def _opening_checked(*, reason: str, explanation: str, rules: Rules) -> tuple[str, str]:
    errors: dict[str, str] = {}
    if reason not in rules.break_glass_reasons:
        errors["reason"] = "Choose the reason from the council's list"
    explanation = one_line(explanation)
    if not explanation:
        errors["explanation"] = "Explain why you need to see this team now"
    elif len(explanation) > EXPLANATION_MAX_LENGTH:
        errors["explanation"] = f"The explanation must be {EXPLANATION_MAX_LENGTH} characters or fewer"
    if errors:
        raise ValidationError(errors)
    return reason, explanation


def _privacy_officers_emailed(*, access: BreakGlassAccess, actor: Practitioner, origin: Origin) -> None:
    """Every privacy officer (but the practitioner themselves) is told at once, with a link to the review
    page. Who opened a team, when, until when and for which of the council's reasons: never who the client is,
    nor the explanation (free text can name them)."""
    recipients = list(
        Practitioner.objects.filter(is_privacy_officer=True, user__is_active=True)
        .exclude(pk=actor.pk)
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    who = f"{actor.user.full_name} ({', '.join(part for part in (access.role, actor.agency.name) if part)})"
    link = origin.absolute_url(reverse("break-glass-review", kwargs={"access_id": access.pk}))
    body = (
        f"{who} opened the team around a client in an emergency (break-glass) at {_when(access.opened_at)}, "
        f"until {_when(access.expires_at)}.\n\n"
        f"Reason given: {access.reason}\n\n"
        "Everything they view is recorded. Review this access: accept it, or challenge it with a note.\n"
        f"{link}\n"
    )
    notification_queue(to=recipients, subject="Emergency access to a client's team: review needed", body=body)


def break_glass_open(
    *,
    actor: Practitioner,
    client_id: object,
    reason: str,
    explanation: str,
    found_in_last_search: bool,
    origin: Origin,
) -> BreakGlassAccess:
    """Open the team around a client the actor's last search found, in an emergency.

    Only a verified practitioner whose break-glass role is in the council's rules in force (otherwise
    PermissionDenied, recorded); a client their last search did not find is not found (Http404, recorded:
    existence is never revealed); a member of the team already sees it (ValidationError). The reason is one of
    the council's, the explanation required. A running access to the same client is reused, not doubled.
    """
    rules = rules_current()
    role = break_glass_role_in_force(actor, rules)
    if role is None or not actor.user.is_active:
        _refuse_opening(actor=actor, client_id=client_id, origin=origin, why="no break-glass role in force")
        raise PermissionDenied(NO_ROLE)
    if actor.verified_at is None:
        _refuse_opening(actor=actor, client_id=client_id, origin=origin, why="not verified")
        raise PermissionDenied(NOT_VERIFIED)
    if not found_in_last_search or not Client.objects.filter(pk=client_id).exists():
        _refuse_opening(
            actor=actor, client_id=client_id, origin=origin, why="not a recent search hit, or no such client"
        )
        raise Http404("No such client.")
    reason, explanation = _opening_checked(reason=reason, explanation=explanation, rules=rules)
    with transaction.atomic():
        # Openings of one team take turns (the client's row is the turnstile): two at once make one access.
        Client.objects.select_for_update(no_key=True).filter(pk=client_id).values_list("pk", flat=True).first()
        if Involvement.objects.filter(client_id=client_id, practitioner=actor, ended_on__isnull=True).exists():
            raise ValidationError("You are already in this team: you can see it without emergency access.")
        running = break_glass_running(viewer=actor, client_id=client_id)
        if running is not None:
            return running
        opened_at = timezone.now()
        access = BreakGlassAccess.objects.create(
            client_id=client_id,
            practitioner=actor,
            role=role.name,
            reason=reason,
            explanation=explanation,
            opened_at=opened_at,
            expires_at=opened_at + datetime.timedelta(minutes=rules.break_glass_minutes),
        )
        audit_record(
            action=AuditAction.BREAK_GLASS_OPENED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="client",
            object_id=client_id,
            reason=reason,
            related_ids=[access.pk],
        )
        alert_raise(
            kind=AlertKind.BREAK_GLASS,
            practitioner=actor,
            period_start=access.opened_at,
            period_end=access.expires_at,
            summary=f"Opened a client's team by break-glass as {role.name}: {reason}",
            evidence={"break_glass_id": str(access.pk), "client_id": str(client_id), "reason": reason},
        )
        _privacy_officers_emailed(access=access, actor=actor, origin=origin)
    return access


@transaction.atomic
def break_glass_end(*, actor: Practitioner, access: BreakGlassAccess, origin: Origin) -> BreakGlassAccess:
    """The practitioner closes their own access before it expires. An access already over stays as it was."""
    if access.practitioner_id != actor.pk:
        raise PermissionDenied("You can end only your own emergency access.")
    access = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
    now = timezone.now()
    if access.ended_at is not None or access.expires_at <= now:
        return access
    access.ended_at = now
    access.save(update_fields=["ended_at"])
    audit_record(
        action=AuditAction.BREAK_GLASS_ENDED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=access.client_id,
        related_ids=[access.pk],
    )
    return access


def break_glass_review(
    *, actor: Practitioner, access: BreakGlassAccess, decision: str, note: str, origin: Origin
) -> BreakGlassAccess:
    """A privacy officer accepts an access, or challenges it with a note; once. Anyone else, and the
    practitioner who opened it, is refused (PermissionDenied, recorded). A second review raises
    BreakGlassAlreadyReviewed and changes nothing. A challenged practitioner is emailed (without the note,
    which may speak of the client: they are asked to contact the privacy officer)."""
    refusal = None
    if not actor.is_privacy_officer or not actor.user.is_active:
        refusal = "Only the council's privacy officers review emergency access."
    elif access.practitioner_id == actor.pk:
        refusal = "You cannot review your own emergency access: another privacy officer must."
    if refusal:
        audit_record(
            action=AuditAction.BREAK_GLASS_REVIEWED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=actor.user_id,
            object_type="break_glass",
            object_id=access.pk,
            reason=refusal,
        )
        raise PermissionDenied(refusal)
    note = one_line(note)
    if decision not in (BreakGlassAccess.Review.ACCEPTED, BreakGlassAccess.Review.CHALLENGED):
        raise ValidationError({"decision": "Choose whether you accept or challenge this access"})
    if decision == BreakGlassAccess.Review.CHALLENGED and not note:
        raise ValidationError({"note": "Say why you challenge this access"})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"The note must be {NOTE_MAX_LENGTH} characters or fewer"})
    with transaction.atomic():
        access = (
            BreakGlassAccess.objects.select_for_update(of=("self",))
            .select_related("practitioner__user")
            .get(pk=access.pk)
        )
        if access.review != BreakGlassAccess.Review.PENDING:
            raise BreakGlassAlreadyReviewed
        access.review = decision
        access.reviewed_by = actor
        access.reviewed_at = timezone.now()
        access.review_note = note
        access.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            action=AuditAction.BREAK_GLASS_REVIEWED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="break_glass",
            object_id=access.pk,
            reason=f"{decision}: {note}" if note else decision,
            related_ids=[access.client_id],
        )
        if decision == BreakGlassAccess.Review.CHALLENGED:
            body = (
                f"{actor.user.full_name}, your council's privacy officer, has challenged the emergency (break-glass) "
                f"access to a client's team you opened at {_when(access.opened_at)}.\n\n"
                f"Contact them to talk it through: {actor.user.email}\n"
            )
            notification_queue(
                to=[access.practitioner.user.email], subject="Your emergency access has been challenged", body=body
            )
    return access
