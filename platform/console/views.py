"""The operator console: platform staff only (users of the ``public`` schema with ``is_staff``).

Signing in (with two factors) is the shared flow in core/accounts; the access middleware has
already required it by the time these views run.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onboarding.services.provisioning import step_label
from tenants.selectors import council_list


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with two factors but not platform staff → 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@staff_required
def councils(request: HttpRequest) -> HttpResponse:
    rows = [(council, step_label(council.provisioning_step)) for council in council_list()]
    provisioning = any(council.status in ("pending", "provisioning") for council, _ in rows)
    return render(request, "console/councils.html", {"rows": rows, "refresh": provisioning})
