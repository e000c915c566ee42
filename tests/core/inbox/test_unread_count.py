"""The unread count in the header of every signed-in council page: right after notices are sent, opened and all
marked read, and read from the cache, so that a page costs no database query for it once the count is known."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.inbox.models import Notice, NoticeKind
from core.inbox.services.notices import notices_send
from core.inbox.unread import unread_count
from tenants.models import Council
from tests.core.inbox.conftest import ORIGIN, People

pytestmark = pytest.mark.council_side


def _send(council: Council, *users: object, times: int = 1) -> None:
    with schema_context(council.schema_name):
        for _ in range(times):
            notices_send(
                recipients=[user.user for user in users],  # type: ignore[attr-defined]
                kind=NoticeKind.TEAM_CHANGE,
                text="Someone joined the team around one of your clients.",
                link="/directory/",
                subject="A change in one of your teams",
                origin=ORIGIN,
            )


def _header(page: str) -> str:
    """The navigation's notifications link, as a screen reader and as the eye read it."""
    found = re.search(r'<a class="govuk-service-navigation__link" href="/notifications/"[^>]*>(.*?)</a>', page)
    assert found, "no notifications link in the header"
    return found.group(1)


def _counted(browser: object) -> tuple[str, str]:
    link = _header(browser.get("/directory/").content.decode())  # type: ignore[attr-defined]
    visible = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", link)
    heard = re.sub(r'<span aria-hidden="true">.*?</span>', "", link)
    return re.sub(r"<[^>]+>", "", visible).strip(), re.sub(r"<[^>]+>", "", heard).strip()


def test_the_header_counts_unread_notices_after_sending_opening_and_marking_all_read(
    council_a: Council, people: People, browser_as: object
) -> None:
    browser = browser_as(people.nell)  # type: ignore[operator]
    assert _counted(browser) == ("Notifications", "Notifications")
    _send(council_a, people.nell, people.carl, times=3)
    assert _counted(browser) == ("Notifications (3)", "Notifications, 3 unread")
    with schema_context(council_a.schema_name):
        first = Notice.objects.filter(recipient=people.nell.user).first()
    browser.get(f"/notifications/{first.pk}/")
    assert _counted(browser) == ("Notifications (2)", "Notifications, 2 unread")
    _send(council_a, people.nell)
    assert _counted(browser) == ("Notifications (3)", "Notifications, 3 unread")
    browser.post("/notifications/read/")
    assert _counted(browser) == ("Notifications", "Notifications")
    with schema_context(council_a.schema_name):
        assert unread_count(user_id=people.carl.user_id) == 3  # Carl's own, untouched


def test_a_signed_in_page_reads_the_count_once_then_from_the_cache(
    council_a: Council, people: People, browser_as: object
) -> None:
    browser = browser_as(people.nell)  # type: ignore[operator]
    _send(council_a, people.nell, times=2)
    with CaptureQueriesContext(connection) as first:
        assert "Notifications (2)" in _counted(browser)[0]
    with CaptureQueriesContext(connection) as then:
        assert "Notifications (2)" in _counted(browser)[0]
    counted = [query["sql"] for query in first.captured_queries if '"inbox_notice"' in query["sql"]]
    assert len(counted) == 1, counted  # the cache had forgotten it: counted once
    assert not [query["sql"] for query in then.captured_queries if '"inbox_notice"' in query["sql"]]
    assert len(then.captured_queries) == len(first.captured_queries) - 1


def test_the_count_is_kept_per_council(council_a: Council, council_b: Council, people: People) -> None:
    """The same user id in two councils' schemas names two different people: the cache keys carry the schema."""
    _send(council_a, people.nell, times=2)
    with schema_context(council_a.schema_name):
        assert unread_count(user_id=people.nell.user_id) == 2
    with schema_context(council_b.schema_name):
        assert unread_count(user_id=people.nell.user_id) == 0
    with schema_context(council_a.schema_name):
        assert cache.get(f"inbox:unread:{people.nell.user_id}") == 2


def test_signing_in_remembers_the_count_so_the_first_page_reads_none(
    council_a: Council, people: People, browser_as: object
) -> None:
    _send(council_a, people.nell, times=2)
    with schema_context(council_a.schema_name):
        cache.delete(f"inbox:unread:{people.nell.user_id}")
    browser = browser_as(people.nell)  # type: ignore[operator]
    with CaptureQueriesContext(connection) as first:
        assert _counted(browser)[0] == "Notifications (2)"
    assert not [query["sql"] for query in first.captured_queries if '"inbox_notice"' in query["sql"]]
