"""Reads of councils, for the platform side and for host resolution."""

from django.db.models import QuerySet

from tenants.models import Council, CouncilStatus, Domain


def council_for_host(host: str) -> Council | None:
    """The active council that answers at ``host``, or None. One query."""
    domain = Domain.objects.select_related("tenant").filter(domain=host, tenant__status=CouncilStatus.ACTIVE).first()
    return domain.tenant if domain else None


def council_list() -> QuerySet[Council]:
    return Council.objects.prefetch_related("domains").order_by("name")


def council_get(*, slug: str) -> Council | None:
    return Council.objects.filter(slug=slug).first()
