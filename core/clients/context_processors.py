"""Emergency (break-glass) access on every page: while a practitioner's access runs, a banner says until when
(in the council's time zone), that everything is recorded, and offers to end it; search hits offer to open a
team only to a practitioner whose break-glass role the council's rules hold. Read lazily, and only for a
practitioner given a break-glass role (nobody else can have opened a team): nobody else's page costs a query.
"""

from dataclasses import dataclass
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject, cached_property

from core.clients.break_glass import break_glass_current, break_glass_role_in_force
from core.directory.models import Practitioner


@dataclass(frozen=True)
class RunningAccess:
    """What the banner shows of one running access: no client data, only where the team is."""

    access_id: UUID
    client_id: UUID
    until: str


class BreakGlassNotice:
    def __init__(self, practitioner: Practitioner) -> None:
        self.practitioner = practitioner

    @cached_property
    def running(self) -> list[RunningAccess]:
        if not self.practitioner.break_glass_role:
            return []
        today = timezone.localdate()  # the council's time zone (CouncilLocaleMiddleware)
        items = []
        for access in break_glass_current(viewer=self.practitioner):
            local = timezone.localtime(access.expires_at)
            until = f"{local:%H:%M}" if local.date() == today else f"{local:%H:%M} on {date_format(local, 'j F')}"
            items.append(RunningAccess(access_id=access.pk, client_id=access.client_id, until=until))
        return items

    @cached_property
    def can_open(self) -> bool:
        """Whether the practitioner holds a break-glass role in the council's rules in force."""
        return self.practitioner.verified_at is not None and break_glass_role_in_force(self.practitioner) is not None


def _notice(request: HttpRequest) -> BreakGlassNotice | str:
    try:
        practitioner = request.user.practitioner  # type: ignore[union-attr]  # the navigation reads it too
    except Practitioner.DoesNotExist:
        return ""
    return BreakGlassNotice(practitioner)


def break_glass(request: HttpRequest) -> dict[str, object]:
    council = getattr(request, "council", None)
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)  # set by django-otp's middleware; not on every page's user
    if council is None or user is None or not user.is_authenticated or verified is None or not verified():
        return {}
    return {"break_glass": SimpleLazyObject(lambda: _notice(request))}
