"""Security headers added to every response, and the CSP nonce for templates.

* ``Cache-Control: no-store`` (and ``Pragma: no-cache``) on every response to a signed-in user, on
  every response from a council's site (everything a council's site shows is personal data, or a
  form that leads to it) and on every response to a request that carries a session (a sign-in in
  progress): none of it may be kept by the browser or any proxy. The platform's public pages
  (landing, statements) stay cacheable for a visitor without a session. A view that already said
  ``no-store`` is left alone.
* ``Permissions-Policy`` switching off the powerful features Patchwork never uses.

Static files never reach this middleware (WhiteNoise answers them earlier), so they stay cacheable.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import cc_delim_re
from django.utils.functional import SimpleLazyObject

DEFAULT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _must_not_be_stored(request):
            _set_no_store(response)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        return response


def _must_not_be_stored(request: HttpRequest) -> bool:
    if getattr(request, "council", None) is not None:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # Between the password and the second factor the visitor is not signed in yet, but the session
    # already holds who they are (and the set-up page shows a new authenticator secret): any
    # response to a request with a session is personal. is_empty() does not read the session store.
    session = getattr(request, "session", None)
    return session is not None and not session.is_empty()


def _set_no_store(response: HttpResponse) -> None:
    directives = {
        directive.split("=", 1)[0].strip().lower() for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if "no-store" not in directives:
        # Replace rather than merge: "public" or "max-age" beside personal data would be wrong anyway.
        response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """Template context processor: ``{{ csp_nonce }}`` is this request's CSP nonce (django-csp 4).

    Lazy, so a page that never writes it does not put a nonce in its header; reading it (a template
    writing ``nonce="{{ csp_nonce }}"``) makes django-csp add the same nonce to the header.
    """
    nonce = getattr(request, "csp_nonce", None)
    if nonce is None:
        return {"csp_nonce": ""}
    return {"csp_nonce": SimpleLazyObject(lambda: str(nonce))}
