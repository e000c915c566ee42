"""Find a client: search first, always (journey 2). A POST, so no personal data travels in URLs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.audit.origin import Origin
from core.clients.forms import ClientSearchForm
from core.clients.recorded import SearchRateExceeded, client_search_recorded
from core.clients.search_session import search_remember
from core.clients.selectors import SearchCriteria, SearchCriteriaError
from core.clients.views.viewer import require_verified, viewer_for


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
            result = client_search_recorded(viewer=viewer, criteria=criteria, origin=Origin.from_request(request))
        except SearchCriteriaError as error:
            form.add_error(None, str(error))
        except SearchRateExceeded as refused:
            return render(request, "clients/search_rate_limited.html", {"hourly": refused.hourly}, status=429)
        else:
            search_remember(request.session, result.hits, criteria)
            context["result"] = result
    return render(request, "clients/search.html", context)
