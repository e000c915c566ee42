"""For a council administrator, once the council is live, a banner on every page when the
data-sharing agreement in force is due for review (its review date has passed, in the council's own
time zone). Read lazily, only when a page shows it, and only for an administrator of a live council:
nobody else's page costs a query.
"""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.council.models import DataSharingAgreement
from core.council.selectors import agreement_review_due
from core.directory.models import Practitioner
from tenants.models import CouncilStatus


def _review_due(request: HttpRequest) -> DataSharingAgreement | None:
    try:
        practitioner = request.user.practitioner  # type: ignore[union-attr]  # the navigation has read it already
    except Practitioner.DoesNotExist:
        return None
    if not practitioner.is_council_admin:
        return None
    return agreement_review_due(today=timezone.localdate())  # the council's time zone (CouncilLocaleMiddleware)


def council_notices(request: HttpRequest) -> dict[str, object]:
    council = getattr(request, "council", None)
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware; not on every page's user
    if council is None or council.status != CouncilStatus.LIVE or user is None or not user.is_authenticated:
        return {}
    if verified is None or not verified():
        return {}
    return {"agreement_review_due": SimpleLazyObject(lambda: _review_due(request) or "")}
