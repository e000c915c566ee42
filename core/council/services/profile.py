"""The council's profile: its name and colour in the header, its time zone, its support contact.

Name, colour and time zone are on the platform's council row (``tenants.Council``, in ``public``: read
when the host is resolved, before the council's schema is chosen). A council's schema has ``public``
on its search path, so the row is updated here by its primary key, under a row lock, with no switch
of schema. The support contact lives in the council's own governance row.
"""

import re
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.council.services.administrators import administrator_check
from core.council.services.governance import council_governance_locked
from core.directory.models import Practitioner
from tenants.colours import validate_header_colour
from tenants.jurisdictions import time_zones_for
from tenants.models import COLOUR_PATTERN, Council


@dataclass(frozen=True)
class CouncilProfile:
    name: str
    brand_colour: str
    time_zone: str
    support_contact: str = ""


COUNCIL_FIELDS = ("name", "brand_colour", "time_zone")
PROFILE_FIELDS = tuple(detail.name for detail in fields(CouncilProfile))


def _profile_check(*, council: Council, profile: CouncilProfile) -> CouncilProfile:
    problems: dict[str, list[str]] = {}
    name = " ".join(profile.name.split())
    colour = profile.brand_colour.strip().lower()
    support = profile.support_contact.strip()
    if not name:
        problems["name"] = ["Enter the council's name"]
    elif len(name) > 120:
        problems["name"] = ["The council's name must be 120 characters or fewer"]
    if not re.fullmatch(COLOUR_PATTERN, colour):
        problems["brand_colour"] = ["Enter a colour as # followed by six hexadecimal digits, like #1d70b8"]
    else:
        try:
            validate_header_colour(colour)
        except ValidationError as error:
            problems["brand_colour"] = [
                f"{message} The header's white text would not be readable." for message in error.messages
            ]
    if profile.time_zone not in time_zones_for(council.jurisdiction):
        problems["time_zone"] = ["Select the council's time zone from the list"]
    if len(support) > 300:
        problems["support_contact"] = ["The support contact must be 300 characters or fewer"]
    if problems:
        raise ValidationError(problems)
    return CouncilProfile(name=name, brand_colour=colour, time_zone=profile.time_zone, support_contact=support)


def council_profile_update(
    *, actor: Practitioner, council: Council, profile: CouncilProfile, origin: Origin
) -> list[str]:
    """Change the profile. Returns the fields that changed (none: nothing is written or recorded)."""
    administrator_check(actor=actor, origin=origin, object_id=council.slug)
    clean = _profile_check(council=council, profile=profile)
    with transaction.atomic():
        row = Council.objects.select_for_update().get(pk=council.pk)
        governance = council_governance_locked()
        old = {name: getattr(row, name) for name in COUNCIL_FIELDS} | {"support_contact": governance.support_contact}
        changes = {
            name: {"old": old[name], "new": getattr(clean, name)}
            for name in PROFILE_FIELDS
            if old[name] != getattr(clean, name)
        }
        if not changes:
            return []
        council_changes = [name for name in COUNCIL_FIELDS if name in changes]
        if council_changes:
            for name in council_changes:
                setattr(row, name, getattr(clean, name))
            row.save(update_fields=[*council_changes, "updated_at"])
        if "support_contact" in changes:
            governance.support_contact = clean.support_contact
            governance.save(update_fields=["support_contact", "updated_at"])
        audit_record(
            action=AuditAction.COUNCIL_PROFILE_CHANGED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="council",
            object_id=council.slug,
            changes=changes,
        )
    for name in COUNCIL_FIELDS:
        setattr(council, name, getattr(row, name))
    return list(changes)
