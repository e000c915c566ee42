"""Lockout after 5 consecutive failures, at either step; cool-off; administrator unlock (SECURITY.md AUTH-4)."""

import pytest
from django.db import DataError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.services.sign_in import MAX_FAILURES, sign_in_failure_record
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import NO_ORIGIN, Origin
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.accounts.helpers import (
    GENERIC_SIGN_IN_ERROR,
    MINUTE,
    SECOND,
    audit_events,
    code_step,
    frozen_clock,
    give_backup_code,
    password_step,
    reload,
    without_volatile_parts,
)
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.council_side

WRONG = "not-my-password-at-all"
CODE = "backup77q"


@pytest.fixture
def practitioner(council_a: Council):
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(user__email="robin@agency.example")
    give_backup_code(practitioner.user, council_a, CODE)
    return practitioner


@pytest.fixture
def person(practitioner):
    return practitioner.user


def fail_passwords(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        response = password_step(client, email, WRONG)
        assert response.status_code == 200
        assert GENERIC_SIGN_IN_ERROR in response.content.decode()


def assert_refused(response) -> None:
    assert response.status_code == 200, f"expected the sign-in page again, got {response.status_code}"
    assert GENERIC_SIGN_IN_ERROR in response.content.decode()


def test_five_wrong_passwords_lock_the_account_so_the_right_one_is_refused(
    client_a: Client, council_a: Council, person
) -> None:
    fail_passwords(client_a, person.email, 5)

    assert_refused(password_step(client_a, person.email))
    assert client_a.get("/sign-in/code/").url == "/sign-in/"
    assert code_step(client_a, CODE).url == "/sign-in/"
    assert client_a.get("/").status_code == 302

    reload(person, council_a)
    assert person.locked_until is not None
    assert timezone.now() + 14 * MINUTE < person.locked_until <= timezone.now() + 15 * MINUTE
    [locked] = audit_events(council_a, action=AuditAction.LOCKED_OUT, actor_id=person.pk)
    assert locked.outcome == AuditOutcome.DENIED
    assert audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk, reason="account locked")


def test_four_wrong_passwords_do_not_lock_the_account(client_a: Client, council_a: Council, person) -> None:
    fail_passwords(client_a, person.email, 4)
    assert password_step(client_a, person.email).url == "/sign-in/code/"
    assert code_step(client_a, CODE).url == "/"
    assert reload(person, council_a).locked_until is None
    assert not audit_events(council_a, action=AuditAction.LOCKED_OUT)


def test_five_wrong_codes_at_the_second_step_lock_the_account(client_a: Client, council_a: Council, person) -> None:
    assert password_step(client_a, person.email).url == "/sign-in/code/"
    for attempt in range(1, 6):
        response = code_step(client_a, f"wrongcode{attempt}")
        if attempt < 5:
            assert response.status_code == 200
            assert "Enter a correct code" in response.content.decode()
    assert response.status_code == 302
    assert response.url == "/sign-in/"

    assert_refused(password_step(client_a, person.email))
    assert client_a.get("/").status_code == 302
    assert reload(person, council_a).locked_until is not None
    assert len(audit_events(council_a, action=AuditAction.SECOND_FACTOR_FAILED, actor_id=person.pk)) == 5
    assert audit_events(council_a, action=AuditAction.LOCKED_OUT, actor_id=person.pk)


def test_failures_at_both_steps_add_up_to_a_lockout(client_a: Client, council_a: Council, person) -> None:
    fail_passwords(client_a, person.email, 3)
    assert password_step(client_a, person.email).url == "/sign-in/code/"
    assert code_step(client_a, "wrongcode1").status_code == 200
    assert code_step(client_a, "wrongcode2").url == "/sign-in/"

    assert_refused(password_step(client_a, person.email))
    assert reload(person, council_a).locked_until is not None


def test_the_right_code_after_a_lockout_is_refused_too(client_a: Client, council_a: Council, person) -> None:
    """Someone who had typed the password before the lock cannot finish signing in while it lasts."""
    attacker = Client(HTTP_HOST=host_of(council_a))
    assert password_step(client_a, person.email).url == "/sign-in/code/"
    fail_passwords(attacker, person.email, 5)
    response = code_step(client_a, CODE)
    assert response.status_code == 302
    assert response.url == "/sign-in/"
    assert client_a.get("/").status_code == 302


@pytest.mark.parametrize("case", ["wrong password", "locked account, right password"])
def test_unknown_email_and_refused_known_account_get_byte_identical_pages(
    client_a: Client, council_a: Council, person, case: str
) -> None:
    if case == "locked account, right password":
        fail_passwords(Client(HTTP_HOST=host_of(council_a)), person.email, 5)
        known = password_step(client_a, person.email)
    else:
        known = password_step(client_a, person.email, WRONG)
    unknown = password_step(client_a, "nobody@agency.example", WRONG)

    assert known.status_code == unknown.status_code == 200
    assert without_volatile_parts(known, person.email) == without_volatile_parts(unknown, "nobody@agency.example")
    assert known.get("Set-Cookie") == unknown.get("Set-Cookie")


def test_after_15_minutes_the_right_password_works_again(client_a: Client, council_a: Council, person) -> None:
    with frozen_clock() as clock:
        fail_passwords(client_a, person.email, 5)
        clock.shift(14 * MINUTE)
        assert_refused(password_step(client_a, person.email))
        clock.shift(MINUTE + SECOND)
        assert password_step(client_a, person.email).url == "/sign-in/code/"
        assert code_step(client_a, CODE).url == "/"
        assert client_a.get("/").status_code == 200
    reload(person, council_a)
    assert person.failed_sign_ins == 0
    assert person.locked_until is None


def test_after_the_cool_off_one_more_wrong_password_does_not_lock_again(
    client_a: Client, council_a: Council, person
) -> None:
    with frozen_clock() as clock:
        fail_passwords(client_a, person.email, 5)
        clock.shift(15 * MINUTE + SECOND)
        fail_passwords(client_a, person.email, 1)
        assert password_step(client_a, person.email).url == "/sign-in/code/"
    assert len(audit_events(council_a, action=AuditAction.LOCKED_OUT, actor_id=person.pk)) == 1


def test_wrong_passwords_while_locked_are_recorded_but_do_not_extend_the_lockout(
    client_a: Client, council_a: Council, person
) -> None:
    """Otherwise a wrong password every few minutes would keep someone locked out for good."""
    attacker = Client(HTTP_HOST=host_of(council_a))
    with frozen_clock() as clock:
        fail_passwords(attacker, person.email, 5)
        locked_until = reload(person, council_a).locked_until
        for _ in range(3):
            clock.shift(4 * MINUTE)
            fail_passwords(attacker, person.email, 1)
        assert reload(person, council_a).locked_until == locked_until
        clock.shift(3 * MINUTE + SECOND)  # 15 minutes after the lockout began
        assert password_step(client_a, person.email).url == "/sign-in/code/"
        assert code_step(client_a, CODE).url == "/"
    locked = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk, reason="account locked")
    assert len(locked) == 3
    assert {event.outcome for event in locked} == {AuditOutcome.DENIED}
    assert len(audit_events(council_a, action=AuditAction.LOCKED_OUT, actor_id=person.pk)) == 1


def test_a_council_administrator_unlocks_an_account_at_once(
    client_a: Client, council_a: Council, practitioner, person
) -> None:
    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(user__email="admin@agency.example", is_council_admin=True)
    owner = Client(HTTP_HOST=host_of(council_a))
    fail_passwords(owner, person.email, 5)
    assert_refused(password_step(owner, person.email))

    sign_in(client_a, admin.user, council_a)
    response = client_a.post(f"/team/practitioners/{practitioner.pk}/unlock/")
    assert response.status_code == 302
    assert response.url == "/team/"

    assert password_step(owner, person.email).url == "/sign-in/code/"
    assert code_step(owner, CODE).url == "/"
    assert owner.get("/").status_code == 200
    [unlocked] = audit_events(council_a, action=AuditAction.UNLOCKED)
    assert unlocked.actor_id == admin.user.pk
    assert unlocked.object_id == str(person.pk)


# --- No error later in a request cancels a failure (issue: a NUL in the User-Agent) ------------------

NUL_USER_AGENT = "Mozilla/5.0\x00(guessing)"


def test_seven_wrong_passwords_with_a_nul_in_the_user_agent_lock_the_account_and_are_all_recorded(
    council_a: Council, person
) -> None:
    attacker = Client(HTTP_HOST=host_of(council_a), HTTP_USER_AGENT=NUL_USER_AGENT)
    fail_passwords(attacker, person.email, 7)

    assert_refused(password_step(attacker, person.email))
    assert reload(person, council_a).locked_until is not None
    failures = audit_events(council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk, reason="wrong password")
    while_locked = audit_events(
        council_a, action=AuditAction.SIGN_IN_FAILED, actor_id=person.pk, reason="account locked"
    )
    assert len(failures) == 5
    assert len(while_locked) == 3  # the sixth and seventh guesses, and the right password after them
    assert {event.user_agent for event in failures + while_locked} == {"Mozilla/5.0(guessing)"}
    assert audit_events(council_a, action=AuditAction.LOCKED_OUT, actor_id=person.pk)


def test_wrong_codes_with_a_nul_in_the_user_agent_lock_the_account_and_are_all_recorded(
    council_a: Council, person
) -> None:
    attacker = Client(HTTP_HOST=host_of(council_a), HTTP_USER_AGENT=NUL_USER_AGENT)
    assert password_step(attacker, person.email).url == "/sign-in/code/"
    for attempt in range(1, 6):
        response = code_step(attacker, f"wrongcode{attempt}")
        assert response.status_code in (200, 302)
    assert response.url == "/sign-in/"

    assert code_step(attacker, CODE).url == "/sign-in/"
    assert_refused(password_step(attacker, person.email))
    assert reload(person, council_a).locked_until is not None
    assert len(audit_events(council_a, action=AuditAction.SECOND_FACTOR_FAILED, actor_id=person.pk)) == 5
    assert audit_events(council_a, action=AuditAction.LOCKED_OUT, actor_id=person.pk)


def test_a_nul_in_the_user_agent_does_not_stop_a_correct_sign_in(council_a: Council, person) -> None:
    browser = Client(HTTP_HOST=host_of(council_a), HTTP_USER_AGENT=NUL_USER_AGENT)
    assert password_step(browser, person.email).url == "/sign-in/code/"
    assert code_step(browser, CODE).url == "/"
    assert browser.get("/").status_code == 200


def test_a_failure_whose_audit_row_the_database_refuses_still_counts_and_still_locks(
    council_a: Council, person
) -> None:
    """Whatever makes the trail fail after a wrong guess, the guess has been counted."""
    refused_by_postgresql = Origin(user_agent="\x00")  # PostgreSQL text cannot hold a NUL
    with schema_context(council_a.schema_name):
        for attempt in range(1, 6):
            with pytest.raises(DataError):
                sign_in_failure_record(
                    user=person,
                    action=AuditAction.SIGN_IN_FAILED,
                    reason="wrong password",
                    origin=refused_by_postgresql,
                )
            person.refresh_from_db()
            assert person.failed_sign_ins == attempt
    assert person.locked_until is not None
    assert_refused(password_step(Client(HTTP_HOST=host_of(council_a)), person.email))


def test_two_failures_counted_from_a_stale_copy_of_the_account_both_count(council_a: Council, person) -> None:
    """The count is read and written by the database in one statement, not from what the caller last read."""
    with schema_context(council_a.schema_name):
        stale = type(person).objects.get(pk=person.pk)
        for _ in range(MAX_FAILURES):
            sign_in_failure_record(
                user=stale, action=AuditAction.SIGN_IN_FAILED, reason="wrong password", origin=NO_ORIGIN
            )
        person.refresh_from_db()
    assert person.failed_sign_ins == MAX_FAILURES
    assert person.locked_until is not None
