"""Rules shared by invitations and account creation."""

from core.directory.models import Agency


def email_domain_allowed(*, agency: Agency, email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in {allowed.lower() for allowed in agency.email_domains}
