"""Operators suspend and resume councils from the console, with a reason, each move audited.

Only platform staff signed in with both factors; moves the lifecycle does not allow are neither
offered nor accepted from a forged form.
"""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from tenants.models import Council, CouncilStatus
from tests.conftest import sign_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.platform_side

SUSPEND = "/console/councils/alpha/suspend/"
RESUME = "/console/councils/alpha/resume/"


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


def _status(council: Council) -> str:
    return Council.objects.get(pk=council.pk).status


def _moves(council: Council) -> list[AuditEvent]:
    with schema_context("public"):
        return list(
            AuditEvent.objects.filter(
                action=AuditAction.COUNCIL_STATUS_CHANGED, object_id=council.slug, path__startswith="/console/"
            )
        )


def test_a_live_council_can_be_suspended_and_not_resumed(console: Client, council_a: Council) -> None:
    page = console.get("/console/").content.decode()
    assert f'href="{SUSPEND}"' in page
    assert f'href="{RESUME}"' not in page
    assert 'Suspend<span class="govuk-visually-hidden"> Alpha District Council</span>' in page


def test_a_suspended_council_can_be_resumed_and_not_suspended(console: Client, council_a: Council) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.SUSPENDED)
    page = console.get("/console/").content.decode()
    assert f'href="{RESUME}"' in page
    assert f'href="{SUSPEND}"' not in page
    assert "Suspended" in page


@pytest.mark.parametrize("status", [CouncilStatus.ORDERED, CouncilStatus.PROVISIONING, CouncilStatus.CLOSED])
def test_a_council_that_is_not_live_or_suspended_is_offered_neither(
    console: Client, council_a: Council, status: str
) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=status)
    page = console.get("/console/").content.decode()
    assert SUSPEND not in page
    assert RESUME not in page
    assert 'href="/console/councils/alpha/provisioning/"' in page  # its provisioning can always be looked at


def test_the_suspend_page_asks_for_a_reason(console: Client, council_a: Council) -> None:
    page = console.get(SUSPEND).content.decode()
    assert "Why are you suspending Alpha District Council?" in page
    assert '<label class="govuk-label govuk-label--l" for="reason">' in page


def test_suspending_with_a_reason_suspends_and_audits_it_with_the_operator(
    console: Client, council_a: Council, operator: User
) -> None:
    response = console.post(SUSPEND, {"reason": "  Contract ended by the council  "})
    assert response.status_code == 302
    assert response.url == "/console/"
    assert _status(council_a) == CouncilStatus.SUSPENDED
    [event] = _moves(council_a)
    assert (event.actor_id, event.reason, event.council) == (operator.pk, "Contract ended by the council", "public")
    assert event.changes == {"status": {"old": "live", "new": "suspended"}}
    assert event.path == SUSPEND
    assert "Alpha District Council is suspended." in console.get("/console/").content.decode()


def test_resuming_with_a_reason_brings_the_council_back(console: Client, council_a: Council, operator: User) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.SUSPENDED)
    response = console.post(RESUME, {"reason": "Invoice paid"})
    assert response.status_code == 302
    assert _status(council_a) == CouncilStatus.LIVE
    [event] = _moves(council_a)
    assert event.changes == {"status": {"old": "suspended", "new": "live"}}
    assert Client(HTTP_HOST="alpha.localhost").get("/sign-in/").status_code == 200


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_nothing_changes_and_the_error_says_what_to_do(
    console: Client, council_a: Council, reason: str
) -> None:
    response = console.post(SUSPEND, {"reason": reason})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#reason">Enter why you are suspending Alpha District Council</a>' in page
    assert "<title>Error: Suspend Alpha District Council" in page
    assert _status(council_a) == CouncilStatus.LIVE
    assert _moves(council_a) == []


def test_a_reason_too_long_for_the_audit_trail_is_refused_and_kept(console: Client, council_a: Council) -> None:
    response = console.post(SUSPEND, {"reason": "x" * 301})
    assert "The reason must be 300 characters or fewer" in response.content.decode()
    assert "x" * 301 in response.content.decode()
    assert _status(council_a) == CouncilStatus.LIVE


@pytest.mark.parametrize(
    ("status", "path", "message"),
    [
        (CouncilStatus.LIVE, RESUME, "Alpha District Council is live: it cannot be resumed. Nothing was changed."),
        (
            CouncilStatus.SUSPENDED,
            SUSPEND,
            "Alpha District Council is suspended: it cannot be suspended. Nothing was changed.",
        ),
        (CouncilStatus.ORDERED, SUSPEND, "Alpha District Council is ordered: it cannot be suspended."),
        (CouncilStatus.CONFIGURING, RESUME, "Alpha District Council is configuring: it cannot be resumed."),
        (CouncilStatus.CLOSED, RESUME, "Alpha District Council is closed: it cannot be resumed."),
    ],
)
def test_a_forged_move_the_lifecycle_does_not_allow_is_refused_with_a_clear_message(
    console: Client, council_a: Council, status: str, path: str, message: str
) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=status)
    for response in (console.get(path), console.post(path, {"reason": "forged"})):
        assert response.status_code == 409
        assert message in response.content.decode()
        assert 'name="reason"' not in response.content.decode()
    assert _status(council_a) == status
    assert _moves(council_a) == []


@pytest.mark.parametrize("path", ["/console/councils/alpha/close/", "/console/councils/nowhere/suspend/"])
def test_an_unknown_council_or_action_is_not_found(console: Client, council_a: Council, path: str) -> None:
    assert console.post(path, {"reason": "x"}).status_code == 404
    assert _status(council_a) == CouncilStatus.LIVE


def test_signed_in_user_who_is_not_staff_cannot_suspend(platform_client: Client, council_a: Council) -> None:
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get(SUSPEND).status_code == 403
    assert platform_client.post(SUSPEND, {"reason": "x"}).status_code == 403
    assert _status(council_a) == CouncilStatus.LIVE


def test_staff_with_a_password_only_session_cannot_suspend(platform_client: Client, council_a: Council) -> None:
    UserFactory(email="half@patchwork.example", is_staff=True)
    first = platform_client.post("/sign-in/", {"email": "half@patchwork.example", "password": TEST_PASSWORD})
    assert first.status_code == 302
    for response in (platform_client.get(SUSPEND), platform_client.post(SUSPEND, {"reason": "x"})):
        assert response.status_code == 302
        assert response.url.startswith("/sign-in/")
    assert _status(council_a) == CouncilStatus.LIVE
    assert _moves(council_a) == []


def test_a_post_without_the_forms_csrf_token_is_refused(console: Client, council_a: Council) -> None:
    console.handler.enforce_csrf_checks = True
    assert console.post(SUSPEND, {"reason": "Cross-site"}).status_code == 403
    assert _status(council_a) == CouncilStatus.LIVE


def test_a_resume_posted_after_someone_else_moved_the_council_changes_nothing(
    console: Client, council_a: Council
) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.SUSPENDED)
    assert console.get(RESUME).status_code == 200  # the operator reads the page while it is suspended
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.OFFBOARDING)
    response = console.post(RESUME, {"reason": "Invoice paid"})
    assert response.status_code == 409
    assert "Alpha District Council is offboarding: it cannot be resumed." in response.content.decode()
    assert _status(council_a) == CouncilStatus.OFFBOARDING
