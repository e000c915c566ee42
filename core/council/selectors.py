"""Reads of the council's setting up: the checklist before going live, the agreements, the banners."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from core.council.models import GOVERNANCE_ROW, CouncilGovernance, DataSharingAgreement
from core.directory.models import Agency, ApprovalState, Practitioner
from core.governance.models import LegalBasis
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


def privacy_officer_candidates(*, query: str) -> list[Practitioner]:
    """Active practitioners of approved agencies matching ``query`` (name or work email), at most
    ``PRACTITIONER_SEARCH_LIMIT``; none for fewer than two characters."""
    query = query.strip()
    if len(query) < 2:
        return []
    matching = Q()
    for word in query.split()[:4]:
        matching &= (
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    return list(
        Practitioner.objects.filter(matching, user__is_active=True, agency__approval_state=ApprovalState.APPROVED)
        .exclude(is_privacy_officer=True)
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name")[:PRACTITIONER_SEARCH_LIMIT]
    )


def setting_up_by(*, council: Council | None, user: object) -> bool:
    """Whether ``user`` is an administrator of ``council`` while it is configuring (their home is the checklist)."""
    if council is None or council.status != CouncilStatus.CONFIGURING:
        return False
    return Practitioner.objects.filter(user_id=getattr(user, "pk", None), is_council_admin=True).exists()
