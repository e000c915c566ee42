"""The notification centre's pages: the person's own notices, newest first, a page at a time, unread ones marked;
opening one marks it read and follows its link; "Mark all as read"; the notification settings. Nobody reaches
another person's notice, and a malformed or missing choice changes nothing."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from tenants.models import Council
from tests.core.inbox.conftest import People

pytestmark = pytest.mark.council_side


def _notice(council: Council, who: object, text: str, *, minutes_ago: int = 0, link: str = "/directory/") -> Notice:
    with schema_context(council.schema_name):
        return Notice.objects.create(
            recipient=who.user,  # type: ignore[attr-defined]
            kind=NoticeKind.TEAM_CHANGE,
            text=text,
            link=link,
            created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        )


def test_the_centre_lists_the_persons_own_notices_newest_first_with_unread_marked(
    council_a: Council, people: People, browser_as: object
) -> None:
    _notice(council_a, people.nell, "Older news", minutes_ago=10)
    newer = _notice(council_a, people.nell, "Newer news", minutes_ago=1)
    _notice(council_a, people.carl, "Carl's own news")
    with schema_context(council_a.schema_name):
        Notice.objects.filter(pk=newer.pk).update(read_at=timezone.now())
    page = browser_as(people.nell).get("/notifications/").content.decode()  # type: ignore[operator]
    assert page.index("Newer news") < page.index("Older news")
    assert "Carl&#x27;s own news" not in page
    assert "Carl's own news" not in page
    assert page.count(">Unread</strong>") == 1
    assert "You have 1 unread notification." in page
    assert 'action="/notifications/read/"' in page
    assert 'href="/notifications/settings/"' in page


def test_the_centre_is_paginated_and_costs_the_same_queries_for_3_and_60_notices(
    council_a: Council, people: People, browser_as: object
) -> None:
    browser = browser_as(people.nell)  # type: ignore[operator]
    counts = []
    for total in (3, 60):
        with schema_context(council_a.schema_name):
            Notice.objects.all().delete()
        for number in range(total):
            _notice(council_a, people.nell, f"News number {number}", minutes_ago=number)
        browser.get("/notifications/")  # warm: the unread count
        with CaptureQueriesContext(connection) as queries:
            response = browser.get("/notifications/")
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
    page = response.content.decode()
    assert "News number 0<" in page
    assert "News number 24<" in page
    assert "News number 25<" not in page
    assert "1 of 3" in page
    assert 'class="govuk-pagination"' in page
    last = browser.get("/notifications/?page=3").content.decode()
    assert "News number 59<" in last
    assert "News number 0<" not in last
    assert browser.get("/notifications/?page=nonsense").status_code == 200


def test_opening_a_notice_marks_it_read_and_follows_its_link(
    council_a: Council, people: People, browser_as: object
) -> None:
    notice = _notice(council_a, people.nell, "Someone joined", link="/directory/agencies/")
    response = browser_as(people.nell).get(f"/notifications/{notice.pk}/")  # type: ignore[operator]
    assert (response.status_code, response.url) == (302, "/directory/agencies/")
    with schema_context(council_a.schema_name):
        assert Notice.objects.get(pk=notice.pk).read_at is not None


def test_a_notice_whose_link_leaves_the_site_goes_back_to_the_centre(
    council_a: Council, people: People, browser_as: object
) -> None:
    browser = browser_as(people.nell)  # type: ignore[operator]
    for link in ("https://evil.example/", "//evil.example/x"):
        notice = _notice(council_a, people.nell, "Odd link", link=link)
        response = browser.get(f"/notifications/{notice.pk}/")
        assert (response.status_code, response.url) == (302, "/notifications/")


def test_nobody_opens_someone_elses_notice(council_a: Council, people: People, browser_as: object) -> None:
    nells = _notice(council_a, people.nell, "For Nell only")
    browser = browser_as(people.carl)  # type: ignore[operator]
    response = browser.get(f"/notifications/{nells.pk}/")
    assert response.status_code == 404
    assert "For Nell only" not in response.content.decode()
    assert browser.get("/notifications/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert browser.get("/notifications/not-an-id/").status_code == 404
    assert browser.post(f"/notifications/{nells.pk}/").status_code == 405
    with schema_context(council_a.schema_name):
        assert Notice.objects.get(pk=nells.pk).read_at is None
        denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=people.carl.user_id)
        assert denied.filter(object_type="notice", object_id=str(nells.pk)).exists()


def test_mark_all_as_read_is_a_post_and_touches_only_ones_own(
    council_a: Council, people: People, browser_as: object
) -> None:
    for number in range(3):
        _notice(council_a, people.nell, f"Nell {number}")
    _notice(council_a, people.carl, "Carl's")
    browser = browser_as(people.nell)  # type: ignore[operator]
    assert browser.get("/notifications/read/").status_code == 405
    with schema_context(council_a.schema_name):
        assert Notice.objects.filter(read_at__isnull=True).count() == 4
    response = browser.post("/notifications/read/")
    assert (response.status_code, response.url) == (302, "/notifications/")
    page = browser.get("/notifications/").content.decode()
    assert "All your notifications are marked as read." in page
    assert "Mark all as read" not in page
    with schema_context(council_a.schema_name):
        assert list(Notice.objects.filter(read_at__isnull=True).values_list("text", flat=True)) == ["Carl's"]


def _checked_choice(page: str) -> str:
    found = re.search(r'value="(\w+)"[^>]*checked', page)
    return found.group(1) if found else ""


def test_the_settings_page_saves_the_choice_and_audits_the_change(
    council_a: Council, people: People, browser_as: object
) -> None:
    browser = browser_as(people.nell)  # type: ignore[operator]
    page = browser.get("/notifications/settings/").content.decode()
    assert _checked_choice(page) == EmailFrequency.IMMEDIATE
    response = browser.post("/notifications/settings/", {"email_frequency": "daily_digest"})
    assert (response.status_code, response.url) == (302, "/notifications/settings/")
    page = browser.get("/notifications/settings/").content.decode()
    assert "Your notification settings have been saved." in page
    assert _checked_choice(page) == EmailFrequency.DAILY_DIGEST
    browser.post("/notifications/settings/", {"email_frequency": "daily_digest"})  # no change: not audited again
    with schema_context(council_a.schema_name):
        assert NotificationPreference.objects.get(user=people.nell.user).email_frequency == "daily_digest"
        (event,) = AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SETTINGS_CHANGED)
    assert event.actor_id == people.nell.user_id
    assert event.changes == {"email_frequency": {"old": "immediate", "new": "daily_digest"}}


@pytest.mark.parametrize("sent", [{}, {"email_frequency": "weekly"}, {"email_frequency": ""}])
def test_a_missing_or_unknown_choice_is_refused_and_changes_nothing(
    council_a: Council, people: People, browser_as: object, sent: dict[str, str]
) -> None:
    response = browser_as(people.nell).post("/notifications/settings/", sent)  # type: ignore[operator]
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose how often you want to be emailed" in page
    assert "<title>Error: Notification settings" in page
    with schema_context(council_a.schema_name):
        assert not NotificationPreference.objects.exists()
        assert not AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SETTINGS_CHANGED).exists()


def test_the_settings_are_linked_from_the_account_pages(council_a: Council, people: People, browser_as: object) -> None:
    browser = browser_as(people.nell)  # type: ignore[operator]
    for path in ("/account/sessions/", "/account/profile/"):
        assert 'href="/notifications/settings/"' in browser.get(path).content.decode(), path
