"""Council administration of agencies: create, edit, approve and suspend, each change audited.

Only council administrators do any of it; anyone else is refused (recorded) and told the agency does
not exist. Two rules are checked here, not in a form, so that every caller (a page, a command, a
future bulk import) meets them:

* **email domains** are domain names, kept lower-cased, and each belongs to one agency of the
  council at most. A domain shared by several organisations (nhs.net, a council's own domain) is
  therefore refused for the second agency, with the first one named: the invitation and team rules
  (``core.clients.services._agency_of_work_email``) would cope with a shared domain, but nothing yet
  lets an administrator say that a sharing is intended, so for now there is no exception.
* a **sensitive** agency has a gateway contact (the database holds it too, as a check constraint).

Approval follows ``TRANSITIONS``: a new agency awaits approval, is approved, may be suspended and
approved again. Suspending ends every session of the agency's practitioners at once, and the
password step refuses them from then on (``agency_not_in_use_refusal``).
"""

import re
from dataclasses import dataclass, field, fields

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django_tenants.utils import get_public_schema_name

from core.accounts.models import User
from core.accounts.services.sessions import user_sessions_end_all
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Agency, AgencyType, ApprovalState, Practitioner

# Which approval states an agency may move to from each state, and the audit action of each move.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ApprovalState.PENDING: (ApprovalState.APPROVED,),
    ApprovalState.APPROVED: (ApprovalState.SUSPENDED,),
    ApprovalState.SUSPENDED: (ApprovalState.APPROVED,),
}
TRANSITION_ACTIONS = {
    ApprovalState.APPROVED: AuditAction.AGENCY_APPROVED,
    ApprovalState.SUSPENDED: AuditAction.AGENCY_SUSPENDED,
}

DOMAIN_NAME = re.compile(r"(?=.{4,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# Serialises the check-then-write of email domains: no constraint can say "no element of this array is in
# another row's array", so two administrators saving the same domain at once take turns here.
DOMAINS_LOCK = "select pg_advisory_xact_lock(hashtext('patchwork.agency_email_domains'))"


class FieldErrors:
    """Every problem found, by field, raised together so that the page lists them all at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


@dataclass(frozen=True)
class AgencyDetails:
    """What an administrator says about an agency (everything but its approval state)."""

    name: str
    agency_type: str
    services: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    email_domains: list[str] = field(default_factory=list)
    is_sensitive: bool = False
    gateway_contact: str = ""


DETAIL_FIELDS = tuple(detail.name for detail in fields(AgencyDetails))


def agency_allowed_transitions(agency: Agency) -> tuple[str, ...]:
    return TRANSITIONS.get(agency.approval_state, ())


def email_domains_cleaned(domains: list[str]) -> list[str]:
    """Lower-cased, without surrounding spaces or an "@", each once, in the order given."""
    cleaned: list[str] = []
    for domain in domains:
        domain = domain.strip().lower().removeprefix("@").rstrip(".")
        if domain and domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _details_check(*, details: AgencyDetails, agency: Agency | None) -> AgencyDetails:
    """The details as they will be stored, or a ValidationError naming each field that is wrong."""
    errors = FieldErrors()
    name = details.name.strip()
    domains = email_domains_cleaned(details.email_domains)
    gateway = details.gateway_contact.strip()
    others = Agency.objects.exclude(pk=agency.pk) if agency is not None else Agency.objects.all()
    if not name:
        errors.add("name", "Enter the agency's name")
    elif others.filter(name__iexact=name).exists():
        errors.add("name", f"An agency called {name} already exists")
    if details.agency_type not in AgencyType.values:
        errors.add("agency_type", "Select the type of agency")
    for domain in domains:
        if not DOMAIN_NAME.fullmatch(domain):
            errors.add("email_domains", f"{domain} is not a domain name: enter one like agency.example")
    if domains:
        connection.cursor().execute(DOMAINS_LOCK)
        for other in others.filter(email_domains__overlap=domains).order_by("name"):
            for domain in sorted(set(domains) & {taken.lower() for taken in other.email_domains}):
                errors.add("email_domains", f"{domain} is already an email domain of {other.name}")
    if details.is_sensitive and not gateway:
        errors.add("gateway_contact", "Enter a gateway contact: a sensitive agency must have one")
    errors.raise_if_any()
    return AgencyDetails(
        name=name,
        agency_type=details.agency_type,
        services=details.services.strip(),
        contact_email=details.contact_email.strip().lower(),
        contact_phone=details.contact_phone.strip(),
        email_domains=domains,
        is_sensitive=details.is_sensitive,
        gateway_contact=gateway,
    )


def _administrator_check(*, actor: Practitioner, origin: Origin, agency_id: object = "") -> None:
    """Council administrators only; anyone else is recorded and told there is no such agency."""
    if not actor.is_council_admin or not actor.user.is_active:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=actor.user_id,
            object_type="agency",
            object_id=agency_id,
            reason="only council administrators look after agencies",
        )
        raise Http404("No such agency.")


def agency_create(*, actor: Practitioner, details: AgencyDetails, origin: Origin) -> Agency:
    """A new agency, awaiting approval."""
    _administrator_check(actor=actor, origin=origin)  # outside the transaction: the refusal stays recorded
    with transaction.atomic():
        return _agency_create(actor=actor, details=details, origin=origin)


def _agency_create(*, actor: Practitioner, details: AgencyDetails, origin: Origin) -> Agency:
    clean = _details_check(details=details, agency=None)
    agency = Agency.objects.create(**{name: getattr(clean, name) for name in DETAIL_FIELDS})
    audit_record(
        action=AuditAction.AGENCY_CREATED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="agency",
        object_id=agency.pk,
        changes={name: {"old": None, "new": getattr(clean, name)} for name in DETAIL_FIELDS},
    )
    return agency


def council_own_agency_ensure(*, name: str, email_domain: str, origin: Origin) -> Agency:
    """The council's own agency (statutory, approved), for its first administrator: made once, by provisioning.

    Found by its name if it exists already (provisioning run again); otherwise created with the one
    email domain given, and recorded with no actor (the platform made it). No administrator exists
    yet to approve it, so it is approved from the start.
    """
    with transaction.atomic():
        existing = Agency.objects.filter(name__iexact=name.strip()).first()
        if existing is not None:
            return existing
        clean = _details_check(
            details=AgencyDetails(name=name, agency_type=AgencyType.STATUTORY, email_domains=[email_domain]),
            agency=None,
        )
        agency = Agency.objects.create(
            **{detail: getattr(clean, detail) for detail in DETAIL_FIELDS}, approval_state=ApprovalState.APPROVED
        )
        audit_record(
            action=AuditAction.AGENCY_CREATED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            object_type="agency",
            object_id=agency.pk,
            reason="the council's own agency, made when the council was provisioned",
            changes={detail: {"old": None, "new": getattr(clean, detail)} for detail in DETAIL_FIELDS}
            | {"approval_state": {"old": None, "new": ApprovalState.APPROVED}},
        )
        return agency


def agency_update(*, actor: Practitioner, agency: Agency, details: AgencyDetails, origin: Origin) -> list[str]:
    """Change an agency's details. Returns the fields that changed (none: nothing is written or recorded)."""
    _administrator_check(actor=actor, origin=origin, agency_id=agency.pk)
    with transaction.atomic():
        return _agency_update(actor=actor, agency=agency, details=details, origin=origin)


def _agency_update(*, actor: Practitioner, agency: Agency, details: AgencyDetails, origin: Origin) -> list[str]:
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    clean = _details_check(details=details, agency=agency)
    changes = {
        name: {"old": getattr(agency, name), "new": getattr(clean, name)}
        for name in DETAIL_FIELDS
        if getattr(agency, name) != getattr(clean, name)
    }
    if not changes:
        return []
    for name in changes:
        setattr(agency, name, getattr(clean, name))
    agency.save(update_fields=list(changes))
    audit_record(
        action=AuditAction.AGENCY_UPDATED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="agency",
        object_id=agency.pk,
        changes=changes,
    )
    return list(changes)


def agency_transition(*, actor: Practitioner, agency: Agency, to_state: str, reason: str, origin: Origin) -> Agency:
    """Approve or suspend an agency, with the reason recorded. Only ``TRANSITIONS`` are allowed.

    Suspending signs every practitioner of the agency out at once; approving again lets them sign in afresh.
    """
    _administrator_check(actor=actor, origin=origin, agency_id=agency.pk)
    with transaction.atomic():
        return _agency_transition(actor=actor, agency=agency, to_state=to_state, reason=reason, origin=origin)


def _agency_transition(*, actor: Practitioner, agency: Agency, to_state: str, reason: str, origin: Origin) -> Agency:
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    reason = reason.strip()
    errors = FieldErrors()
    if to_state not in agency_allowed_transitions(agency):
        errors.add("reason", f"{agency.name} cannot be {ApprovalState(to_state).label.lower()} now")
    elif not reason:
        errors.add("reason", "Enter the reason")
    errors.raise_if_any()
    before = agency.approval_state
    agency.approval_state = to_state
    agency.save(update_fields=["approval_state"])
    ended = 0
    if to_state == ApprovalState.SUSPENDED:
        for user in User.objects.filter(practitioner__agency=agency):
            ended += user_sessions_end_all(user=user)
    audit_record(
        action=TRANSITION_ACTIONS[to_state],
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="agency",
        object_id=agency.pk,
        reason=f"{reason} ({ended} sessions ended)" if to_state == ApprovalState.SUSPENDED else reason,
        changes={"approval_state": {"old": before, "new": to_state}},
    )
    return agency


def agency_not_in_use_refusal(user: User) -> str | None:
    """Why ``user`` may not sign in, if their agency is suspended or not yet approved (registered with the
    sign-in service).

    Platform staff sign in on the platform's site, where there are no agencies: nothing to ask there."""
    if connection.schema_name == get_public_schema_name():
        return None
    state = Practitioner.objects.filter(user_id=user.pk).values_list("agency__approval_state", flat=True).first()
    if state == ApprovalState.SUSPENDED:
        return "agency suspended"
    if state == ApprovalState.PENDING:  # not yet approved by the council: nobody of it uses Patchwork
        return "agency not approved"
    return None
