"""Reads of councils, for the platform side and for host resolution."""

from django.db.models import QuerySet

from tenants.lifecycle import RESOLVING
from tenants.models import Council, Domain


def council_for_host(host: str) -> Council | None:
    """The council that answers at ``host`` (configuring, live or suspended), or None. One query.

    Ordered, provisioning, offboarding and closed councils are None, as an unknown host is.
    """
    domain = Domain.objects.select_related("tenant").filter(domain=host, tenant__status__in=RESOLVING).first()
    return domain.tenant if domain else None


def council_list() -> QuerySet[Council]:
    return Council.objects.prefetch_related("domains").order_by("name")


def council_get(*, slug: str) -> Council | None:
    return Council.objects.filter(slug=slug).first()
