"""Reads: which agency's provider a work email signs in with, and an agency's provider."""

from core.directory.models import Agency, ApprovalState
from core.sso.models import IdentityProvider


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider of the (approved) agency whose work-email domains include this email's domain."""
    domain = email_domain(email)
    if not domain or "@" not in email:
        return None
    return (
        IdentityProvider.objects.select_related("agency")
        .filter(
            enabled=True,
            agency__email_domains__contains=[domain],
            agency__approval_state=ApprovalState.APPROVED,
        )
        .order_by("agency__name")
        .first()
    )


def provider_of(agency: Agency) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(agency=agency).first()
