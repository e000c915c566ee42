"""Reading the phonebook: the colleagues and agencies a practitioner may look up.

One rule decides who is listed anywhere (``practitioners_visible_to``): people whose account is
active, who have been verified by their agency, and whose agency the council has approved. Whether a
sensitive agency's staff are listed to the viewer is the visibility policy's to say
(``core/governance/visibility.py``): anyone else who could see who works there could work out who works
with a client of a confidential service.

Everything here reads the request's council schema, so another council's people are never found.
"""

import datetime
from dataclasses import dataclass
from uuid import UUID

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Q, QuerySet, TextChoices

from core.accounts.models import User
from core.directory.listing import StaffListing, staff_listing_for
from core.directory.models import Agency, ApprovalState, Practitioner

SEARCH_LIMIT = 50
SEARCH_MAX_WORDS = 6


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
    """Who is signed in, and where they work (``/api/v1/me/``)."""
    practitioner = practitioner_for_user(user=user)
    return AccountSummary(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        council=council_name,
        agency=practitioner.agency.name if practitioner else None,
        job_title=practitioner.job_title if practitioner else None,
    )


def practitioner_for_user(*, user: User) -> Practitioner | None:
    """The signed-in person's own practitioner profile (with its agency), if they have one.

    A request's user comes with it already, read in the same query as the user and their second factor
    (core/accounts/signed_in.py): then this costs nothing."""
    if User.practitioner.is_cached(user):  # type: ignore[attr-defined]
        try:
            practitioner = user.practitioner  # type: ignore[attr-defined]
        except Practitioner.DoesNotExist:
            return None
        if Practitioner.agency.is_cached(practitioner):
            return practitioner
    return Practitioner.objects.select_related("user", "agency").filter(user_id=user.pk).first()


def practitioners_visible_to(*, viewer: Practitioner, listing: StaffListing | None = None) -> QuerySet[Practitioner]:
    """Everyone ``viewer`` may find in the phonebook, with their account and agency loaded. ``listing``: the
    viewer's policy when the caller already holds it (one per request)."""
    listing = listing or staff_listing_for(viewer)
    return Practitioner.objects.select_related("user", "agency").filter(
        listing.staff_listed_filter(),
        user__is_active=True,
        verified_at__isnull=False,
        agency__approval_state=ApprovalState.APPROVED,
    )


@dataclass(frozen=True)
class PractitionerSearchResult:
    practitioners: list[Practitioner]
    more: bool  # more matched than are shown: the viewer should narrow the search


def practitioner_search(
    *,
    viewer: Practitioner,
    query: str = "",
    agency_id: UUID | None = None,
    limit: int = SEARCH_LIMIT,
    listing: StaffListing | None = None,
) -> PractitionerSearchResult:
    """Colleagues matching every word of ``query`` (in a name, job title, expertise or agency name)
    and, if given, working for one agency; by surname, at most ``limit``. One query, whatever it finds.

    With neither a query nor an agency there is nothing to search for: no one is listed.
    """
    words = query.split()[:SEARCH_MAX_WORDS]
    if not words and agency_id is None:
        return PractitionerSearchResult(practitioners=[], more=False)
    people = practitioners_visible_to(viewer=viewer, listing=listing)
    for word in words:
        people = people.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(job_title__icontains=word)
            | Q(expertise__icontains=word)
            | Q(agency__name__icontains=word)
        )
    if agency_id is not None:
        people = people.filter(agency_id=agency_id)
    found = list(people.order_by("user__last_name", "user__first_name", "pk")[: limit + 1])
    return PractitionerSearchResult(practitioners=found[:limit], more=len(found) > limit)


def practitioner_profile_get(*, viewer: Practitioner, practitioner_id: UUID) -> Practitioner | None:
    """A colleague's profile if ``viewer`` may find them, or the viewer's own (even before they are verified)."""
    if practitioner_id == viewer.pk:
        return viewer
    return practitioners_visible_to(viewer=viewer).filter(pk=practitioner_id).first()


def practitioner_photo_open(*, practitioner: Practitioner) -> File | None:
    """The stored photo of a practitioner found through the selectors above, if it is this council's."""
    name = practitioner.photo.name
    if not name or not name.startswith(f"practitioners/{connection.schema_name}/"):
        return None
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        return None


def agencies_listed() -> QuerySet[Agency]:
    """The council's approved agencies, by name. Sensitive ones too: how to reach them is no secret."""
    return Agency.objects.filter(approval_state=ApprovalState.APPROVED).order_by("name")


def agencies_searchable_by(*, viewer: Practitioner, listing: StaffListing | None = None) -> QuerySet[Agency]:
    """The agencies whose staff ``viewer`` may search for."""
    listing = listing or staff_listing_for(viewer)
    return agencies_listed().filter(listing.agencies_staff_listed_filter())


@dataclass(frozen=True)
class AgencyPage:
    agency: Agency
    staff_hidden: bool  # a sensitive agency seen from outside: its gateway contact, never its people
    practitioners: QuerySet[Practitioner]


def agency_page_get(*, viewer: Practitioner, agency_id: UUID) -> AgencyPage | None:
    agency = agencies_listed().filter(pk=agency_id).first()
    if agency is None:
        return None
    listing = staff_listing_for(viewer)
    staff_hidden = listing.agency_staff_hidden(agency)
    people = practitioners_visible_to(viewer=viewer, listing=listing).filter(agency_id=agency.pk)
    return AgencyPage(
        agency=agency,
        staff_hidden=staff_hidden,
        practitioners=people.none() if staff_hidden else people.order_by("user__last_name", "user__first_name", "pk"),
    )


class AccountState(TextChoices):
    """What an account manager looks for on the Accounts page."""

    AWAITING_VERIFICATION = "awaiting-verification", "Awaiting verification"
    LOCKED = "locked", "Locked"
    DEACTIVATED = "deactivated", "Deactivated"


def accounts_filtered(
    people: QuerySet[Practitioner], *, query: str = "", state: str = "", now: datetime.datetime
) -> QuerySet[Practitioner]:
    """The accounts among ``people`` (those a manager looks after) whose name or work email holds every word
    of ``query``, in ``state`` if given; by agency, then surname."""
    for word in query.split()[:SEARCH_MAX_WORDS]:
        people = people.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    if state == AccountState.AWAITING_VERIFICATION:
        people = people.filter(user__is_active=True, verified_at__isnull=True)
    elif state == AccountState.LOCKED:
        people = people.filter(user__is_active=True, user__locked_until__gt=now)
    elif state == AccountState.DEACTIVATED:
        people = people.filter(user__is_active=False)
    return people.order_by("agency__name", "user__last_name", "user__first_name", "pk")


def agencies_for_administration() -> QuerySet[Agency]:
    """Every agency of the council, with how many practitioners each has: one query, however many agencies."""
    return Agency.objects.annotate(practitioner_count=Count("practitioners")).order_by("name")


def agency_people_for_administration(*, agency: Agency) -> QuerySet[Practitioner]:
    """An agency's practitioners as its administration page lists them (managers first)."""
    return (
        Practitioner.objects.filter(agency=agency)
        .select_related("user")
        .order_by("-is_agency_manager", "user__last_name", "user__first_name")
    )
