"""What a request or a grant must hold, checked in the services (the forms only tidy input): the pages, the hours,
the reason. A problem is a ``ValidationError`` keyed by the field, so a form shows it beside what was typed."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from support.models import SupportScope

HOURS_MIN = 1
HOURS_MAX = 72
REASON_MAX = 300


def scopes_checked(scopes: Iterable[str], *, allowed: Iterable[str], field: str = "scopes") -> list[str]:
    """The pages asked for, each once, in the order the product lists them; refused if none or one not allowed."""
    wanted = set(scopes)
    allowed = set(allowed)
    if not wanted:
        raise ValidationError({field: "Select at least one page"})
    if not wanted <= allowed:
        raise ValidationError({field: "Select only pages from the list"})
    return [scope for scope in SupportScope.values if scope in wanted]


def hours_checked(hours: object, *, field: str = "hours") -> int:
    if isinstance(hours, bool) or not isinstance(hours, int):
        raise ValidationError({field: f"Enter the number of hours, a whole number from {HOURS_MIN} to {HOURS_MAX}"})
    if not HOURS_MIN <= hours <= HOURS_MAX:
        raise ValidationError({field: f"Enter a number of hours from {HOURS_MIN} to {HOURS_MAX}"})
    return hours


def reason_checked(reason: str, *, field: str = "reason", missing: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({field: missing})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: f"The reason must be {REASON_MAX} characters or fewer"})
    return reason
