"""Find a client: search first, always (journey 2). A POST, so no personal data travels in URLs."""

import datetime
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.clients.forms import ClientSearchForm
from core.clients.recorded import SearchRateExceeded, client_search_recorded
from core.clients.selectors import SearchCriteria, SearchCriteriaError, SearchHit
from core.clients.views.viewer import require_verified, viewer_for

# The session remembers, server-side, what the last search returned: the join page is reachable only
# for those clients (or with an invitation), so nobody browses clients by id.
SEARCH_HITS_KEY = "patchwork_last_search_hits"
# ... and what was searched for, so "Add a new client" starts from it without putting it in a URL.
LAST_SEARCH_KEY = "patchwork_last_search"


def search_hits_remember(request: HttpRequest, hits: Iterable[SearchHit]) -> None:
    request.session[SEARCH_HITS_KEY] = [str(hit.client_id) for hit in hits]


def search_hit_recent(request: HttpRequest, client_id: object) -> bool:
    return str(client_id) in request.session.get(SEARCH_HITS_KEY, [])


def last_search_remember(request: HttpRequest, criteria: SearchCriteria) -> None:
    request.session[LAST_SEARCH_KEY] = {
        "surname": criteria.surname.strip(),
        "first_name": criteria.first_name.strip(),
        "date_of_birth": criteria.date_of_birth.isoformat() if criteria.date_of_birth else "",
        "postcode": criteria.postcode.strip().upper(),
    }


def last_search(request: HttpRequest) -> dict[str, object] | None:
    """What the last search in this session was for (None: no search yet), ready as a form's initial data."""
    searched = request.session.get(LAST_SEARCH_KEY)
    if searched is None:
        return None
    initial: dict[str, object] = {key: value for key, value in searched.items() if key != "date_of_birth"}
    if searched.get("date_of_birth"):
        initial["date_of_birth"] = datetime.date.fromisoformat(searched["date_of_birth"])
    return initial


def last_search_forget(request: HttpRequest) -> None:
    request.session.pop(LAST_SEARCH_KEY, None)


@require_http_methods(["GET", "POST"])
def client_search_page(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST searches. A GET that carries search terms is refused (405, SECURITY.md
    AZ-3): names and dates of birth never travel in web addresses, where logs and histories keep them."""
    viewer = viewer_for(request)
    require_verified(viewer)
    if request.method != "POST":
        if request.GET:
            response = render(
                request, "clients/search.html", {"form": ClientSearchForm(), "get_refused": True}, status=405
            )
            response["Allow"] = "POST"
            return response
        return render(request, "clients/search.html", {"form": ClientSearchForm()})
    form = ClientSearchForm(request.POST)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        criteria = SearchCriteria(**form.cleaned_data)
        try:
            result = client_search_recorded(viewer=viewer, criteria=criteria, request=request)
        except SearchCriteriaError as error:
            form.add_error(None, str(error))
        except SearchRateExceeded:
            return render(request, "clients/search_rate_limited.html", status=429)
        else:
            search_hits_remember(request, result.hits)
            last_search_remember(request, criteria)
            context["result"] = result
    return render(request, "clients/search.html", context)
