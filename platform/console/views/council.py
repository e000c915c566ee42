"""One council as the operator sees it: its facts, its lifecycle and the moves the councils list offers, how far its
schema is behind the code, when it was last active, its usage, invoices, billing account and support grants, its
undelivered email and what went wrong with it.

Nothing of the council's own data is shown (SECURITY.md AZ-4): from its schema only the time of its latest audit
event and a count of dead letters. The page costs the same number of queries however many invoices, backups or
grants it has.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from billing.selectors import billing_account_of, council_invoices, usage_by_month
from console.selectors import council_activity, council_errors, council_migration_state, council_support_grants
from console.views.access import staff_required
from console.views.councils import OFFBOARDING_LINKED, _offered
from tenants.models import Council
from tenants.selectors import council_get


def _council_or_404(slug: str) -> Council:
    council = council_get(slug=slug)
    if council is None:
        raise Http404("No such council.")
    return council


@staff_required
@require_GET
def council_page(request: HttpRequest, slug: str) -> HttpResponse:
    council = _council_or_404(slug)
    context = {
        # Not "council": base.html reads that as the council whose site this is (none, on the platform).
        "target_council": council,
        "domains": [domain.domain for domain in council.domains.all()],
        "actions": _offered(council),
        "offboarding_linked": council.status in OFFBOARDING_LINKED,
        "migrations": council_migration_state(council),
        "activity": council_activity(council),
        "usage": usage_by_month(council=council),
        "invoices": council_invoices(council=council),
        "account": billing_account_of(council=council),
        "grants": council_support_grants(council),
        "errors": council_errors(council),
        "section": "councils",
    }
    return render(request, "console/council.html", context)
