"""What the council's pages show beyond their own content: the support contact in the footer and,
for its administrators once it is live, a banner when the data-sharing agreement is due for review.

Read lazily, only by a page that shows them, and only for people who passed both factors.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.council.models import DataSharingAgreement
from core.council.selectors import agreement_review_due, council_governance
from core.directory.models import Practitioner
from tenants.models import Council, CouncilStatus


@dataclass(frozen=True)
class CouncilNotices:
    support_contact: str
    agreement_review_due: DataSharingAgreement | None


def _notices(request: HttpRequest, council: Council) -> CouncilNotices:
    due = None
    if council.status == CouncilStatus.LIVE:
        try:
            practitioner = request.user.practitioner  # type: ignore[union-attr]
        except Practitioner.DoesNotExist:
            practitioner = None
        if practitioner is not None and practitioner.is_council_admin:
            due = agreement_review_due(today=timezone.localdate())  # the council's time zone (its locale middleware)
    return CouncilNotices(support_contact=council_governance().support_contact, agreement_review_due=due)


def council_notices(request: HttpRequest) -> dict[str, object]:
    council = getattr(request, "council", None)
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware; not on every page's user
    if council is None or user is None or not user.is_authenticated or verified is None or not verified():
        return {}
    return {"council_notices": SimpleLazyObject(lambda: _notices(request, council))}
