"""Response headers (SECURITY.md DP-1): a strict CSP with nonces, nosniff, Referrer-Policy, framing,
Permissions-Policy, opener policy; ``Cache-Control: no-store`` wherever a page is personal; and
production settings that pass ``manage.py check --deploy --fail-level WARNING``.
"""

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context
from pytest_django.fixtures import Settings

from config.security import SecurityHeadersMiddleware
from core.accounts.session_timeout import LAST_ACTIVITY_KEY
from tenants.models import Council
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, PractitionerFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
NONCE_PROCESSOR = "config.security.csp_nonce"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-*'"],
    "style-src": ["'self'", "'nonce-*'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


@pytest.fixture(autouse=True)
def _nonce_in_templates(settings: Settings) -> None:
    """Templates read ``{{ csp_nonce }}`` from config.security.csp_nonce (a no-op once base.py lists it)."""
    engine = settings.TEMPLATES[0]
    processors = engine["OPTIONS"]["context_processors"]
    if NONCE_PROCESSOR not in processors:
        options = engine["OPTIONS"] | {"context_processors": [*processors, NONCE_PROCESSOR]}
        settings.TEMPLATES = [engine | {"OPTIONS": options}, *settings.TEMPLATES[1:]]


def _policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def _header_nonce(response: HttpResponse) -> str:
    policy = _policy(response)
    nonces = {value for directive in ("script-src", "style-src") for value in policy[directive] if "nonce-" in value}
    assert len(nonces) == 1, f"expected one nonce in script-src and style-src: {policy}"
    return re.fullmatch(r"'nonce-([A-Za-z0-9+/=]{22,})'", nonces.pop()).group(1)  # type: ignore[union-attr]


def _assert_strict_policy_with_the_page_nonce(response: HttpResponse) -> None:
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    policy = {name: ["'nonce-*'" if "nonce-" in v else v for v in values] for name, values in _policy(response).items()}
    assert policy == EXPECTED_POLICY
    nonce = _header_nonce(response)
    page = response.content.decode()
    # Nothing inline except what carries this request's nonce.
    assert re.findall(r"<style\b[^>]*>", page) == [f'<style nonce="{nonce}">']
    # A script is loaded from a file; the only other kind is data for one (``json_script``), which never runs.
    assert all("src=" in tag or 'type="application/json"' in tag for tag in re.findall(r"<script\b[^>]*>", page)), (
        "an inline <script>"
    )
    assert not re.search(r"\sstyle\s*=", page), "a style attribute"
    assert not re.search(r"\son[a-z]+\s*=", page), "an inline event handler"


def _signed_in_practitioner(client: Client, council: Council) -> None:
    with schema_context(council.schema_name):
        practitioner = PractitionerFactory(user__email="headers@alpha.example")
    sign_in(client, practitioner.user, council)


def _signed_in_operator(client: Client) -> None:
    sign_in(client, UserFactory(email="headers-ops@patchwork.example", is_staff=True))


# --- (a) Content-Security-Policy with a nonce ---------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/sign-in/"])
def test_platform_pages_send_a_strict_csp_whose_nonce_is_the_pages(platform_client: Client, path: str) -> None:
    _assert_strict_policy_with_the_page_nonce(platform_client.get(path))


@pytest.mark.parametrize("path", ["/sign-in/", "/privacy/", "/password-reset/"])
def test_council_pages_send_a_strict_csp_whose_nonce_is_the_pages(client_a: Client, path: str) -> None:
    _assert_strict_policy_with_the_page_nonce(client_a.get(path))


def test_signed_in_pages_send_a_strict_csp_whose_nonce_is_the_pages(
    client_a: Client, council_a: Council, platform_client: Client
) -> None:
    _signed_in_practitioner(client_a, council_a)
    _assert_strict_policy_with_the_page_nonce(client_a.get("/"))
    _signed_in_operator(platform_client)
    _assert_strict_policy_with_the_page_nonce(platform_client.get("/console/"))


def test_every_response_gets_a_fresh_nonce(client_a: Client) -> None:
    assert _header_nonce(client_a.get("/sign-in/")) != _header_nonce(client_a.get("/sign-in/"))


# --- (b) The other headers, on platform and council responses, pages and redirects alike -----------


@pytest.mark.parametrize(
    ("site", "path"),
    [
        ("platform", "/"),
        ("platform", "/console/"),  # a redirect to sign in
        ("platform", "/no-such-page/"),
        ("council", "/"),  # a redirect to sign in
        ("council", "/sign-in/"),
        ("council", "/no-such-page/"),
        ("council", "/api/v1/me/"),
    ],
)
def test_every_response_carries_the_security_headers(
    platform_client: Client, client_a: Client, site: str, path: str
) -> None:
    response = (platform_client if site == "platform" else client_a).get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- (c) Cache-Control: no-store wherever a page is personal ---------------------------------------


def _council_paths() -> list[str]:
    """Every route of a council's site, with placeholder values for its parameters."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + re.sub(r"<[^>]+>", "placeholder", str(pattern.pattern)).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield "/" + route

    return sorted(set(walk(get_resolver(django_settings.ROOT_URLCONF).url_patterns, "")))


def _assert_not_stored(response: HttpResponse, what: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), f"{what}: Cache-Control {response.get('Cache-Control')!r}"
    assert response["Pragma"] == "no-cache", what


def test_the_council_route_walk_finds_the_routes() -> None:
    paths = _council_paths()
    assert {"/", "/sign-in/", "/privacy/", "/api/v1/me/"} <= set(paths)


def test_every_council_page_is_no_store_signed_out(client_a: Client) -> None:
    for path in [*_council_paths(), "/no-such-page/"]:
        _assert_not_stored(client_a.get(path), f"GET {path}")
    _assert_not_stored(client_a.post("/sign-in/", {"email": "x@alpha.example", "password": "wrong"}), "POST /sign-in/")


def test_every_council_page_is_no_store_signed_in(client_a: Client, council_a: Council) -> None:
    _signed_in_practitioner(client_a, council_a)
    home = client_a.get("/")
    assert home.status_code == 200
    _assert_not_stored(home, "signed-in home")
    for path in _council_paths():
        if "sign-out" not in path:
            _assert_not_stored(client_a.get(path), f"signed-in GET {path}")


def test_the_session_ended_redirect_is_no_store(client_a: Client, council_a: Council) -> None:
    _signed_in_practitioner(client_a, council_a)
    with schema_context(council_a.schema_name):
        session = client_a.session
        session[LAST_ACTIVITY_KEY] = 0  # idle since 1970
        session.save()
    response = client_a.get("/")
    assert response.status_code == 302
    _assert_not_stored(response, "the redirect after the session ended")
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_the_signed_in_console_is_no_store(platform_client: Client) -> None:
    _signed_in_operator(platform_client)
    console = platform_client.get("/console/")
    assert console.status_code == 200
    _assert_not_stored(console, "console")
    _assert_not_stored(platform_client.get("/"), "landing page while signed in")


def test_a_sign_in_in_progress_is_no_store_on_the_platform(platform_client: Client) -> None:
    """After the password, before the second factor: the set-up page shows a new authenticator secret."""
    UserFactory(email="new-ops@patchwork.example", is_staff=True)
    step = platform_client.post("/sign-in/", {"email": "new-ops@patchwork.example", "password": TEST_PASSWORD})
    assert step.status_code == 302
    set_up = platform_client.get(step.url)
    assert set_up.status_code == 200
    _assert_not_stored(set_up, step.url)


def test_the_public_landing_page_may_be_cached(platform_client: Client) -> None:
    response = platform_client.get("/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


def _request(*, council: object = None, authenticated: bool = False) -> HttpRequest:
    request = RequestFactory().get("/")
    request.council = council  # type: ignore[attr-defined]
    request.user = UserFactory.build() if authenticated else AnonymousUser()
    request.session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    return request


def _respond(request: HttpRequest, **headers: str) -> HttpResponse:
    return SecurityHeadersMiddleware(lambda _: HttpResponse(headers=headers))(request)


def test_a_view_that_said_no_store_keeps_its_own_cache_control() -> None:
    own = "no-store, max-age=0, private"
    assert _respond(_request(council=object()), **{"Cache-Control": own})["Cache-Control"] == own
    assert _respond(_request(authenticated=True), **{"Cache-Control": own})["Cache-Control"] == own


def test_a_cacheable_cache_control_on_a_personal_page_is_replaced() -> None:
    response = _respond(_request(council=object()), **{"Cache-Control": "public, max-age=3600"})
    assert response["Cache-Control"] == "no-store"
    response = _respond(_request(authenticated=True), **{"Cache-Control": "max-age=60"})
    assert response["Cache-Control"] == "no-store"


def test_an_anonymous_platform_response_keeps_its_cache_control_and_a_views_permissions_policy() -> None:
    response = _respond(_request(), **{"Cache-Control": "max-age=60", "Permissions-Policy": "camera=(self)"})
    assert response["Cache-Control"] == "max-age=60"
    assert "Pragma" not in response
    assert response["Permissions-Policy"] == "camera=(self)"


# --- (d) Production settings pass Django's deployment checks -------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "SSO_SECRET_KEYS": "Jk9bWbGN3VQ8zH0yq3m0F6VQ9xv3jv1mX2lY4c7hR2E=",  # a Fernet key made for the test
    "DATABASE_URL": "postgresql://u@db.internal/x",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "CACHE_URL": "redis://cache.internal:6379/1",
    "PATCHWORK_JURISDICTION": "england",
    "AWS_REGION": "eu-west-2",
    "AWS_STORAGE_BUCKET_NAME": "patchwork-media",
    "AWS_AUDIT_ARCHIVE_BUCKET_NAME": "patchwork-audit-archive",
    "AWS_S3_KMS_KEY_ID": "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-0000-0000-000000000000",
    "PLATFORM_DOMAIN": "patchwork.example",
}


def _check_deploy(**extra_env: str) -> subprocess.CompletedProcess[str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key not in {"SENTRY_DSN", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=inherited | PRODUCTION_ENV | extra_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_production_settings_pass_check_deploy() -> None:
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_production_is_weakened() -> None:
    """The check above can fail: without the HTTPS redirect Django warns (security.W008)."""
    result = _check_deploy(SECURE_SSL_REDIRECT="false")
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
