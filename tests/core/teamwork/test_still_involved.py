"""Asking members with no contact recorded whether they are still involved: the nightly run (asking, reminding,
telling the lead), the signed links and the home page's answers — and every way a link is refused, with nothing
changed."""

import datetime

import pytest
from django.core import signing
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import Origin
from core.clients.models import Involvement, TeamActivity
from core.governance.rules import Rules, StillInvolvedAsking
from core.inbox.models import Notice, NoticeKind
from core.notifications.models import Notification
from core.teamwork.models import InvolvementCheck, StillInvolvedAnswer
from core.teamwork.still_involved import SALT, involvement_checks_run, still_involved_token
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.governance.rulebook import rules_in_force
from tests.core.teamwork.conftest import Team, text_of
from tests.factories import ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

ORIGIN = Origin(base_url="http://alpha.localhost")
STILL = StillInvolvedAnswer.STILL_INVOLVED
NO_LONGER = StillInvolvedAnswer.NO_LONGER_INVOLVED


def _recent(team: Team, *who: object) -> None:
    """Contact recorded yesterday for these members: they are not due."""
    Involvement.objects.filter(client=team.client, practitioner__in=who).update(
        last_contact_on=timezone.localdate() - datetime.timedelta(days=1)
    )


def _nurse_only(team: Team) -> InvolvementCheck:
    """Only the nurse is due (no contact since she joined, months ago): her check, opened tonight."""
    _recent(team, team.member, team.recovery_worker)
    involvement_checks_run(origin=ORIGIN)
    return InvolvementCheck.objects.get()


def _url(check: InvolvementCheck, answer: str) -> str:
    """The signed link, made in council A (the council's schema is in the link's salt)."""
    with schema_context("council_alpha"):
        return f"/still-involved/{still_involved_token(check_id=check.pk, answer=answer)}/"


def _unchanged(check: InvolvementCheck) -> bool:
    check.refresh_from_db()
    involvement = Involvement.objects.get(pk=check.involvement_id)
    return check.answered_at is None and involvement.ended_on is None


# The nightly run -------------------------------------------------------------------------------------------------


def test_the_run_asks_each_member_past_the_rule_once_and_tells_them_without_client_data(
    council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        _recent(team, team.member)
        first = involvement_checks_run(origin=ORIGIN)
        asked = set(InvolvementCheck.objects.values_list("involvement__practitioner_id", flat=True))
        notices = list(Notice.objects.filter(kind=NoticeKind.STILL_INVOLVED))
        emails = list(Notification.objects.filter(subject__contains="still involved"))
        second = involvement_checks_run(origin=ORIGIN)
        assert InvolvementCheck.objects.count() == 2
        assert Notice.objects.count() == len(notices)
    assert (first.asked, second.asked, second.reminded, second.escalated) == (2, 0, 0, 0)
    assert asked == {team.nurse.pk, team.recovery_worker.pk}
    assert {notice.recipient_id for notice in notices} == {team.nurse.user_id, team.recovery_worker.user_id}
    assert all(notice.link == "/#still-involved" and "90 days" in notice.text for notice in notices)
    for text in [n.text for n in notices] + [e.body for e in emails]:
        assert "Jade" not in text
        assert "Hughes" not in text
        assert "2014" not in text
    assert {email.to for email in emails} == {team.nurse.user.email, team.recovery_worker.user.email}
    assert all("http://alpha.localhost/#still-involved" in email.body for email in emails)


def test_the_clock_runs_from_the_last_contact_or_the_start_or_the_last_still_involved_answer(
    council_a: Council, team: Team
) -> None:
    today = timezone.localdate()
    with schema_context(council_a.schema_name):
        rules_in_force(Rules(still_involved=StillInvolvedAsking(after_days=30, reminder_days=7)))
        Involvement.objects.filter(client=team.client, practitioner=team.member).update(
            last_contact_on=today - datetime.timedelta(days=29)
        )
        Involvement.objects.filter(client=team.client, practitioner=team.nurse).update(
            started_on=today - datetime.timedelta(days=40), last_contact_on=None
        )
        recovery = Involvement.objects.get(client=team.client, practitioner=team.recovery_worker)
        InvolvementCheck.objects.create(
            involvement=recovery,
            asked_at=timezone.now() - datetime.timedelta(days=12),
            answered_at=timezone.now() - datetime.timedelta(days=10),
            answer=STILL,
        )
        involvement_checks_run(origin=ORIGIN)
        opened = set(
            InvolvementCheck.objects.filter(answered_at__isnull=True).values_list(
                "involvement__practitioner_id", flat=True
            )
        )
    assert opened == {team.nurse.pk}  # Maya had contact 29 days ago; Rory said "still involved" 10 days ago


def _statements(queries: CaptureQueriesContext) -> int:
    """How many statements, leaving out the ``SET search_path`` a schema switch may add."""
    return len([query for query in queries.captured_queries if not query["sql"].startswith("SET ")])


def test_the_run_costs_the_same_queries_for_a_few_involvements_as_for_many(council_a: Council, team: Team) -> None:
    def run_once() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            run = involvement_checks_run(origin=ORIGIN)
        return run.asked, _statements(queries)

    with schema_context(council_a.schema_name):
        few = run_once()
        for _ in range(30):
            InvolvementFactory(client=ClientFactory(), practitioner=team.nurse, started_on=datetime.date(2025, 1, 1))
        many = run_once()
        # A week on, every one of them is reminded: the same again.
        InvolvementCheck.objects.update(asked_at=timezone.now() - datetime.timedelta(days=8))
        with CaptureQueriesContext(connection) as queries:
            reminded = involvement_checks_run(origin=ORIGIN).reminded
    assert (few[0], many[0], reminded) == (3, 30, 33)
    assert few[1] == many[1]
    assert _statements(queries) <= many[1]


def test_no_answer_brings_one_reminder_then_the_lead_is_told_once(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        Notice.objects.all().delete()
        involvement_checks_run(origin=ORIGIN)
        assert not Notice.objects.exists()  # too soon for a reminder
        InvolvementCheck.objects.update(asked_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
        assert involvement_checks_run(origin=ORIGIN).reminded == 1
        assert involvement_checks_run(origin=ORIGIN).reminded == 0  # once
        reminder = Notice.objects.get()
        assert reminder.recipient_id == team.nurse.user_id
        assert reminder.text.startswith("A reminder")
        InvolvementCheck.objects.update(reminded_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
        assert involvement_checks_run(origin=ORIGIN).escalated == 1
        assert involvement_checks_run(origin=ORIGIN).escalated == 0  # once
        told = Notice.objects.exclude(pk=reminder.pk).get()
        check.refresh_from_db()
    assert check.lead_told_at is not None
    assert check.answered_at is None
    assert told.recipient_id == team.member.user_id  # Maya is the lead
    assert told.text.startswith("Nia Nurse (Alpha Primary School) has not said whether they are still involved")
    assert told.link == f"/clients/{team.client.pk}/"
    assert "Jade" not in told.text


def test_when_the_lead_cannot_be_told_the_practitioners_agency_managers_are(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        manager = verified_practitioner(team.recovery, "Mona", "Manager", is_agency_manager=True)
        _recent(team, team.member, team.nurse)
        involvement_checks_run(origin=ORIGIN)  # Rory: a placeholder to Maya, the lead
        InvolvementCheck.objects.update(
            asked_at=timezone.now() - datetime.timedelta(days=15),
            reminded_at=timezone.now() - datetime.timedelta(days=8),
        )
        Notice.objects.all().delete()
        assert involvement_checks_run(origin=ORIGIN).escalated == 1
        told = Notice.objects.get()
    assert told.recipient_id == manager.user_id  # not the lead, who sees Rory only as a confidential service
    assert told.text.startswith("Rory Recovery (Alpha Recovery Service) has not said")
    assert told.link == f"/directory/people/{team.recovery_worker.pk}/"


def test_the_lead_themself_unanswered_goes_to_their_agency_managers(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        manager = verified_practitioner(team.children, "Meg", "Manager", is_agency_manager=True)
        _recent(team, team.nurse, team.recovery_worker)
        involvement_checks_run(origin=ORIGIN)
        InvolvementCheck.objects.update(reminded_at=timezone.now() - datetime.timedelta(days=8))
        Notice.objects.all().delete()
        involvement_checks_run(origin=ORIGIN)
        assert list(Notice.objects.values_list("recipient_id", flat=True)) == [manager.user_id]


# Answering --------------------------------------------------------------------------------------------------------


def test_a_get_only_asks_to_confirm_and_the_post_records_still_involved_once(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        url = _url(check, STILL)
    browser = browser_as(team.nurse)  # type: ignore[operator]
    page = browser.get(url)
    assert page.status_code == 200
    assert "I am still involved" in text_of(page)
    with schema_context(council_a.schema_name):
        assert _unchanged(check)  # a mail scanner following the link changes nothing
    assert browser.post(url).status_code == 302
    again = browser.post(url)
    assert again.status_code == 400
    assert "already answered" in text_of(again)
    with schema_context(council_a.schema_name):
        check.refresh_from_db()
        assert check.answer == STILL
        assert Involvement.objects.get(pk=check.involvement_id).ended_on is None
        assert (
            AuditEvent.objects.filter(action=AuditAction.STILL_INVOLVED_ANSWERED, object_id=str(check.pk)).count() == 1
        )
        # The clock starts again: tonight's run does not ask her.
        assert involvement_checks_run(origin=ORIGIN).asked == 0


def test_no_longer_involved_ends_the_involvement_and_the_team_is_told(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        url = _url(check, NO_LONGER)
    browser = browser_as(team.nurse)  # type: ignore[operator]
    assert "I am no longer involved" in text_of(browser.get(url))
    assert browser.post(url).status_code == 302
    with schema_context(council_a.schema_name):
        check.refresh_from_db()
        involvement = Involvement.objects.get(pk=check.involvement_id)
        assert check.answer == NO_LONGER
        assert involvement.ended_on == timezone.localdate()
        assert AuditEvent.objects.filter(action=AuditAction.INVOLVEMENT_ENDED, object_id=str(involvement.pk)).exists()
        assert TeamActivity.objects.filter(kind=TeamActivity.Kind.LEFT, actor=team.nurse).exists()
        assert Notification.objects.filter(to=team.member.user.email, subject="A change in one of your teams").exists()


def test_the_home_page_shows_open_checks_with_both_answers_as_forms(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        _nurse_only(team)
    browser = browser_as(team.nurse)  # type: ignore[operator]
    home = text_of(browser.get("/"))
    section = home.split('id="still-involved"', 1)[1].split("</section>", 1)[0]
    assert "Jade Hughes" in section
    assert section.count('method="post"') == 2
    no_longer = section.split('action="', 3)[2].split('"', 1)[0]
    assert browser.post(no_longer).status_code == 302
    with schema_context(council_a.schema_name):
        assert Involvement.objects.get(client=team.client, practitioner=team.nurse).ended_on is not None
    assert 'id="still-involved"' not in text_of(browser.get("/"))


def test_another_practitioners_link_is_not_found_and_changes_nothing(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
    for someone in (team.member, team.outsider, team.recovery_colleague):
        browser = browser_as(someone)  # type: ignore[operator]
        for answer in (STILL, NO_LONGER):
            assert browser.get(_url(check, answer)).status_code == 404
            assert browser.post(_url(check, answer)).status_code == 404
        browser.post("/sign-out/")
    with schema_context(council_a.schema_name):
        assert _unchanged(check)


def test_a_signed_out_visitor_is_sent_to_sign_in_and_nothing_changes(
    council_a: Council, team: Team, client_a: Browser
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        url = _url(check, NO_LONGER)
    response = client_a.post(url)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    with schema_context(council_a.schema_name):
        assert _unchanged(check)


def test_expired_tampered_and_foreign_links_are_refused_and_nothing_changes(
    council_a: Council, council_b: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        good = still_involved_token(check_id=check.pk, answer=NO_LONGER)
        expired = _old_signer()(salt=f"{SALT}:{council_a.schema_name}").sign_object(
            {"c": str(check.pk), "a": NO_LONGER}
        )
    with schema_context(council_b.schema_name):
        other_council = still_involved_token(check_id=check.pk, answer=NO_LONGER)  # the same check id, signed in B
    other_salt = signing.dumps({"c": str(check.pk), "a": NO_LONGER}, salt="accounts.something-else")
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    forged_answer = signing.dumps({"c": str(check.pk), "a": "maybe"}, salt=f"{SALT}:{council_a.schema_name}")
    browser = browser_as(team.nurse)  # type: ignore[operator]
    for token, says in (
        (expired, "expired"),
        (other_council, "does not work"),
        (other_salt, "does not work"),
        (tampered, "does not work"),
        (forged_answer, "does not work"),
        ("not-a-token", "does not work"),
    ):
        for method in ("get", "post"):
            response = getattr(browser, method)(f"/still-involved/{token}/")
            assert response.status_code == 400, (token, method)
            assert says in text_of(response)
    with schema_context(council_a.schema_name):
        assert _unchanged(check)
        assert not AuditEvent.objects.filter(action=AuditAction.STILL_INVOLVED_ANSWERED).exists()


def _old_signer() -> type:
    """A TimestampSigner whose clock reads 29 days ago: its links are past LINK_DAYS."""
    import time

    class Old(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - 29 * 24 * 3600))

    return Old


def test_a_check_of_an_involvement_already_ended_is_refused(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        Involvement.objects.filter(pk=check.involvement_id).update(ended_on=timezone.localdate())
    browser = browser_as(team.nurse)  # type: ignore[operator]
    response = browser.post(_url(check, STILL))
    assert response.status_code == 400
    assert "already left" in text_of(response)
    with schema_context(council_a.schema_name):
        check.refresh_from_db()
        assert check.answered_at is None


def test_another_councils_practitioner_cannot_answer_at_their_own_site(
    council_a: Council, council_b: Council, team: Team, client_b: Browser
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        token = still_involved_token(check_id=check.pk, answer=NO_LONGER)
    from core.directory.models import Agency
    from tests.factories import AgencyFactory

    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Services", email_domains=["beta.example"])
        someone = verified_practitioner(agency, "Bo", "Beta")
        assert Agency.objects.count() >= 1
    sign_in(client_b, someone.user, council_b)
    assert host_of(council_b) != host_of(council_a)
    assert client_b.post(f"/still-involved/{token}/").status_code == 400
    with schema_context(council_a.schema_name):
        assert _unchanged(check)


def test_a_contact_recorded_after_asking_withdraws_the_question(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        check = _nurse_only(team)
        Involvement.objects.filter(pk=check.involvement_id).update(last_contact_on=timezone.localdate())
    home = text_of(browser_as(team.nurse).get("/"))  # type: ignore[operator]
    assert 'id="still-involved"' not in home
    with schema_context(council_a.schema_name):
        InvolvementCheck.objects.update(asked_at=timezone.now() - datetime.timedelta(days=8))
        Notice.objects.all().delete()
        run = involvement_checks_run(origin=ORIGIN)
        assert (run.withdrawn, run.reminded, run.asked) == (1, 0, 0)
        assert not InvolvementCheck.objects.exists()
        assert not Notice.objects.exists()
