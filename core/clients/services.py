"""Every change to clients and teams: atomic, audited, recorded as team activity, and the team told.

The team is told through the notification centre (a notice each, and an email as each prefers); notices and
emails carry no client personal data: what kind of change, and a link to the team page. An invitation to join
a team, which may go to someone with no account yet, stays a plain email.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.consent import ConsentValues, consent_cover, consent_record
from core.clients.dates_of_birth import date_of_birth_check
from core.clients.identifiers import IDENTIFIER_FIELDS, identifier_clean
from core.clients.models import Client, Consent, Involvement, TeamActivity, TeamInvitation
from core.clients.postcodes import council_jurisdiction, postcode_clean
from core.clients.selectors import invite_candidates
from core.directory.models import Agency, ApprovalState, Practitioner
from core.directory.services.invitations_rules import email_domain_allowed
from core.governance.models import LegalBasis
from core.governance.selectors import rules_current
from core.governance.visibility import Detail, Policy, policy_for
from core.inbox.models import NoticeKind
from core.inbox.services.notices import notices_send
from core.notifications.services.outbox import notification_queue


@dataclass(frozen=True)
class NewClient:
    first_name: str
    surname: str
    date_of_birth: datetime.date | None
    postcode: str
    legal_basis: LegalBasis
    address_line: str = ""
    town: str = ""
    nhs_number: str = ""
    unique_pupil_number: str = ""
    victorian_student_number: str = ""
    local_case_id: str = ""
    consent_given_by: str = ""
    consent_given_on: datetime.date | None = None


def _require_verified(viewer: Practitioner) -> None:
    if viewer.verified_at is None:
        raise PermissionDenied("Your agency manager has not verified your account yet.")


def _tell_team(*, client: Client, actor: Practitioner, what: str, origin: Origin) -> None:
    """Tell the rest of the current team, in the app and by email as each prefers: one full sentence of what
    happened, e.g. "Amy Collier (Staffordshire Children's Services) joined the team around one of your clients.".
    ``what`` follows the name ("joined the team around one of your clients"). Each recipient is told who
    through the visibility policy (a sensitive agency's practitioner is never named to outsiders, and those
    it hides them from are not told at all), so recipients may get different sentences. No client data in
    the notice or the email: the link leads to the team page. As many queries for a team of 50 as of 5: one
    notice-and-email write per different sentence, and there are only as many sentences as ways to name the actor.
    """
    others = list(
        Involvement.objects.filter(client=client, ended_on__isnull=True)
        .exclude(practitioner=actor)
        .select_related("practitioner__user", "practitioner__agency")
    )
    if not others:
        return
    actor = Practitioner.objects.select_related("user", "agency").get(pk=actor.pk)
    link = reverse("client-team", kwargs={"client_id": client.pk})
    rules = rules_current()
    consent = consent_cover(client)
    by_sentence: dict[str, list[User]] = {}
    for involvement in others:
        who = Policy(viewer=involvement.practitioner, rules=rules).practitioner_named(actor, consent)
        if who is None:  # the policy hides the actor from this member: nothing to tell them
            continue
        by_sentence.setdefault(f"{who} {what}.", []).append(involvement.practitioner.user)
    for sentence, recipients in by_sentence.items():
        notices_send(
            recipients=recipients,
            kind=NoticeKind.TEAM_CHANGE,
            text=sentence,
            link=link,
            subject="A change in one of your teams",
            origin=origin,
            client_id=client.pk,
        )


@transaction.atomic
def client_create(*, viewer: Practitioner, data: NewClient, role: str, origin: Origin) -> Client:
    """Add a client (after a search found no match) with the viewer as the first member of the team."""
    _require_verified(viewer)
    basis = data.legal_basis
    if not basis.is_accepted:
        raise ValidationError({"legal_basis": "The council does not accept this basis for new records."})
    if basis.requires_consent and not (data.consent_given_by.strip() and data.consent_given_on):
        raise ValidationError({"consent_given_by": "Say who gave consent, and when."})
    if data.consent_given_on and data.consent_given_on > timezone.localdate():
        raise ValidationError({"consent_given_on": "Consent cannot be given in the future."})
    # The identifying details pass the same checks as a correction: the council's postcodes, a date of
    # birth neither in the future nor over 120 years ago, the council's identifiers with their check digits.
    identity = _identifying_values({name: getattr(data, name) for name in IDENTIFYING_FIELDS})
    client = Client(
        **identity,
        legal_basis=basis,
        consent_given_by=data.consent_given_by.strip(),
        consent_given_on=data.consent_given_on,
        created_by=viewer,
    )
    client.full_clean(validate_unique=False, validate_constraints=False)  # the model's own rules, as a last guard
    client.save(force_insert=True)
    Involvement.objects.create(
        client=client,
        practitioner=viewer,
        role=role.strip(),
        started_on=timezone.localdate(),
        join_reason="Added the client",
    )
    TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.CLIENT_ADDED, actor=viewer)
    audit_record(
        action=AuditAction.CLIENT_ADDED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="client",
        object_id=client.pk,
        reason=f"legal basis {basis.code}",
    )
    if basis.requires_consent:  # the consent the basis rests on, as a consent record covering every service
        consent_record(
            actor=viewer,
            client=client,
            values=ConsentValues(
                given_by=data.consent_given_by,
                relationship=Consent.Relationship.OTHER,
                given_on=data.consent_given_on,
                evidence="Recorded when the client was added",
            ),
            origin=origin,
        )
    return client


class JoinApprovalNeeded(PermissionDenied):
    """The council's rules want the lead professional's approval before anyone joins a team: ask instead
    (core/clients/joining.py)."""

    def __init__(self) -> None:
        super().__init__("The council needs the lead professional's approval before you join this team: ask to join.")


@transaction.atomic
def involvement_start(
    *,
    viewer: Practitioner,
    client: Client,
    role: str,
    reason: str,
    origin: Origin,
    approved_by: Practitioner | None = None,
) -> Involvement:
    """Join a client's team, with a reason. The team is told. The one way an involvement starts after the
    client is added: where the council's rules want the lead professional's approval, only with it
    (``approved_by``, given by core/clients/joining.py ``join_request_decide``)."""
    _require_verified(viewer)
    if approved_by is None and rules_current().join_needs_lead_approval:
        raise JoinApprovalNeeded
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are joining this team."})
    # Joins to one team take turns (the client's row is the turnstile), so the check below sees any join
    # committed a moment ago: a second, simultaneous join by the same person is told, never a server error.
    Client.objects.select_for_update(no_key=True).filter(pk=client.pk).values_list("pk", flat=True).first()
    if Involvement.objects.filter(client=client, practitioner=viewer, ended_on__isnull=True).exists():
        raise ValidationError({"role": "You are already in this team."})
    try:
        with transaction.atomic():
            involvement = Involvement.objects.create(
                client=client,
                practitioner=viewer,
                role=role.strip(),
                started_on=timezone.localdate(),
                join_reason=reason.strip()[:300],
            )
    except IntegrityError as error:  # the database's own guard: one current involvement per person and client
        raise ValidationError({"role": "You are already in this team."}) from error
    TeamInvitation.objects.filter(
        Q(invitee=viewer) | Q(invitee__isnull=True, invitee_email__iexact=viewer.user.email),
        client=client,
        answered_at__isnull=True,
    ).update(answered_at=timezone.now())
    TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.JOINED, actor=viewer)
    audit_record(
        action=AuditAction.INVOLVEMENT_STARTED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="client",
        object_id=client.pk,
        reason=reason.strip()[:300],
    )
    _tell_team(client=client, actor=viewer, what="joined the team around one of your clients", origin=origin)
    return involvement


def _own_current(viewer: Practitioner, involvement: Involvement) -> None:
    if involvement.practitioner_id != viewer.pk or involvement.ended_on is not None:
        raise PermissionDenied("You can change only your own current involvement.")


@transaction.atomic
def involvement_update(
    *,
    viewer: Practitioner,
    involvement: Involvement,
    role: str,
    is_lead: bool,
    last_contact_on: datetime.date | None,
    next_contact_on: datetime.date | None,
    origin: Origin,
) -> Involvement:
    """Keep my involvement current: role, lead professional, last and next contact."""
    _own_current(viewer, involvement)
    today = timezone.localdate()
    if last_contact_on and last_contact_on != involvement.last_contact_on and last_contact_on > today:
        raise ValidationError({"last_contact_on": "The last contact cannot be in the future."})
    if last_contact_on and last_contact_on < involvement.started_on:
        raise ValidationError({"last_contact_on": "The last contact cannot be before you joined the team."})
    if next_contact_on and next_contact_on != involvement.next_contact_on and next_contact_on < today:
        raise ValidationError({"next_contact_on": "The next contact must be today or later."})
    became_lead = is_lead and not involvement.is_lead
    if became_lead:  # one lead professional at a time: the previous lead steps down
        Involvement.objects.filter(client_id=involvement.client_id, ended_on__isnull=True, is_lead=True).update(
            is_lead=False
        )
    involvement.role = role.strip() or involvement.role
    involvement.is_lead = is_lead
    involvement.last_contact_on = last_contact_on
    involvement.next_contact_on = next_contact_on
    try:
        with transaction.atomic():
            involvement.save(update_fields=["role", "is_lead", "last_contact_on", "next_contact_on", "updated_at"])
    except IntegrityError as error:  # another lead was set at the same moment
        raise ValidationError({"is_lead": "Someone else has just become lead professional. Try again."}) from error
    kind = TeamActivity.Kind.LEAD_CHANGED if became_lead else TeamActivity.Kind.UPDATED
    TeamActivity.objects.create(client_id=involvement.client_id, kind=kind, actor=viewer)
    audit_record(
        action=AuditAction.INVOLVEMENT_UPDATED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="involvement",
        object_id=involvement.pk,
        reason="became lead" if became_lead else "",
    )
    if became_lead:
        _tell_team(
            client=involvement.client,
            actor=viewer,
            what="became the lead professional in the team around one of your clients",
            origin=origin,
        )
    return involvement


@transaction.atomic
def involvement_end(*, viewer: Practitioner, involvement: Involvement, origin: Origin) -> Involvement:
    """End my involvement: I become "previously involved" and no longer see the team."""
    _own_current(viewer, involvement)
    involvement.ended_on = max(timezone.localdate(), involvement.started_on)
    involvement.is_lead = False
    involvement.next_contact_on = None
    involvement.save(update_fields=["ended_on", "is_lead", "next_contact_on", "updated_at"])
    TeamActivity.objects.create(client_id=involvement.client_id, kind=TeamActivity.Kind.LEFT, actor=viewer)
    audit_record(
        action=AuditAction.INVOLVEMENT_ENDED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="involvement",
        object_id=involvement.pk,
    )
    _tell_team(client=involvement.client, actor=viewer, what="left the team around one of your clients", origin=origin)
    return involvement


def _agency_of_work_email(*, email: str, inviter: Practitioner) -> Agency | None:
    """The approved agency of the council a work email belongs to, or None if it is none of them.

    When the domain is shared (nhs.net, a council's own domain), the person may be at any of those
    agencies: it counts as the inviter's own only if no other approved agency uses it.
    """
    matching = [
        agency
        for agency in Agency.objects.filter(approval_state=ApprovalState.APPROVED)
        if email_domain_allowed(agency=agency, email=email)
    ]
    others = [agency for agency in matching if agency.pk != inviter.agency_id]
    return others[0] if others else (matching[0] if matching else None)


def _team_invitation_sentence(*, inviter: Practitioner, invitee_agency: Agency, client: Client) -> str:
    """Who invited whom, as the visibility policy lets the invitee see the inviter: named, "a practitioner
    at a confidential service", or — when the policy hides the inviter from them — not mentioned at all."""
    seen_from = Practitioner(agency=invitee_agency)  # the invitee, as the practitioner of that agency they are
    consent = consent_cover(client)
    detail = policy_for(seen_from).practitioner_detail(inviter, consent)
    if detail is Detail.HIDDEN:
        return "You have been invited to join a team around a client in Patchwork."
    if detail is Detail.PLACEHOLDER:
        who = "A practitioner at a confidential service"
    else:
        where = ", ".join(part for part in (inviter.job_title, inviter.agency.name) if part)
        who = f"{inviter.user.full_name} ({where})"
    return f"{who} has invited you to join the team around one of their clients in Patchwork."


def _refuse_a_visible_member(*, viewer: Practitioner, client: Client, email: str) -> None:
    """ "They are already in this team" — said only of a member the viewer sees in full on the team page."""
    current = (
        Involvement.objects.filter(client=client, ended_on__isnull=True, practitioner__user__email=email)
        .select_related("practitioner__agency")
        .first()
    )
    if current is None:
        return
    consent = consent_cover(client)
    if policy_for(viewer).practitioner_detail(current.practitioner, consent) is Detail.FULL:
        raise ValidationError({"email": "They are already in this team."})


@transaction.atomic
def team_invite(
    *, viewer: Practitioner, client: Client, invitee: Practitioner | None, email: str, origin: Origin
) -> TeamInvitation:
    """Ask a colleague — registered, or by work email — to join the team. Only team members invite."""
    if not Involvement.objects.filter(client=client, practitioner=viewer, ended_on__isnull=True).exists():
        raise PermissionDenied("Only members of the team can invite others to it.")
    email = email.strip().lower()
    if invitee is None and not email:
        raise ValidationError({"email": "Choose a colleague, or enter their work email."})
    candidates = invite_candidates(viewer=viewer, client_id=client.pk)
    work_agency = None
    if invitee is not None and not candidates.filter(pk=invitee.pk).exists():
        raise ValidationError({"colleague": "Choose a colleague who is not already in the team."})
    if invitee is None:  # by email: only someone at one of the council's approved agencies
        work_agency = _agency_of_work_email(email=email, inviter=viewer)
        if work_agency is None:
            council = getattr(connection.tenant, "name", "") or "the council"
            raise ValidationError({"email": f"Enter the work email of someone at one of {council}'s agencies"})
        _refuse_a_visible_member(viewer=viewer, client=client, email=email)
        # Someone the picker would offer becomes the invitee. Anyone else with that address (a confidential
        # service's worker, an account not yet verified) is invited by address only, exactly as someone with
        # no account is: what the inviter sees never tells which it was.
        invitee = candidates.filter(user__email=email).first()
    invitation = TeamInvitation.objects.create(
        client=client, invited_by=viewer, invitee=invitee, invitee_email="" if invitee else email
    )
    TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.INVITED, actor=viewer, subject=invitee)
    audit_record(
        action=AuditAction.TEAM_INVITATION_SENT,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=viewer.user_id,
        object_type="client",
        object_id=client.pk,
    )
    address = invitee.user.email if invitee else email
    sentence = _team_invitation_sentence(
        inviter=viewer, invitee_agency=invitee.agency if invitee else work_agency, client=client
    )
    if invitee:
        link = origin.absolute_url(reverse("client-join", kwargs={"client_id": client.pk}))
        body = f"{sentence}\n\nTo see the invitation and join the team, sign in and open:\n{link}\n"
    else:
        body = (
            f"{sentence}\n\nSign in to Patchwork at {origin.host}: the invitation will be waiting on your home page. "
            "If you do not have an account there yet, ask your agency's manager to invite you.\n"
        )
    notification_queue(to=[address], subject="You are invited to join a team", body=body)
    return invitation


# The details that identify a client, checked alike when a client is added and when they are corrected. A team
# member may correct these: not the legal basis or consent.
IDENTIFYING_FIELDS = CORRECTABLE_FIELDS = (
    "first_name",
    "surname",
    "date_of_birth",
    "postcode",
    "address_line",
    "town",
    "nhs_number",
    "unique_pupil_number",
    "victorian_student_number",
    "local_case_id",
)
_REQUIRED = {"first_name": "Enter their first name", "surname": "Enter their surname"}


def _identifying_value(name: str, value: object) -> object:
    """One identifying field's value, tidied and checked; ``ValidationError`` (on that field) if not valid."""
    if name == "date_of_birth":
        if not isinstance(value, datetime.date):
            raise ValidationError({name: "Enter their date of birth"})
        return date_of_birth_check(value)
    text = str(value or "").strip()
    if name in _REQUIRED and not text:
        raise ValidationError({name: _REQUIRED[name]})
    if name == "postcode":
        return postcode_clean(text)
    if name in IDENTIFIER_FIELDS:
        try:
            return identifier_clean(name, text, jurisdiction=council_jurisdiction())
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from error
    limit = Client._meta.get_field(name).max_length
    if limit and len(text) > limit:
        raise ValidationError({name: f"Enter no more than {limit} characters"})
    return text


def _identifying_values(values: dict[str, object]) -> dict[str, object]:
    """Every value tidied and checked; one ``ValidationError`` naming each field that is not valid."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, object] = {}
    for name, value in values.items():
        try:
            cleaned[name] = _identifying_value(name, value)
        except ValidationError as error:
            messages = error.message_dict.get(name, error.messages) if hasattr(error, "error_dict") else error.messages
            errors[name] = messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _as_audited(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


@transaction.atomic
def client_correct(*, actor: Practitioner, client: Client, changes: dict[str, object], origin: Origin) -> list[str]:
    """Correct a client's details: only a member of the client's current team. Returns the fields that changed.

    Checked as adding a client is checked. The team's activity says that the details were corrected (never how);
    the old and new values are personal data, so they go to one audit row and nowhere else.
    """
    if not Involvement.objects.filter(client=client, practitioner=actor, ended_on__isnull=True).exists():
        raise PermissionDenied("Only members of the team can correct the client's details.")
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be corrected here."))
    cleaned = _identifying_values(changes)
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = {
        name: {"old": _as_audited(getattr(client, name)), "new": _as_audited(value)}
        for name, value in cleaned.items()
        if getattr(client, name) != value
    }
    if not changed:
        return []
    for name in changed:
        setattr(client, name, cleaned[name])
    # The model's own rules on what changed (a value recorded before a rule existed does not block a correction).
    unchanged = [field.name for field in Client._meta.concrete_fields if field.name not in changed]
    client.full_clean(exclude=unchanged, validate_unique=False, validate_constraints=False)
    client.save(update_fields=[*changed, "updated_at"])
    TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.CORRECTED, actor=actor)
    audit_record(
        action=AuditAction.CLIENT_CORRECTED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="client",
        object_id=client.pk,
        reason="corrected: " + ", ".join(changed),
        changes=changed,
    )
    return list(changed)
