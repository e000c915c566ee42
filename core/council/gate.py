"""Until a council goes live, only its administrators use its site.

While the council is *configuring*, a signed-in person who is not one of its council administrators
gets, on every page and API route, a page saying the council is setting Patchwork up (HTTP 503, as
for a suspended council: the service exists and will open; the person is not at fault), and nothing
of the council's data: the view never runs. Sign-in, the second-factor steps, the invitation
acceptance, sign-out and the other public pages stay open, so people can get ready for the day it
opens, and so does "stay signed in" (``keep-alive``, which reads nothing). Administrators use
everything.

It runs after ``VerifiedAccessMiddleware`` (config/settings/base.py MIDDLEWARE), as a ``process_view``,
so it knows which view was routed to and whether it is public, and sees only people who passed both
factors. A live council costs nothing here: its status is already on ``request.council``.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from core.accounts.access import PUBLIC, SIGN_IN_STEP, access_of, is_api_request
from core.accounts.views import keep_alive
from core.council.selectors import council_support_contact
from core.directory.models import Practitioner
from tenants.models import Council, CouncilStatus


def setting_up_message(council: Council) -> str:
    return f"{council.name} is setting up Patchwork; you can use it once it goes live."


class CouncilSettingUpGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        council = getattr(request, "council", None)
        if council is None or council.status != CouncilStatus.CONFIGURING:
            return None
        if access_of(view) in (PUBLIC, SIGN_IN_STEP) or view is keep_alive:
            return None
        user = request.user
        if not user.is_authenticated:  # the access middleware, before this one, has already refused
            return None
        if Practitioner.objects.filter(user_id=user.pk, is_council_admin=True, user__is_active=True).exists():
            return None
        return _setting_up(request, council)


def _setting_up(request: HttpRequest, council: Council) -> HttpResponse:
    response: HttpResponse
    if is_api_request(request):
        response = JsonResponse({"detail": setting_up_message(council)}, status=503)
    else:
        context = {"message": setting_up_message(council), "support_contact": council_support_contact()}
        response = TemplateResponse(request, "council/setting_up.html", context, status=503)
        response.render()
    response._has_been_logged = True  # type: ignore[attr-defined]  # expected, not a fault (see tenants/middleware.py)
    response["Cache-Control"] = "no-store"
    return response
