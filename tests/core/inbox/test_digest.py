"""The daily summary (core/inbox/services/digest.py): one email to each person whose notices wait for it, counting
each kind since their last email, linking to the centre, naming no client; the notices marked emailed; nothing for
someone with nothing new; a second run emails nobody again; the beat sends it to every council."""

import uuid

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from core.audit.origin import Origin
from core.inbox.models import EmailFrequency, Notice, NoticeKind, NotificationPreference
from core.inbox.services.digest import SUBJECT, council_site, digests_send
from core.inbox.services.notices import notices_send
from tenants.models import Council
from tests.conftest import host_of
from tests.core.inbox.conftest import ORIGIN, People

pytestmark = pytest.mark.council_side

SITE = Origin(base_url="https://alpha.example")


def _tell(users: list[object], kind: NoticeKind, times: int = 1) -> None:
    for _ in range(times):
        notices_send(
            recipients=[user.user for user in users],  # type: ignore[attr-defined]
            kind=kind,
            text="Amy Collier joined the team around one of your clients.",
            link=f"/clients/{uuid.uuid4()}/",
            subject="A change in one of your teams",
            origin=ORIGIN,
            client_id=uuid.uuid4(),
        )


def test_each_person_who_chose_a_summary_gets_one_email_counting_each_kind(
    council_a: Council, people: People, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        NotificationPreference.objects.create(user=people.nell.user, email_frequency=EmailFrequency.DAILY_DIGEST)
        _tell([people.nell, people.carl], NoticeKind.TEAM_CHANGE, times=3)
        _tell([people.nell], NoticeKind.JOIN_REQUEST)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            run = digests_send(origin=SITE)
        assert (run.people, run.notices) == (1, 4)
        assert not Notice.objects.filter(emailed_at__isnull=True).exists()
    (email,) = mail.outbox
    assert email.to == [people.nell.user.email]
    assert email.subject == SUBJECT
    assert "- 3 changes in your teams\n- 1 request to join a team\n" in email.body
    assert "https://alpha.example/notifications/" in email.body
    assert "/clients/" not in email.body  # no link to a client, let alone their details


def test_a_second_run_and_a_person_with_nothing_new_get_nothing(
    council_a: Council, people: People, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        for who in (people.nell, people.carl):
            NotificationPreference.objects.create(user=who.user, email_frequency=EmailFrequency.DAILY_DIGEST)
        _tell([people.nell], NoticeKind.CONSENT)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            first = digests_send(origin=SITE)
            second = digests_send(origin=SITE)
        assert (first.people, second.people) == (1, 0)
        _tell([people.nell], NoticeKind.TASK, times=2)  # new since the last summary: only these are counted
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            digests_send(origin=SITE)
    assert [message.to for message in mail.outbox] == [[people.nell.user.email], [people.nell.user.email]]
    assert "- 1 change of consent\n" in mail.outbox[0].body
    assert "- 2 tasks\n" in mail.outbox[1].body
    assert "consent" not in mail.outbox[1].body.split("See them")[0]


def test_a_deactivated_account_is_not_emailed(council_a: Council, people: People) -> None:
    with schema_context(council_a.schema_name):
        NotificationPreference.objects.create(user=people.nell.user, email_frequency=EmailFrequency.DAILY_DIGEST)
        _tell([people.nell], NoticeKind.MESSAGE)
        type(people.nell.user).objects.filter(pk=people.nell.user_id).update(is_active=False)
        assert digests_send(origin=SITE).people == 0
        assert Notice.objects.get().emailed_at is None


def test_notices_waiting_when_someone_goes_back_to_email_at_once_still_go_in_the_next_summary(
    council_a: Council, people: People
) -> None:
    with schema_context(council_a.schema_name):
        preference = NotificationPreference.objects.create(
            user=people.nell.user, email_frequency=EmailFrequency.DAILY_DIGEST
        )
        _tell([people.nell], NoticeKind.MEETING)
        preference.email_frequency = EmailFrequency.IMMEDIATE
        preference.save(update_fields=["email_frequency"])
        assert digests_send(origin=SITE).notices == 1


def test_the_summary_links_to_the_councils_own_site(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        assert council_site().base_url == f"http://{host_of(council_a)}"


def test_the_summary_is_on_the_daily_schedule_for_every_council() -> None:
    from celery.schedules import crontab
    from django.conf import settings

    from config.celery import app

    entry = next(entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "inbox.digests_send_all")
    assert isinstance(entry["schedule"], crontab)
    app.loader.import_default_modules()
    assert "inbox.digests_send_all" in app.tasks
    assert "inbox.digests_send_council" in app.tasks
