"""Install a jurisdiction's default rules into the current council schema. Safe to run again."""

from django.db import transaction

from core.governance.defaults import LEGAL_BASES
from core.governance.models import LegalBasis


@transaction.atomic
def governance_defaults_install(*, jurisdiction: str) -> int:
    """Create the jurisdiction's legal bases that are missing. Returns how many were created.

    Never changes a basis the council has already edited (existing codes are left alone).
    """
    created = 0
    for position, default in enumerate(LEGAL_BASES[jurisdiction]):
        _, was_created = LegalBasis.objects.get_or_create(
            code=default.code,
            defaults={
                "title": default.title,
                "description": default.description,
                "requires_consent": default.requires_consent,
                "position": position,
            },
        )
        created += was_created
    return created
