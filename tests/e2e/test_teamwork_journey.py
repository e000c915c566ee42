"""In a real browser: a social worker gives a task in a team and marks it done, and answers "are you still
involved?" from the emailed reminder with "no longer involved", which takes her off that team.

The reminder is made in the served demo's own database by the real code (``involvement_checks_remind``), for one
check planted on one of her involvements as if asked a week ago; the email it sends lands in the demo's mail
folder, and the browser opens its link. Every page on the way, those with errors included, is checked with axe and
photographed into ``PATCHWORK_E2E_SHOTS`` (``/tmp/patchwork_e2e_shots`` unless set)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, emails_to, link_in, served_demo_env
from tests.e2e.staffordshire import checked, sign_in, submit

pytestmark = pytest.mark.council_side

SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"

# Run in the served demo's database: one check on the social worker's current involvement with the client last by
# name (the other journeys start from her first), asked eight days ago, and the nightly reminders sent.
PLANT = """
import datetime
from django.utils import timezone
from django_tenants.utils import schema_context
from core.clients.models import Involvement
from core.teamwork.jobs import council_origin
from core.teamwork.models import InvolvementCheck
from core.teamwork.still_involved import involvement_checks_remind
from tenants.models import Council

with schema_context(Council.objects.get(slug="staffordshire").schema_name):
    involvement = (
        Involvement.objects.filter(practitioner__user__email=%(email)r, ended_on__isnull=True)
        .order_by("-client__surname", "-client__first_name").first()
    )
    InvolvementCheck.objects.filter(involvement=involvement, answered_at__isnull=True).delete()
    InvolvementCheck.objects.create(involvement=involvement, asked_at=timezone.now() - datetime.timedelta(days=8))
    assert involvement_checks_remind(origin=council_origin()) >= 1
    print("PLANTED", involvement.client_id, involvement.client.first_name, involvement.client.surname)
"""


def test_a_task_is_given_and_marked_done_in_a_team(demo_server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, SOCIAL_WORKER)
    assert "My tasks" in page.content()
    page.click("main table a.govuk-link >> nth=0")
    page.wait_for_url("**/clients/*/")
    team_url = page.url
    page.click("main >> text=Give a task")
    page.wait_for_url("**/tasks/new/")
    checked(page, "teamwork-01-give-a-task")

    content = submit(page, "Give the task")
    assert "There is a problem" in content
    assert "Choose who the task is for" in content
    assert "Say what the task is" in content
    checked(page, "teamwork-02-give-a-task-errors")

    page.locator("input[type=radio][name=assignee]").first.check()  # type: ignore[attr-defined]
    page.fill("#id_description", "Share the latest attendance figures with the team")
    page.fill("#id_due_on_day", "1")
    page.fill("#id_due_on_month", "1")
    page.fill("#id_due_on_year", "2000")
    content = submit(page, "Give the task")
    assert "The due date must be today or later" in content
    assert "Share the latest attendance figures with the team" in content  # nothing typed is lost
    checked(page, "teamwork-03-give-a-task-past-date")

    from datetime import date, timedelta

    due = date.today() + timedelta(days=7)  # noqa: DTZ011  # the server's date, within a day of the council's
    page.fill("#id_due_on_day", str(due.day))
    page.fill("#id_due_on_month", str(due.month))
    page.fill("#id_due_on_year", str(due.year))
    submit(page, "Give the task")
    page.wait_for_url(team_url)
    tasks = page.locator("#team-tasks").text_content()  # type: ignore[attr-defined]
    assert "Share the latest attendance figures with the team" in tasks
    checked(page, "teamwork-04-team-with-a-task")

    submit(page, "Mark done")
    page.wait_for_url(team_url)
    assert "The task is marked done." in page.content()
    assert "Share the latest attendance figures" not in page.locator("#team-tasks").text_content()  # type: ignore[attr-defined]
    context.close()


def test_a_reminder_answered_no_longer_involved_through_the_emailed_link_ends_the_involvement(
    demo_server: str, demo_var_dir: Path, browser: object
) -> None:
    planted = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PLANT % {"email": SOCIAL_WORKER}],
        env=served_demo_env(demo_var_dir, demo_server),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    [line] = [line for line in planted.stdout.splitlines() if line.startswith("PLANTED ")]
    client_id, *name = line.split()[1:]
    client_name = " ".join(name)
    [reminder] = [m for m in emails_to(demo_var_dir, SOCIAL_WORKER) if m["Subject"].startswith("A reminder")]
    body = reminder.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert client_name not in body  # the email says there is a question, never who about
    home_link = link_in(reminder, rf"http://staffordshire\.localhost:{demo_server}/#still-involved")
    # The email carries both answers as signed single-use links; this one says "no longer involved".
    answer_link = re.search(
        rf"No longer involved: (http://staffordshire\.localhost:{demo_server}/still-involved/[^\s]+/)", body
    ).group(1)  # type: ignore[union-attr]
    answer_path = answer_link.split(f":{demo_server}", 1)[1]

    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(answer_link)  # signed out: the link still needs signing in, with both factors
    assert "/sign-in/" in page.url
    sign_in(page, demo_server, SOCIAL_WORKER)
    page.goto(home_link)
    section = page.locator("#still-involved")
    assert client_name in section.text_content()  # type: ignore[attr-defined]
    checked(page, "teamwork-05-home-still-involved")

    # The emailed answer asks to confirm on a GET (mail scanners follow links), and changes nothing until the POST.
    page.goto(answer_link)
    assert client_name in page.content()
    assert "Confirm you are no longer involved" in page.content()
    checked(page, "teamwork-06-confirm-no-longer-involved")
    submit(page, "I am no longer involved")
    page.wait_for_url(f"http://staffordshire.localhost:{demo_server}/")
    assert "You have left the team. The other members have been told." in page.content()
    assert client_name not in "".join(page.locator("#still-involved").all_text_contents())  # type: ignore[attr-defined]
    checked(page, "teamwork-07-home-after-leaving")

    response = page.goto(f"http://staffordshire.localhost:{demo_server}/clients/{client_id}/")
    assert response.status == 404  # type: ignore[union-attr]  # no longer in the team
    again = page.goto(f"http://staffordshire.localhost:{demo_server}{answer_path}")  # the link, used once already
    assert again.status == 400  # type: ignore[union-attr]
    assert "You have already answered: no longer involved." in page.content()
    checked(page, "teamwork-08-link-used")
    context.close()


def test_the_council_administrator_sees_and_checks_the_still_involved_rule(demo_server: str, browser: object) -> None:
    """Only looked at and refused here (an empty reason): the demo's rules stay as the other journeys expect them."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, "helen.bradbury@staffordshire-earlyhelp.example")
    page.goto(f"http://staffordshire.localhost:{demo_server}/administration/rules/")
    assert "Still involved?" in page.content()
    page.click("main >> text=Change when members are asked whether they are still involved")
    page.wait_for_url("**/administration/rules/still-involved/")
    checked(page, "teamwork-09-rule")
    page.fill("#id_after_days", "7")
    content = submit(page, "Save the change")
    assert "There is a problem" in content
    assert "Say why the rules are changing" in content or "between 14 and 365" in content
    checked(page, "teamwork-10-rule-errors")
    context.close()
