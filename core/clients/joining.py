"""Asking to join a team, where the council's rules want the lead professional's approval
(``Rules.join_needs_lead_approval``), and deciding on the asking.

A request has the preconditions joining has (a verified practitioner, a reason, not already in the team);
there is one pending request per practitioner and client. The current lead professional decides or, in a
team without a lead, any current member. Approval starts the involvement through ``involvement_start``
(there is one way an involvement starts); a decline keeps its note. Every step is audited, and the people
concerned are told through the notification centre (and by email as each prefers): a link, no client personal data.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Client, Involvement, JoinRequest
from core.clients.selectors import team_deciders
from core.clients.services import involvement_start
from core.directory.models import Practitioner
from core.governance.selectors import rules_current
from core.governance.visibility import CONFIDENTIAL_SERVICE, Policy
from core.inbox.models import NoticeKind
from core.inbox.services.notices import notices_send

NOTE_MAX_LENGTH = 300
ALREADY_ASKED = "You have already asked to join this team: the lead professional has not decided yet."


def join_deciders(client: Client | object) -> list[Practitioner]:
    """Who decides on a request to join the team: its current lead professional, or every current member
    when it has none."""
    current = list(
        Involvement.objects.filter(client=client, ended_on__isnull=True)
        .select_related("practitioner__user", "practitioner__agency")
        .order_by("started_on", "pk")
    )
    return team_deciders(current)


def join_request_pending(*, viewer: Practitioner, client_id: object) -> JoinRequest | None:
    """The viewer's own request to join this client's team, if one is waiting."""
    return JoinRequest.objects.filter(
        client_id=client_id, practitioner=viewer, decision=JoinRequest.Decision.PENDING
    ).first()


def join_needs_approval() -> bool:
    return rules_current().join_needs_lead_approval


def _link(request: JoinRequest) -> str:
    return reverse("client-join-request", kwargs={"client_id": request.client_id, "request_id": request.pk})


@transaction.atomic
def join_request_create(*, viewer: Practitioner, client: Client, role: str, reason: str, origin: Origin) -> JoinRequest:
    """Ask to join ``client``'s team. The lead professional (or, without one, the team) is told, with a link.

    Whether the viewer may reach the client at all (a recent search hit, an invitation) is the caller's
    check, as it is for joining."""
    if viewer.verified_at is None:
        raise PermissionDenied("Your agency manager has not verified your account yet.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are joining this team."})
    if len(reason) > JoinRequest._meta.get_field("reason").max_length:
        raise ValidationError({"reason": "The reason must be 300 characters or fewer."})
    # Requests and joins for one team take turns on the client's row, as joining does.
    Client.objects.select_for_update(no_key=True).filter(pk=client.pk).values_list("pk", flat=True).first()
    if Involvement.objects.filter(client=client, practitioner=viewer, ended_on__isnull=True).exists():
        raise ValidationError({"role": "You are already in this team."})
    if join_request_pending(viewer=viewer, client_id=client.pk) is not None:
        raise ValidationError({"reason": ALREADY_ASKED})
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                client=client, practitioner=viewer, role=role.strip()[:120], reason=reason
            )
    except IntegrityError as error:  # the database's own guard: one pending request per person and client
        raise ValidationError({"reason": ALREADY_ASKED}) from error
    audit_record(
        action=AuditAction.JOIN_REQUESTED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="client",
        object_id=client.pk,
        reason=reason,
    )
    deciders = join_deciders(client)
    asker = Practitioner.objects.select_related("user", "agency").get(pk=viewer.pk)
    by_sentence: dict[str, list[User]] = {}
    rules = rules_current()
    for decider in deciders:
        who = Policy(viewer=decider, rules=rules).practitioner_named(asker) or CONFIDENTIAL_SERVICE
        by_sentence.setdefault(
            f"{who} asks to join the team around one of your clients. The council asks the lead professional to "
            "decide.",
            [],
        ).append(decider.user)
    for sentence, recipients in by_sentence.items():
        notices_send(
            recipients=recipients,
            kind=NoticeKind.JOIN_REQUEST,
            text=sentence,
            link=_link(request),
            subject="A request to join one of your teams",
            origin=origin,
            client_id=client.pk,
        )
    return request


def join_request_may_decide(*, viewer: Practitioner, request: JoinRequest) -> bool:
    return any(decider.pk == viewer.pk for decider in join_deciders(request.client_id))


@transaction.atomic
def join_request_decide(
    *, actor: Practitioner, request: JoinRequest, approve: bool, note: str, origin: Origin
) -> JoinRequest:
    """Approve or decline a pending request. Only the team's current lead professional, or any current
    member when it has none. Approval starts the asker's involvement; the asker is told the decision."""
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"The note must be {NOTE_MAX_LENGTH} characters or fewer."})
    Client.objects.select_for_update(no_key=True).filter(pk=request.client_id).values_list("pk", flat=True).first()
    request = (
        JoinRequest.objects.select_for_update(of=("self",)).select_related("practitioner__user").get(pk=request.pk)
    )
    if not join_request_may_decide(viewer=actor, request=request):
        raise PermissionDenied("Only the lead professional decides who joins this team.")
    if request.decision != JoinRequest.Decision.PENDING:
        raise ValidationError({"decision": "This request has already been decided."})
    asker = request.practitioner
    if approve:
        client = Client.objects.only("pk").get(pk=request.client_id)
        if not Involvement.objects.filter(client=client, practitioner=asker, ended_on__isnull=True).exists():
            try:
                involvement_start(
                    viewer=asker,
                    client=client,
                    role=request.role,
                    reason=request.reason,
                    origin=origin,
                    approved_by=actor,
                )
            except PermissionDenied as error:  # the asker is no longer verified
                raise ValidationError(
                    {"decision": f"{asker.user.full_name} cannot join: their account is not verified."}
                ) from error
    request.decision = JoinRequest.Decision.APPROVED if approve else JoinRequest.Decision.DECLINED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action=AuditAction.JOIN_APPROVED if approve else AuditAction.JOIN_DECLINED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=request.client_id,
        reason=note,
        changes={
            "decision": {"old": "pending", "new": request.decision},
            "asked_by": {"old": None, "new": str(asker.pk)},
        },
    )
    if approve:
        link = reverse("client-team", kwargs={"client_id": request.client_id})
        text = "Your request to join a client's team was approved: you are now in the team."
        subject = "Your request to join a team was approved"
    else:
        link = reverse("home")
        said = f' The lead professional\'s note: "{note}"' if note else ""
        text = f"Your request to join a client's team was declined.{said}"
        subject = "Your request to join a team was declined"
    notices_send(
        recipients=[asker.user],
        kind=NoticeKind.JOIN_REQUEST,
        text=text,
        link=link,
        subject=subject,
        origin=origin,
        client_id=request.client_id,
    )
    return request
