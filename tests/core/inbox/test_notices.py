"""Telling people things (core/inbox/services/notices.py): a notice each, an email to those who want one at once,
the daily summary's people left waiting; a constant number of queries; a text too long for a notice cut at a word;
opening, marking read and erasing touch only the notices they should."""

import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from core.inbox.services.notices import TEXT_MAX_LENGTH, notice_open, notices_erase, notices_read_all, notices_send
from core.notifications.services.outbox import Attachment
from tenants.models import Council
from tests.core.inbox.conftest import ORIGIN, People
from tests.factories import AgencyFactory, verified_practitioner

pytestmark = pytest.mark.council_side


def _send(recipients: list[object], **extra: object) -> list[Notice]:
    return notices_send(
        recipients=recipients,  # type: ignore[arg-type]
        kind=extra.pop("kind", NoticeKind.TEAM_CHANGE),  # type: ignore[arg-type]
        text=extra.pop("text", "Amy Collier joined the team around one of your clients."),  # type: ignore[arg-type]
        link="/clients/00000000-0000-4000-8000-000000000001/",
        subject="A change in one of your teams",
        origin=ORIGIN,
        **extra,  # type: ignore[arg-type]
    )


def test_each_recipient_gets_a_notice_and_those_wanting_email_at_once_an_email(
    council_a: Council, people: People, django_capture_on_commit_callbacks: object
) -> None:
    client_id = uuid.uuid4()
    with schema_context(council_a.schema_name):
        NotificationPreference.objects.create(user=people.carl.user, email_frequency=EmailFrequency.DAILY_DIGEST)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            notices = _send([people.nell.user, people.carl.user, people.nell.user], client_id=client_id)
        stored = {notice.recipient_id: notice for notice in Notice.objects.all()}
    assert len(notices) == 2  # each person once
    assert set(stored) == {people.nell.user_id, people.carl.user_id}
    assert stored[people.nell.user_id].emailed_at is not None
    assert stored[people.carl.user_id].emailed_at is None
    assert {notice.client_id for notice in stored.values()} == {client_id}
    (email,) = mail.outbox
    assert email.to == [people.nell.user.email]
    assert "https://alpha.example/clients/00000000-0000-4000-8000-000000000001/" in email.body
    assert "Notification settings" in email.body


def test_a_calendar_invitation_is_emailed_at_once_even_to_those_who_chose_a_summary(
    council_a: Council, people: People, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        NotificationPreference.objects.create(user=people.carl.user, email_frequency=EmailFrequency.DAILY_DIGEST)
        invitation = Attachment(name="invitation.ics", content_type="text/calendar; method=REQUEST", text="BEGIN:VCAL")
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            _send([people.carl.user], kind=NoticeKind.MEETING, attachment=invitation, email_now=True)
        assert Notice.objects.get().emailed_at is not None
    (email,) = mail.outbox
    assert email.to == [people.carl.user.email]
    assert email.attachments[0][0] == "invitation.ics"


def test_sending_costs_the_same_queries_for_5_and_50_recipients(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        agency = AgencyFactory(name="Many", email_domains=["many.example"])
        users = [verified_practitioner(agency, f"Person{n}", "Many").user for n in range(50)]
        NotificationPreference.objects.create(user=users[0], email_frequency=EmailFrequency.DAILY_DIGEST)
        counts = []
        for group in (users[:5], users):
            with CaptureQueriesContext(connection) as queries:
                _send(group)
            counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == 3  # who wants a summary, the notices, the emails


def test_a_text_too_long_for_a_notice_is_cut_at_a_word(council_a: Council, people: People) -> None:
    with schema_context(council_a.schema_name):
        (notice,) = _send([people.nell.user], text="word " * 200)
    assert len(notice.text) <= TEXT_MAX_LENGTH
    assert notice.text.endswith("word…")


def test_opening_marks_only_ones_own_notice_read(council_a: Council, people: People) -> None:
    with schema_context(council_a.schema_name):
        (nells,) = _send([people.nell.user])
        assert notice_open(user=people.carl.user, notice_id=nells.pk) is None
        assert Notice.objects.get(pk=nells.pk).read_at is None
        opened = notice_open(user=people.nell.user, notice_id=nells.pk)
        assert opened is not None
        assert opened.read_at is not None
        first_read = Notice.objects.get(pk=nells.pk).read_at
        notice_open(user=people.nell.user, notice_id=nells.pk)  # opening again keeps when it was first read
        assert Notice.objects.get(pk=nells.pk).read_at == first_read


def test_marking_all_read_marks_only_ones_own(council_a: Council, people: People) -> None:
    with schema_context(council_a.schema_name):
        _send([people.nell.user, people.carl.user])
        _send([people.nell.user])
        assert notices_read_all(user=people.nell.user) == 2
        assert notices_read_all(user=people.nell.user) == 0
        assert Notice.objects.filter(recipient=people.carl.user, read_at__isnull=True).count() == 1


def test_erasing_a_client_removes_only_their_notices(council_a: Council, people: People) -> None:
    erased, kept = uuid.uuid4(), uuid.uuid4()
    with schema_context(council_a.schema_name):
        _send([people.nell.user, people.carl.user], client_id=erased)
        _send([people.nell.user], client_id=kept)
        _send([people.nell.user])
        assert notices_erase(client_ids=[erased]) == 2
        assert notices_erase(client_ids=[]) == 0
        assert sorted(str(notice.client_id) for notice in Notice.objects.all()) == sorted([str(kept), "None"])
