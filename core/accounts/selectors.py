"""Reads about accounts that leave the accounts app."""

from dataclasses import dataclass
from uuid import UUID

from core.accounts.models import User
from core.directory.models import Practitioner


@dataclass(frozen=True)
class AccountSummary:
    id: UUID
    first_name: str
    last_name: str
    email: str
    council: str
    agency: str | None
    job_title: str | None


def account_summary(*, user: User, council_name: str) -> AccountSummary:
    practitioner = Practitioner.objects.select_related("agency").filter(user=user).first()
    return AccountSummary(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        council=council_name,
        agency=practitioner.agency.name if practitioner else None,
        job_title=practitioner.job_title if practitioner else None,
    )
