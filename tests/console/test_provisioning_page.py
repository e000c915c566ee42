"""A council's provisioning in the console: each step's state as it goes, and retrying after a failure.

The failure here has a real cause: the web address the council needs already belongs to another
council. Retrying is offered, and accepted, only after a failure.
"""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from onboarding.models import Order
from onboarding.services.provisioning import STEPS, council_create
from tenants.models import Council, CouncilStatus, Domain
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.onboarding.ordering import order_placed, tasks_in_process

pytestmark = pytest.mark.platform_side

PAGE = "/console/councils/kingston/provisioning/"
RETRY = "/console/councils/kingston/provisioning/retry/"
REFRESH = '<meta http-equiv="refresh" content="3">'


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True)


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


@pytest.fixture
def council(db: None) -> Council:
    return council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")


def _progress(council: Council, **fields: object) -> None:
    Council.objects.filter(pk=council.pk).update(**fields)


def _states(page: str) -> dict[str, str]:
    """Each step's state as the page shows it, by step name."""
    found = re.findall(r'id="step-([a-z]+)-status">\s*(?:<strong[^>]*>)?([A-Za-z ]+?)\s*(?:</strong>)?\s*</div>', page)
    return dict(found)


def _retries() -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(action=AuditAction.PROVISIONING_RETRIED))


def test_a_council_waiting_to_start_shows_every_step_not_started_and_refreshes(
    console: Client, council: Council
) -> None:
    page = console.get(PAGE).content.decode()
    assert _states(page) == {step.name: "Not started" for step in STEPS}
    assert REFRESH in page.split("</head>")[0]
    assert "0%" in page
    assert "Retry provisioning" not in page


def test_a_council_part_way_shows_steps_done_in_progress_and_not_started(console: Client, council: Council) -> None:
    _progress(council, status=CouncilStatus.PROVISIONING, provisioning_step="domain", provisioning_progress=40)
    page = console.get(PAGE).content.decode()
    assert _states(page) == {
        "schema": "Done",
        "defaults": "Done",
        "domain": "In progress",
        "administrator": "Not started",
        "open": "Not started",
    }
    assert "40% (2 of 5 steps done)" in page
    assert REFRESH in page
    assert "Retry provisioning" not in page


def test_a_failed_step_shows_its_error_and_a_retry_button_and_stops_refreshing(
    console: Client, council: Council
) -> None:
    error = "Registering the council's web address failed: ConnectionError. Run provisioning again to resume."
    _progress(
        council,
        status=CouncilStatus.PROVISIONING,
        provisioning_step="domain",
        provisioning_progress=40,
        provisioning_error=error,
    )
    page = console.get(PAGE).content.decode()
    assert _states(page)["domain"] == "Failed"
    assert _states(page)["defaults"] == "Done"
    assert error.replace("'", "&#x27;") in page
    assert f'action="{RETRY}"' in page
    assert "http-equiv" not in page


def test_a_finished_council_shows_every_step_done_and_does_not_refresh(console: Client, council: Council) -> None:
    _progress(council, status=CouncilStatus.CONFIGURING, provisioning_step="done", provisioning_progress=100)
    page = console.get(PAGE).content.decode()
    assert _states(page) == {step.name: "Done" for step in STEPS}
    assert "100% (5 of 5 steps done)" in page
    assert "Kingston City Council is configuring." in page
    assert "http-equiv" not in page
    assert "Retry provisioning" not in page


def test_the_councils_list_links_each_council_to_its_provisioning(console: Client, council_a: Council) -> None:
    page = console.get("/console/").content.decode()
    assert 'href="/console/councils/alpha/provisioning/"' in page


def test_an_unknown_council_has_no_provisioning_page(console: Client) -> None:
    assert console.get("/console/councils/nowhere/provisioning/").status_code == 404
    assert console.post("/console/councils/nowhere/provisioning/retry/").status_code == 404


def test_someone_who_is_not_staff_sees_no_provisioning_and_cannot_retry(
    platform_client: Client, council: Council
) -> None:
    _progress(council, status=CouncilStatus.PROVISIONING, provisioning_step="domain", provisioning_error="failed")
    sign_in(platform_client, UserFactory(email="someone@patchwork.example", is_staff=False))
    assert platform_client.get(PAGE).status_code == 403
    assert platform_client.post(RETRY).status_code == 403
    assert Council.objects.get(pk=council.pk).provisioning_error == "failed"
    assert _retries() == []


@pytest.mark.parametrize("status", [CouncilStatus.PROVISIONING, CouncilStatus.CONFIGURING])
def test_retrying_without_a_failure_is_refused_and_changes_nothing(
    console: Client, council: Council, status: str, django_capture_on_commit_callbacks: object
) -> None:
    _progress(council, status=status, provisioning_step="domain")
    with django_capture_on_commit_callbacks() as queued:  # type: ignore[operator]
        response = console.post(RETRY)
    assert response.status_code == 409
    assert "provisioning has not failed: there is nothing to retry. Nothing was changed." in response.content.decode()
    assert queued == []
    assert _retries() == []
    assert Council.objects.get(pk=council.pk).status == status


def test_retrying_is_a_post(console: Client, council: Council) -> None:
    _progress(council, provisioning_error="failed")
    assert console.get(RETRY).status_code == 405
    assert Council.objects.get(pk=council.pk).provisioning_error == "failed"


@pytest.mark.database_owner
def test_a_step_that_fails_is_shown_then_a_retry_after_the_cause_is_fixed_finishes_it(
    console: Client, council_a: Council, operator: User, django_capture_on_commit_callbacks: object
) -> None:
    order = order_placed()
    # The web address the new council needs is already another council's: the domain step cannot be done.
    taken = Domain.objects.create(domain="kingston.localhost", tenant=council_a, is_primary=False)
    with tasks_in_process(), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = console.post(f"/console/orders/{order.reference}/approve/")
    assert response.url == PAGE
    council = Council.objects.get(slug="kingston")
    assert council.status == CouncilStatus.PROVISIONING
    page = console.get(PAGE).content.decode()
    assert _states(page) == {
        "schema": "Done",
        "defaults": "Done",
        "domain": "Failed",
        "administrator": "Not started",
        "open": "Not started",
    }
    assert "the web address kingston.localhost belongs to another council" in page
    assert "Retry provisioning</button>" in page
    assert "http-equiv" not in page

    taken.delete()  # the operator sorts out the address, then retries
    with tasks_in_process(), django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = console.post(RETRY)
    assert (response.status_code, response.url) == (302, PAGE)
    council.refresh_from_db()
    assert (council.status, council.provisioning_error, council.provisioning_step) == (
        CouncilStatus.CONFIGURING,
        "",
        "done",
    )
    [retry] = _retries()
    assert (retry.actor_id, retry.object_id, retry.council) == (operator.pk, "kingston", "public")
    assert "belongs to another council" in retry.reason
    assert Domain.objects.get(tenant=council).domain == "kingston.localhost"
    assert Order.objects.get(pk=order.pk).council_id == council.pk

    again = console.post(RETRY)  # nothing failed any more
    assert again.status_code == 409
    assert len(_retries()) == 1
