"""The phonebook: find colleagues and agencies, see how to reach them, keep your own entry current.

Only practitioners use it. Anyone the viewer may not see (another council's, deactivated, not yet
verified, or on the staff of a confidential service) is "not found", exactly like an id that
never existed.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.audit.origin import Origin
from core.directory.forms import PractitionerSearchForm, ProfileForm
from core.directory.listing import staff_listing_for
from core.directory.models import Practitioner
from core.directory.selectors import (
    SEARCH_LIMIT,
    agencies_listed,
    agency_page_get,
    practitioner_for_user,
    practitioner_photo_open,
    practitioner_profile_get,
    practitioner_search,
)
from core.directory.services.profiles import PRACTITIONER_FIELDS, USER_FIELDS, practitioner_profile_update

AGENCY_PAGE_SIZE = 50


def _viewer(request: HttpRequest) -> Practitioner:
    viewer = practitioner_for_user(user=request.user)
    if viewer is None:
        raise PermissionDenied("Only practitioners use the directory.")
    return viewer


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    searched = "q" in request.GET or "agency" in request.GET
    listing = staff_listing_for(viewer)
    form = PractitionerSearchForm(request.GET if searched else None, viewer=viewer, listing=listing)
    result = None
    if searched and form.is_valid():
        agency = form.cleaned_data["agency"]
        result = practitioner_search(
            viewer=viewer,
            query=form.cleaned_data["q"],
            agency_id=agency.pk if agency is not None else None,
            listing=listing,
        )
    context = {"form": form, "result": result, "limit": SEARCH_LIMIT, "viewer": viewer}
    return render(request, "directory/search.html", context)


def _person_or_404(request: HttpRequest, practitioner_id: UUID) -> tuple[Practitioner, Practitioner]:
    viewer = _viewer(request)
    person = practitioner_profile_get(viewer=viewer, practitioner_id=practitioner_id)
    if person is None:
        raise Http404("No such practitioner.")
    return viewer, person


@require_GET
def person(request: HttpRequest, practitioner_id: UUID) -> HttpResponse:
    viewer, found = _person_or_404(request, practitioner_id)
    return render(request, "directory/person.html", {"person": found, "viewer": viewer})


@require_GET
def person_photo(request: HttpRequest, practitioner_id: UUID) -> FileResponse:
    """The photo, served here rather than from storage: only to those who may see the person, and
    from this site's own origin (the Content-Security-Policy allows no other image source)."""
    _, found = _person_or_404(request, practitioner_id)
    photo = practitioner_photo_open(practitioner=found)
    if photo is None:
        raise Http404("No photo.")
    return FileResponse(photo, content_type="image/jpeg")


@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    return render(request, "directory/agencies.html", {"agencies": agencies_listed(), "viewer": viewer})


@require_GET
def agency(request: HttpRequest, agency_id: UUID) -> HttpResponse:
    viewer = _viewer(request)
    page = agency_page_get(viewer=viewer, agency_id=agency_id)
    if page is None:
        raise Http404("No such agency.")
    people = Paginator(page.practitioners, AGENCY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "directory/agency.html", {"page": page, "people": people, "viewer": viewer})


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Your own profile. There is no route to anyone else's."""
    practitioner = _viewer(request)
    if request.method != "POST":
        form = ProfileForm(practitioner=practitioner)
    else:
        form = ProfileForm(request.POST, request.FILES, practitioner=practitioner)
        if form.is_valid():
            data = form.cleaned_data
            try:
                practitioner_profile_update(
                    practitioner=practitioner,
                    origin=Origin.from_request(request),
                    photo=data["photo"],
                    remove_photo=data["remove_photo"],
                    **{name: data[name] for name in (*USER_FIELDS, *PRACTITIONER_FIELDS)},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your profile has been updated.")
                return redirect("directory-person", practitioner_id=practitioner.pk)
    return render(request, "directory/profile_edit.html", {"form": form, "practitioner": practitioner})
