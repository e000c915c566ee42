"""Changing the council's rulebook: every change is a new version (who, when, why), in force at once and
audited. Only a council administrator changes it; the bounds are the code's (core/governance/rules.py)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Agency, Practitioner
from core.governance.models import RulebookVersion
from core.governance.rules import (
    FAMILY_TEAMS_LABELS,
    RETENTION_KIND_LABELS,
    SEARCH_MINIMUM_LABELS,
    RetentionKind,
    Rules,
    RulesError,
    SensitiveService,
)
from core.governance.selectors import rules_current

REASON_MAX_LENGTH = 300


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def rules_changes_described(old: Rules, new: Rules) -> list[str]:
    """What changed between two rule sets, in words an administrator and a privacy officer read."""
    changes: list[str] = []
    names = dict(Agency.objects.values_list("pk", "name"))

    def agency_name(agency_id: str) -> str:
        return next((name for pk, name in names.items() if str(pk) == agency_id), "an agency no longer listed")

    for agency_id in sorted(set(old.sensitive_services) | set(new.sensitive_services)):
        before, after = old.sensitive_service(agency_id), new.sensitive_service(agency_id)
        if before.mode != after.mode:
            changes.append(f"{agency_name(agency_id)}: shown to others as {after.mode} (was {before.mode})")
        if before.seen_in_full_by != after.seen_in_full_by:
            listed = sorted(agency_name(other) for other in after.seen_in_full_by) or ["no other agency"]
            changes.append(f"{agency_name(agency_id)}: seen in full by {', '.join(listed)}")
    simple = (
        ("search_minimum", "Search minimum", lambda value: SEARCH_MINIMUM_LABELS[value]),
        ("result_cap", "Most results a search shows", str),
        ("searches_per_hour", "Searches per practitioner per hour", str),
        ("join_needs_lead_approval", "Joining a team needs the lead professional's approval", _yes_no),
        ("family_teams", "The teams around the family", lambda value: FAMILY_TEAMS_LABELS[value]),
        ("break_glass_minutes", "Break-glass access lasts (minutes)", str),
    )
    for name, label, shown in simple:
        if getattr(old, name) != getattr(new, name):
            changes.append(f"{label}: {shown(getattr(new, name))} (was {shown(getattr(old, name))})")
    if old.break_glass_roles != new.break_glass_roles:
        roles = ", ".join(role.name for role in new.break_glass_roles) or "none"
        changes.append(f"Break-glass roles: {roles}")
    if old.break_glass_reasons != new.break_glass_reasons:
        changes.append(f"Break-glass reasons: {'; '.join(new.break_glass_reasons)}")
    alert_labels = (
        ("searches_without_involvement", "Alert: searches in a day none of which led to joining a team"),
        ("burst_searches", "Alert: searches within ten minutes"),
        ("distinct_clients_viewed", "Alert: different clients' teams viewed in a day"),
        ("out_of_hours_searches", "Alert: searches in a day outside the working day"),
        ("working_day_starts", "The working day starts at"),
        ("working_day_ends", "The working day ends at"),
    )
    for name, label in alert_labels:
        before, after = getattr(old.alerts, name), getattr(new.alerts, name)
        if before != after:
            changes.append(f"{label}: {_shown(after)} (was {_shown(before)})")
    if old.retention != new.retention:
        if new.retention is None:
            changes.append("Retention: the jurisdiction's defaults")
        else:
            for kind in RetentionKind:
                before_years = "the default" if old.retention is None else f"{old.retention.years(kind)} years"
                changes.append(
                    f"Retention, {RETENTION_KIND_LABELS[kind].lower()}: {new.retention.years(kind)} years "
                    f"(was {before_years})"
                )
    if old.still_involved != new.still_involved:
        after, before = new.still_involved, old.still_involved
        if after is None:
            changes.append("Still involved?: the jurisdiction's default")
        else:
            labels = (
                ("after_days", "Ask whether still involved after this many days without contact"),
                ("reminder_days", "Remind, then tell the lead professional, after this many days without an answer"),
            )
            for name, label in labels:
                was = "the default" if before is None else getattr(before, name)
                if before is None or getattr(before, name) != getattr(after, name):
                    changes.append(f"{label}: {getattr(after, name)} (was {was})")
    return changes


def _shown(value: object) -> str:
    return value.strftime("%H:%M") if isinstance(value, datetime.time) else str(value)


def rulebook_revise(*, actor: Practitioner, rules: Rules, reason: str, origin: Origin) -> RulebookVersion:
    """Put ``rules`` in force as the next version. Raises PermissionDenied for anyone but a council
    administrator, ValidationError without a reason or when nothing changed."""
    if not actor.is_council_admin:
        raise PermissionDenied("Only a council administrator can change the council's rules.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the rules are changing: it is kept with this version"})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"The reason must be {REASON_MAX_LENGTH} characters or fewer"})
    try:
        stored = Rules.from_json(rules.to_json())  # what will be read back is what was checked
    except RulesError as error:
        raise ValidationError({error.field: str(error)}) from error
    with transaction.atomic():
        # One change at a time in this council: versions are numbered without gaps.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"rulebook:{connection.schema_name}"])
        current = rules_current()
        changes = rules_changes_described(current, stored)
        if not changes:
            raise ValidationError({"reason": "Nothing has changed: the rules in force are the same"})
        last = RulebookVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
        version = RulebookVersion.objects.create(
            number=last + 1, rules=stored.to_json(), changes=changes, reason=reason, changed_by=actor
        )
        audit_record(
            action=AuditAction.RULEBOOK_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="rulebook",
            object_id=version.number,
            reason=reason,
            changes={"rules": {"old": current.to_json(), "new": stored.to_json()}},
        )
    return version


def sensitive_service_set(
    *, actor: Practitioner, agency: Agency, service: SensitiveService, reason: str, origin: Origin
) -> RulebookVersion:
    """A new version with one sensitive agency's rule changed (the rest as in force)."""
    if not agency.is_sensitive:
        raise ValidationError({"mode": f"{agency.name} is not marked as a sensitive service"})
    if str(agency.pk) in service.seen_in_full_by:
        raise ValidationError({"seen_in_full_by": "An agency always sees its own involvements in full"})
    current = rules_current()
    services = dict(current.sensitive_services) | {str(agency.pk): service}
    return rulebook_revise(
        actor=actor, rules=current.with_changes(sensitive_services=services), reason=reason, origin=origin
    )
