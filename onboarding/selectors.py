"""Reads the catalogue needs from outside the onboarding app."""

from django.conf import settings

from onboarding.models import Order, OrderStatus
from tenants.models import Council, Domain


def subdomain_taken(slug: str) -> bool:
    """Whether a council has this subdomain, or an order not rejected is holding it."""
    return (
        Council.objects.filter(slug=slug).exists()
        or Domain.objects.filter(domain=f"{slug}.{settings.PLATFORM_DOMAIN}").exists()
        or Order.objects.filter(requested_slug=slug).exclude(status=OrderStatus.REJECTED).exists()
    )
