"""Whose staff the phonebook lists to a viewer is the visibility policy's to decide
(``core/governance/visibility.py``), and that policy sits above the directory (it reads the council's
rulebook). The directory declares what it asks of it (``StaffListing``); the governance app hands the
policy in when it starts (``staff_listing_provide``), so nothing here writes the rule out again."""

from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from core.directory.models import Agency, Practitioner


class StaffListing(Protocol):
    def staff_listed_filter(self, prefix: str = "") -> Q: ...

    def agencies_staff_listed_filter(self, prefix: str = "") -> Q: ...

    def agency_staff_hidden(self, agency: Agency) -> bool: ...


_provider: list[Callable[[Practitioner], StaffListing]] = []


def staff_listing_provide(provider: Callable[[Practitioner], StaffListing]) -> None:
    """Set where the listing rule comes from (once, when the apps are ready)."""
    _provider[:] = [provider]


def staff_listing_for(viewer: Practitioner) -> StaffListing:
    """The listing rule for ``viewer``, from the visibility policy (one query: the rules in force)."""
    if not _provider:
        raise ImproperlyConfigured("The visibility policy has not been provided to the directory")
    return _provider[0](viewer)
