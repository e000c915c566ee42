"""Add a client in under 30 seconds (journey 3): only after a search, with a possible-duplicate warning."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit.origin import Origin
from core.clients.forms import ClientAddForm
from core.clients.recorded import SearchRateExceeded, client_search_recorded
from core.clients.search_session import (
    duplicates_shown_remember,
    duplicates_were_shown,
    last_search,
    last_search_forget,
    search_hits_remember,
)
from core.clients.selectors import SearchCriteria, SearchResult
from core.clients.services import NewClient, client_create
from core.clients.views.viewer import require_verified, viewer_for


@require_http_methods(["GET", "POST"])
def client_add(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(request)
    require_verified(viewer)
    searched = last_search(request.session)
    if searched is None:
        messages.info(request, "Search for the client first: they may already be known.")
        return redirect("client-search")
    if request.method != "POST":
        form = ClientAddForm(initial=searched | {"role": viewer.job_title})
        return render(request, "clients/add.html", {"form": form})

    form = ClientAddForm(request.POST)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        who = {"surname": data["surname"], "date_of_birth": data["date_of_birth"]}
        confirmed = data["none_of_these"] and duplicates_were_shown(request.session, **who)
        if not confirmed:
            # The duplicate check is a search like any other: audited and rate-limited.
            try:
                duplicates: SearchResult = client_search_recorded(
                    viewer=viewer,
                    criteria=SearchCriteria(surname=data["surname"], date_of_birth=data["date_of_birth"]),
                    origin=Origin.from_request(request),
                )
            except SearchRateExceeded as refused:
                return render(request, "clients/search_rate_limited.html", {"hourly": refused.hourly}, status=429)
            if duplicates.hits or duplicates.too_many:
                search_hits_remember(request.session, duplicates.hits)
                duplicates_shown_remember(request.session, **who)
                if data["none_of_these"]:
                    form.add_error("none_of_these", "The details changed: check these possible matches again")
                return render(request, "clients/add.html", context | {"duplicates": duplicates})
        try:
            client = client_create(
                viewer=viewer,
                data=NewClient(
                    first_name=data["first_name"],
                    surname=data["surname"],
                    date_of_birth=data["date_of_birth"],
                    postcode=data["postcode"],
                    legal_basis=data["legal_basis"],
                    nhs_number=data.get("nhs_number", ""),
                    unique_pupil_number=data.get("unique_pupil_number", ""),
                    victorian_student_number=data.get("victorian_student_number", ""),
                    local_case_id=data["local_case_id"],
                    consent_given_by=data["consent_given_by"],
                    consent_given_on=data["consent_given_on"],
                ),
                role=data["role"],
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            last_search_forget(request.session)
            messages.success(request, "Client added. You are the first member of their team.")
            return redirect("client-team", client_id=client.pk)
    return render(request, "clients/add.html", context)
