"""In a real browser: a social worker raises attention with the team, arranges a meeting and cancels it; the
colleague invited finds it on the team page and replies; the invitation in their email is a calendar file.

Every page on the way, those showing validation errors included, is checked with axe (A11Y-1) and photographed
into ``PATCHWORK_E2E_SHOTS`` (``/tmp/patchwork_e2e_shots`` unless set) for a person to look at.
"""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.e2e.conftest import emails_to
from tests.e2e.staffordshire import checked, sign_in, submit

pytestmark = pytest.mark.council_side

SOCIAL_WORKER = "amy.collier@staffordshire-childrens.example"
POLICE_OFFICER = "gareth.hollis@staffs-police.example"
COLLEAGUE = "Gareth Hollis"  # a colleague with a demo sign-in (platform/demo/places.py), to reply to the invitation
MESSAGE = "Please check whether the school has seen him this week, and tell me before Friday."


def _colleague_joins(browser: object, port: str, team_url: str) -> None:
    """The social worker invites the police officer (who has a demo sign-in) to the team, and he joins it."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, port, SOCIAL_WORKER)
    page.goto(team_url + "invite/")
    page.fill("#id_q", COLLEAGUE)
    submit(page, "Search")
    page.check(f"label:has-text('{COLLEAGUE}')")
    submit(page, "Send invitation")
    page.wait_for_url(team_url)
    context.close()
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, port, POLICE_OFFICER)
    page.goto(team_url + "join/")
    page.fill("#id_reason", "Missing-from-home report; I am the officer in the case")
    submit(page, "Join the team")
    page.wait_for_url(team_url)
    context.close()


def test_a_team_member_raises_attention_and_arranges_a_meeting_a_colleague_replies_to(
    demo_server: str, browser: object, demo_var_dir: Path
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, SOCIAL_WORKER)
    page.click("main table a.govuk-link >> nth=2")
    page.wait_for_url("**/clients/*/")
    team_url = page.url
    _colleague_joins(browser, demo_server, team_url)
    invitee_name, invitee_email = COLLEAGUE, POLICE_OFFICER
    page.goto(team_url)
    checked(page, "meetings-01-team")

    page.click("main >> text=Raise attention")
    page.wait_for_url("**/messages/new/")
    checked(page, "meetings-02-message")
    content = submit(page, "Send message")
    assert "Enter your message" in content
    checked(page, "meetings-03-message-error")
    page.fill("#id_text", MESSAGE)
    page.check("#id_send_to_0")
    submit(page, "Send message")
    page.wait_for_url(f"{team_url}#team-messages")
    content = page.content()
    assert MESSAGE in content
    assert "Your message has been sent" in content
    checked(page, "meetings-04-team-with-message")

    page.click("main >> text=Arrange a meeting")
    page.wait_for_url("**/meetings/new/")
    assert "Europe/London" in page.content()
    checked(page, "meetings-05-meeting")
    tomorrow = datetime.datetime.now(ZoneInfo("Europe/London")).date() + datetime.timedelta(days=2)
    page.fill("#id_date_day", str(tomorrow.day))
    page.fill("#id_date_month", str(tomorrow.month))
    page.fill("#id_date_year", str(tomorrow.year))
    page.fill("#id_start_time", "11:00")
    page.fill("#id_end_time", "10:00")
    content = submit(page, "Send invitations")
    assert "The end time must be after the start time" in content
    assert "Enter a place or a video link" in content
    assert "Choose who to invite" in content
    checked(page, "meetings-06-meeting-errors")
    page.fill("#id_end_time", "12:00")
    page.fill("#id_place", "Civic Centre, meeting room 4")
    page.check(f"label:has-text('{invitee_name} (')")
    submit(page, "Send invitations")
    page.wait_for_url("**/meetings/*/")
    meeting_url = page.url
    content = page.content()
    assert "11:00 to 12:00" in content
    assert invitee_name in content
    checked(page, "meetings-07-meeting-page")

    page.goto(team_url)
    assert "Your upcoming meetings about this client" in page.content()
    context.close()

    (invitation,) = [
        email for email in emails_to(demo_var_dir, invitee_email) if "team meeting" in str(email["Subject"])
    ]
    (attachment,) = [part for part in invitation.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert [str(event["attendee"])] == [f"mailto:{invitee_email}"]

    colleague = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = colleague.new_page()
    sign_in(page, demo_server, invitee_email)
    page.goto(team_url)
    assert MESSAGE in page.content()  # sent to the whole team
    page.click("#team-meetings a.govuk-link >> nth=0")
    page.wait_for_url(meeting_url)
    assert "Are you coming?" in page.content()
    checked(page, "meetings-08-meeting-invitee")
    content = submit(page, "Maybe")
    assert "Your reply is recorded: Maybe" in content
    checked(page, "meetings-09-meeting-replied")
    colleague.close()

    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    sign_in(page, demo_server, SOCIAL_WORKER)
    page.goto(meeting_url)
    assert "Maybe" in page.content()
    page.click("main >> text=Change the meeting")
    page.wait_for_url("**/change/")
    checked(page, "meetings-10-meeting-change")
    page.goto(meeting_url)
    page.click("main >> text=Cancel the meeting")
    page.wait_for_url("**/cancel/")
    checked(page, "meetings-11-meeting-cancel")
    submit(page, "Cancel the meeting")
    page.wait_for_url(team_url)
    assert "The meeting is cancelled" in page.content()
    checked(page, "meetings-12-team-after-cancel")
    context.close()
