"""Correct a client's details: any member of the client's current team."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.audit.origin import Origin
from core.clients.forms import ClientCorrectForm
from core.clients.services import CORRECTABLE_FIELDS, client_correct
from core.clients.views.viewer import own_involvement_or_404, viewer_for


@require_http_methods(["GET", "POST"])
def client_correct_page(request: HttpRequest, client_id: object) -> HttpResponse:
    viewer = viewer_for(request)
    origin = Origin.from_request(request)
    involvement = own_involvement_or_404(viewer=viewer, client_id=client_id, origin=origin)
    client = involvement.client
    form = ClientCorrectForm(request.POST or None, initial={name: getattr(client, name) for name in CORRECTABLE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            changed = client_correct(actor=viewer, client=client, changes=form.cleaned_data, origin=origin)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, "The client's details are corrected. The change is recorded.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("client-team", client_id=client.pk)
    return render(request, "clients/correct.html", {"form": form, "client": client})
