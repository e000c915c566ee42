"""Team tasks: giving one, marking it done, the team page and the home page, the daily reminder — and refusals
from the attacker's side (outsiders, another council, another agency's member, malformed posts)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN, Origin
from core.clients.models import Involvement
from core.clients.services import involvement_end
from core.inbox.models import Notice, NoticeKind
from core.notifications.models import Notification
from core.teamwork.models import TeamTask
from core.teamwork.tasks import team_task_assign, team_task_reminders_send, team_tasks_for
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.teamwork.conftest import Team, text_of
from tests.factories import ClientFactory, InvolvementFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

ORIGIN = Origin(base_url="http://alpha.localhost")


def _today() -> datetime.date:
    return timezone.localdate()


def _give(browser: object, client_id: object, **values: str) -> object:
    due = values.pop("due", "")
    day, month, year = due.split("/") if due else ("", "", "")
    data = {"due_on_day": day, "due_on_month": month, "due_on_year": year} | values
    return browser.post(f"/clients/{client_id}/tasks/new/", data)  # type: ignore[attr-defined]


def _date(day: datetime.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _task(team: Team, *, assignee: object = None, due_on: datetime.date | None = None, by: object = None) -> TeamTask:
    return team_task_assign(
        actor=by or team.member,
        client_id=team.client.pk,
        assignee_id=(assignee or team.nurse).pk,
        description="Send the school attendance summary",
        due_on=due_on or _today() + datetime.timedelta(days=3),
        origin=ORIGIN,
    )


# Giving a task ---------------------------------------------------------------------------------------------------


def test_a_member_gives_a_task_and_the_assignee_is_told_without_the_task_or_the_client(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    due = _today() + datetime.timedelta(days=5)
    page = browser.get(f"/clients/{team.client.pk}/tasks/new/")
    assert page.status_code == 200
    assert "Nia Nurse" in text_of(page)
    assert "Rory" not in text_of(page)  # a confidential service's practitioner is not offered (nor named)
    response = _give(
        browser, team.client.pk, assignee=str(team.nurse.pk), description="Send the attendance summary", due=_date(due)
    )
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        task = TeamTask.objects.get()
        assert (task.assignee_id, task.assigned_by_id, task.due_on) == (team.nurse.pk, team.member.pk, due)
        assert AuditEvent.objects.filter(action=AuditAction.TEAM_TASK_ASSIGNED, object_id=str(task.pk)).exists()
        notice = Notice.objects.get(recipient=team.nurse.user)
        email = Notification.objects.get(to=team.nurse.user.email)
    assert notice.kind == NoticeKind.TASK
    expected = (
        "Maya Member (Alpha Children's Services) gave you a task in the team around one of your clients, "
        f"due {due.day} {due:%B %Y}."
    )
    assert notice.text == expected
    assert notice.link == f"/clients/{team.client.pk}/#team-tasks"
    for text in (notice.text, email.subject, email.body):
        assert "attendance" not in text
        assert "Jade" not in text
        assert "Hughes" not in text
    team_page = text_of(browser.get(f"/clients/{team.client.pk}/"))
    assert "Send the attendance summary" in team_page


def test_a_task_for_a_confidential_services_practitioner_shown_as_a_placeholder_is_refused(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    due = _date(_today() + datetime.timedelta(days=2))
    response = _give(
        browser, team.client.pk, assignee=str(team.recovery_worker.pk), description="Call me back", due=due
    )
    assert response.status_code == 400
    assert "Choose a member of the team" in text_of(response)
    with schema_context(council_a.schema_name):
        assert not TeamTask.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"description": "", "due": "+1"}, "description", "Say what the task is"),
        ({"description": "x" * 301, "due": "+1"}, "description", "300 characters or fewer"),
        ({"description": "Call", "due": "-1"}, "due_on", "today or later"),
        ({"description": "Call", "due": "+366"}, "due_on", "within a year"),
        ({"description": "Call", "due": ""}, "due_on", "Enter the due date"),
        ({"description": "Call", "due": "31/2/2027"}, "due_on", "real date"),
        ({"description": "Call", "due": "+1", "assignee": "not-a-uuid"}, "assignee", "Choose a member of the team"),
        ({"description": "Call", "due": "+1", "assignee": None}, "assignee", "Choose who the task is for"),
    ],
)
def test_a_malformed_task_is_refused_with_a_clear_message_and_what_was_typed_kept(
    council_a: Council, team: Team, browser_as: object, values: dict, field: str, message: str
) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    due = values["due"]
    if due.startswith(("+", "-")):
        due = _date(_today() + datetime.timedelta(days=int(due)))
    data = {"description": values["description"], "due": due}
    assignee = values.get("assignee", str(team.nurse.pk))
    if assignee is not None:
        data["assignee"] = assignee
    response = _give(browser, team.client.pk, **data)
    page = text_of(response)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    if values["description"] and len(values["description"]) < 50:
        assert values["description"] in page  # nothing typed is lost
    with schema_context(council_a.schema_name):
        assert not TeamTask.objects.exists()


def test_outsiders_and_another_council_cannot_give_tasks_in_a_team(
    council_a: Council, council_b: Council, team: Team, browser_as: object, client_b: object
) -> None:
    due = _date(_today() + datetime.timedelta(days=2))
    browser = browser_as(team.outsider)  # type: ignore[operator]
    assert browser.get(f"/clients/{team.client.pk}/tasks/new/").status_code == 404
    refused = _give(browser, team.client.pk, assignee=str(team.nurse.pk), description="Do this", due=due)
    assert refused.status_code == 404
    # The same client id asked of another council's site, by that council's administrator.
    with schema_context(council_b.schema_name):
        other = PractitionerFactory(is_council_admin=True, user__email="boss@beta.example")
    sign_in(client_b, other.user, council_b)  # type: ignore[arg-type]
    assert _give(client_b, team.client.pk, assignee=str(team.nurse.pk), description="x", due=due).status_code == 404
    with schema_context(council_a.schema_name):
        assert not TeamTask.objects.exists()


def test_a_task_can_only_be_given_to_a_current_member(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        nurse = Involvement.objects.get(client=team.client, practitioner=team.nurse)
        involvement_end(viewer=team.nurse, involvement=nurse, origin=NO_ORIGIN)
    browser = browser_as(team.member)  # type: ignore[operator]
    due = _date(_today() + datetime.timedelta(days=2))
    for someone in (team.nurse, team.outsider):
        response = _give(browser, team.client.pk, assignee=str(someone.pk), description="Do this", due=due)
        assert response.status_code == 400
    with schema_context(council_a.schema_name):
        assert not TeamTask.objects.exists()


# Marking it done ---------------------------------------------------------------------------------------------------


def test_the_assignee_marks_a_task_done_once_and_the_assigner_is_told(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        task = _task(team)
    browser = browser_as(team.nurse)  # type: ignore[operator]
    page = text_of(browser.get(f"/clients/{team.client.pk}/"))
    assert "Mark done" in page
    done = browser.post(f"/clients/{team.client.pk}/tasks/{task.pk}/done/")
    assert done.status_code == 302
    again = browser.post(f"/clients/{team.client.pk}/tasks/{task.pk}/done/")
    assert again.status_code == 400
    assert "already done" in text_of(again)
    with schema_context(council_a.schema_name):
        task.refresh_from_db()
        assert task.done_by_id == team.nurse.pk
        assert AuditEvent.objects.filter(action=AuditAction.TEAM_TASK_DONE, object_id=str(task.pk)).count() == 1
        told = Notice.objects.get(recipient=team.member.user, kind=NoticeKind.TASK)
    assert told.text.startswith("Nia Nurse (Alpha Primary School) marked done the task you gave")
    assert "attendance" not in told.text


def test_a_member_who_neither_gave_nor_holds_the_task_cannot_mark_it_done(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        task = _task(team, assignee=team.member, by=team.member)
        InvolvementFactory(client=team.client, practitioner=team.outsider, role="Family support")
    browser = browser_as(team.nurse)  # type: ignore[operator]
    assert browser.post(f"/clients/{team.client.pk}/tasks/{task.pk}/done/").status_code == 403
    assert "Mark done" not in text_of(browser.get(f"/clients/{team.client.pk}/"))
    with schema_context(council_a.schema_name):
        task.refresh_from_db()
        assert task.done_at is None


def test_a_task_of_another_team_or_council_is_not_found_and_a_get_changes_nothing(
    council_a: Council, council_b: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        task = _task(team)
        other_client = ClientFactory()
        InvolvementFactory(client=other_client, practitioner=team.nurse, role="School nurse")
    with schema_context(council_b.schema_name):
        b_client = ClientFactory()
    browser = browser_as(team.nurse)  # type: ignore[operator]
    assert browser.post(f"/clients/{other_client.pk}/tasks/{task.pk}/done/").status_code == 404
    assert browser.post(f"/clients/{b_client.pk}/tasks/{task.pk}/done/").status_code == 404
    assert browser.get(f"/clients/{team.client.pk}/tasks/{task.pk}/done/").status_code == 405
    browser.post("/sign-out/")
    outsider = browser_as(team.outsider)  # type: ignore[operator]
    assert outsider.post(f"/clients/{team.client.pk}/tasks/{task.pk}/done/").status_code == 404
    with schema_context(council_a.schema_name):
        task.refresh_from_db()
        assert task.done_at is None


# The team page and the home page ------------------------------------------------------------------------------------


def test_a_task_outlives_its_assignees_involvement_and_shows_them_as_previously_involved(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        _task(team)
        nurse = Involvement.objects.get(client=team.client, practitioner=team.nurse)
        involvement_end(viewer=team.nurse, involvement=nurse, origin=NO_ORIGIN)
    page = text_of(browser_as(team.member).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    tasks = page.split('id="team-tasks"', 1)[1]
    assert "Nia Nurse" in tasks
    assert "previously involved" in tasks


def test_a_confidential_services_task_is_shown_through_the_policy(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        _task(team, assignee=team.member, by=team.recovery_worker)  # Rory sees Maya in full
        shown = team_tasks_for(client_id=team.client.pk, viewer=team.nurse)
        own = team_tasks_for(client_id=team.client.pk, viewer=team.member)
        hidden_from_outsider = team_tasks_for(client_id=team.client.pk, viewer=team.outsider)
    assert [task.assigned_by for task in shown] == ["A confidential service"]
    assert [task.assigned_by for task in own] == ["A confidential service"]
    assert hidden_from_outsider == []  # not in the team


def test_the_home_page_lists_my_open_tasks_due_soonest_with_overdue_marked(
    council_a: Council, team: Team, browser_as: object
) -> None:
    with schema_context(council_a.schema_name):
        later = _task(team, due_on=_today() + datetime.timedelta(days=9))
        soon = _task(team, due_on=_today())
        TeamTask.objects.filter(pk=soon.pk).update(due_on=_today() - datetime.timedelta(days=2))
    page = text_of(browser_as(team.nurse).get("/"))  # type: ignore[operator]
    tasks = page.split('id="my-tasks"', 1)[1].split("</section>", 1)[0]
    assert tasks.count("Send the school attendance summary") == 2
    assert tasks.index("Overdue") < tasks.index(f"{later.due_on.day} {later.due_on:%B %Y}")
    assert f'href="/clients/{team.client.pk}/#team-tasks"' in tasks


def _home_queries(browser: object) -> int:
    browser.get("/")  # type: ignore[attr-defined]  # warm
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/").status_code == 200  # type: ignore[attr-defined]
    return len(queries.captured_queries)


def test_the_home_page_costs_the_same_queries_for_one_task_and_check_as_for_many(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from core.teamwork.still_involved import involvement_checks_run

    browser = browser_as(team.nurse)  # type: ignore[operator]
    with schema_context(council_a.schema_name):
        _task(team)
        involvement_checks_run(origin=ORIGIN)
    few = _home_queries(browser)
    with schema_context(council_a.schema_name):
        for _ in range(12):
            client = ClientFactory()
            InvolvementFactory(client=client, practitioner=team.member, role="Social worker", is_lead=True)
            InvolvementFactory(client=client, practitioner=team.nurse, role="School nurse")
            _task(team, due_on=_today() + datetime.timedelta(days=1))
        involvement_checks_run(origin=ORIGIN)
    many = _home_queries(browser)
    page = text_of(browser.get("/"))  # type: ignore[attr-defined]
    assert page.count("Still involved<span") == 13
    assert few == many


# The daily reminder ------------------------------------------------------------------------------------------------


def test_the_daily_reminder_tells_assignees_of_tasks_due_or_overdue_once_a_day(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        due_today = _task(team, due_on=_today())
        overdue = _task(team, assignee=team.member, by=team.nurse, due_on=_today())
        TeamTask.objects.filter(pk=overdue.pk).update(due_on=_today() - datetime.timedelta(days=3))
        _task(team, due_on=_today() + datetime.timedelta(days=1))  # not yet due
        done = _task(team, due_on=_today())
        TeamTask.objects.filter(pk=done.pk).update(done_at=timezone.now())
        Notice.objects.all().delete()
        assert team_task_reminders_send(origin=ORIGIN) == 2
        reminded = sorted(Notice.objects.values_list("recipient__email", flat=True))
        assert reminded == sorted([team.nurse.user.email, team.member.user.email])
        assert set(TeamTask.objects.filter(reminded_on=_today()).values_list("pk", flat=True)) == {
            due_today.pk,
            overdue.pk,
        }
        # Run again the same day: nothing more.
        assert team_task_reminders_send(origin=ORIGIN) == 0
        assert Notice.objects.count() == 2
        notice = Notice.objects.first()
    assert "attendance" not in notice.text
    assert notice.link == "/#my-tasks"


def test_the_daily_reminder_costs_the_same_queries_for_one_task_as_for_fifty(council_a: Council, team: Team) -> None:
    counts = []
    with schema_context(council_a.schema_name):
        for size in (1, 50):
            for _ in range(size):
                _task(team, due_on=_today())
            with CaptureQueriesContext(connection) as queries:
                assert team_task_reminders_send(origin=ORIGIN) == size
            counts.append(len([query for query in queries.captured_queries if not query["sql"].startswith("SET ")]))
    assert counts[0] == counts[1]


def test_a_former_members_task_is_not_reminded(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        _task(team, due_on=_today())
        nurse = Involvement.objects.get(client=team.client, practitioner=team.nurse)
        involvement_end(viewer=team.nurse, involvement=nurse, origin=NO_ORIGIN)
        assert team_task_reminders_send(origin=ORIGIN) == 0


def test_the_task_notice_email_has_the_link_and_no_task_text(council_a: Council, team: Team) -> None:
    with schema_context(council_a.schema_name):
        _task(team)
        email = Notification.objects.get(to=team.nurse.user.email)
    assert re.search(rf"http://alpha\.localhost/clients/{team.client.pk}/#team-tasks", email.body)
    assert "attendance" not in email.body
