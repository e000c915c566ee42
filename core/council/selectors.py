"""Reads of the council's setting up: the checklist before going live, the agreements, the banners."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from core.council.models import GOVERNANCE_ROW, CouncilGovernance, DataSharingAgreement
from core.directory.models import Agency, ApprovalState, Practitioner
from core.governance.models import LegalBasis, RulebookVersion
from core.governance.rules import (
    FAMILY_TEAMS_LABELS,
    RETENTION_KIND_LABELS,
    SEARCH_MINIMUM_LABELS,
    SENSITIVE_MODE_LABELS,
    BreakGlassRole,
    RetentionKind,
    Rules,
    StillInvolvedAsking,
)
from core.governance.selectors import (
    council_jurisdiction,
    retention_in_force,
    rules_current,
    still_involved_in_force,
)
from tenants.models import Council, CouncilStatus

MINIMUM_APPROVED_AGENCIES = 2
PRACTITIONER_SEARCH_LIMIT = 20


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    done: bool
    optional: bool = False


@dataclass(frozen=True)
class SetupChecklist:
    items: list[ChecklistItem]

    @property
    def missing(self) -> list[str]:
        """What is still to do before the council can go live, as the checklist names it."""
        return [item.title for item in self.items if not item.done and not item.optional]

    @property
    def ready(self) -> bool:
        return not self.missing


def council_governance() -> CouncilGovernance:
    """The governance row as it stands (an unsaved, empty one before anything was recorded)."""
    return CouncilGovernance.objects.filter(id=GOVERNANCE_ROW).first() or CouncilGovernance(id=GOVERNANCE_ROW)


def council_support_contact() -> str:
    """Whom practitioners contact about Patchwork (the council's profile), or "" if not given."""
    return CouncilGovernance.objects.filter(id=GOVERNANCE_ROW).values_list("support_contact", flat=True).first() or ""


def council_setup_checklist() -> SetupChecklist:
    """What must hold before the council goes live (GDPR-1), and the optional profile. A few queries."""
    governance = council_governance()
    approved = Agency.objects.filter(approval_state=ApprovalState.APPROVED).count()
    return SetupChecklist(
        items=[
            ChecklistItem("agreement", "Record the data-sharing agreement", DataSharingAgreement.objects.exists()),
            ChecklistItem("dpia", "Give the DPIA reference", bool(governance.dpia_reference)),
            ChecklistItem(
                "dpo", "Give the Data Protection Officer's contact", bool(governance.dpo_name and governance.dpo_email)
            ),
            ChecklistItem(
                "privacy_officer",
                "Appoint a privacy officer",
                Practitioner.objects.filter(is_privacy_officer=True, user__is_active=True).exists(),
            ),
            ChecklistItem(
                "agencies",
                f"Approve at least {MINIMUM_APPROVED_AGENCIES} agencies",
                approved >= MINIMUM_APPROVED_AGENCIES,
            ),
            ChecklistItem(
                "legal_bases",
                "Review the legal bases",
                governance.legal_bases_reviewed_at is not None and LegalBasis.objects.filter(is_accepted=True).exists(),
            ),
            ChecklistItem("retention", "Review the retention schedule", rules_current().retention is not None),
            ChecklistItem("profile", "Check the council's profile", bool(governance.support_contact), optional=True),
        ]
    )


def agreements_listed() -> QuerySet[DataSharingAgreement]:
    """Every agreement recorded, the one in force (the latest) first, with its parties and recorder."""
    return DataSharingAgreement.objects.select_related("recorded_by__user").prefetch_related("parties")


def agreement_current() -> DataSharingAgreement | None:
    return DataSharingAgreement.objects.order_by("-recorded_at").first()


def agreement_review_due(*, today: datetime.date) -> DataSharingAgreement | None:
    """The agreement in force, if its review date has passed."""
    current = agreement_current()
    return current if current is not None and current.review_on < today else None


def agreement_parties_offered() -> QuerySet[Agency]:
    return Agency.objects.filter(approval_state=ApprovalState.APPROVED).order_by("name")


def legal_bases_for_review() -> QuerySet[LegalBasis]:
    """Every legal basis, accepted or retired, with how many client records are held on it."""
    return LegalBasis.objects.annotate(records=Count("clients")).order_by("position", "title")


def privacy_officers() -> QuerySet[Practitioner]:
    return (
        Practitioner.objects.filter(is_privacy_officer=True)
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name")
    )


def _practitioners_matching(query: str) -> QuerySet[Practitioner] | None:
    """Active practitioners of approved agencies matching ``query`` (name or work email); None for fewer
    than two characters."""
    query = query.strip()
    if len(query) < 2:
        return None
    matching = Q()
    for word in query.split()[:4]:
        matching &= (
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    return (
        Practitioner.objects.filter(matching, user__is_active=True, agency__approval_state=ApprovalState.APPROVED)
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name")
    )


def privacy_officer_candidates(*, query: str) -> list[Practitioner]:
    """Active practitioners of approved agencies matching ``query`` (name or work email), at most
    ``PRACTITIONER_SEARCH_LIMIT``; none for fewer than two characters."""
    matching = _practitioners_matching(query)
    if matching is None:
        return []
    return list(matching.exclude(is_privacy_officer=True)[:PRACTITIONER_SEARCH_LIMIT])


def break_glass_role_candidates(*, query: str) -> list[Practitioner]:
    """Verified, active practitioners of approved agencies matching ``query``, without a role the rules in
    force know (one whose role was removed from the rulebook can be given another); at most
    ``PRACTITIONER_SEARCH_LIMIT``."""
    matching = _practitioners_matching(query)
    if matching is None:
        return []
    roles = [role.key for role in rules_current().break_glass_roles]
    return list(
        matching.filter(verified_at__isnull=False).exclude(break_glass_role__in=roles)[:PRACTITIONER_SEARCH_LIMIT]
    )


@dataclass(frozen=True)
class BreakGlassRoleHolders:
    role: BreakGlassRole
    holders: list[Practitioner]


@dataclass(frozen=True)
class BreakGlassRolesHeld:
    roles: list[BreakGlassRoleHolders]
    unmatched: list[Practitioner]  # their role is no longer in the rulebook: it opens nothing


def break_glass_roles_held(rules: Rules) -> BreakGlassRolesHeld:
    """Who holds each of the rulebook's break-glass roles, and who holds a role it no longer has. One query."""
    holders = list(
        Practitioner.objects.exclude(break_glass_role="")
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name")
    )
    keys = {role.key for role in rules.break_glass_roles}
    return BreakGlassRolesHeld(
        roles=[
            BreakGlassRoleHolders(
                role=role, holders=[person for person in holders if person.break_glass_role == role.key]
            )
            for role in rules.break_glass_roles
        ],
        unmatched=[person for person in holders if person.break_glass_role not in keys],
    )


# The rulebook, as its pages show it ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitiveServiceShown:
    agency: Agency
    mode: str
    mode_label: str
    seen_in_full_by: list[str]  # agency names


@dataclass(frozen=True)
class RulesShown:
    rules: Rules
    sensitive_services: list[SensitiveServiceShown]
    search_minimum: str
    family_teams: str
    retention: list[tuple[str, int]]  # (what, years) for each kind of record
    retention_reviewed: bool  # the council's own schedule, not yet its jurisdiction's defaults
    still_involved: StillInvolvedAsking | None = None  # the rule in force (the council's, or the default)
    still_involved_own: bool = False  # the council has set its own


def rules_shown(rules: Rules) -> RulesShown:
    """``rules`` with agencies named and choices in words, for every sensitive agency of the council. Two queries."""
    names = {str(pk): name for pk, name in Agency.objects.values_list("pk", "name")}
    jurisdiction = council_jurisdiction()
    periods = retention_in_force(rules, jurisdiction=jurisdiction)
    services = []
    for agency in Agency.objects.filter(is_sensitive=True).order_by("name"):
        rule = rules.sensitive_service(agency.pk)
        services.append(
            SensitiveServiceShown(
                agency=agency,
                mode=str(rule.mode),
                mode_label=SENSITIVE_MODE_LABELS[rule.mode],
                seen_in_full_by=sorted(
                    names.get(other, "An agency no longer listed") for other in rule.seen_in_full_by
                ),
            )
        )
    return RulesShown(
        rules=rules,
        sensitive_services=services,
        search_minimum=SEARCH_MINIMUM_LABELS[rules.search_minimum],
        family_teams=FAMILY_TEAMS_LABELS[rules.family_teams],
        retention=[(RETENTION_KIND_LABELS[kind], periods.years(kind)) for kind in RetentionKind],
        retention_reviewed=rules.retention is not None,
        still_involved=still_involved_in_force(rules, jurisdiction=jurisdiction),
        still_involved_own=rules.still_involved is not None,
    )


def sensitive_agency(agency_id: object) -> Agency | None:
    return Agency.objects.filter(pk=agency_id, is_sensitive=True).first()


def agencies_seeing_in_full_offered(agency: Agency) -> list[Agency]:
    """The approved agencies that may be listed as seeing ``agency``'s involvements in full (not itself)."""
    return list(Agency.objects.filter(approval_state=ApprovalState.APPROVED).exclude(pk=agency.pk).order_by("name"))


def rulebook_version(number: int) -> RulebookVersion | None:
    return (
        RulebookVersion.objects.select_related("changed_by__user", "changed_by__agency").filter(number=number).first()
    )


def setting_up_by(*, council: Council | None, user: object) -> bool:
    """Whether ``user`` is an administrator of ``council`` while it is configuring (their home is the checklist)."""
    if council is None or council.status != CouncilStatus.CONFIGURING:
        return False
    return Practitioner.objects.filter(user_id=getattr(user, "pk", None), is_council_admin=True).exists()
