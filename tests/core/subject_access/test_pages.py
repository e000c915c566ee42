"""The privacy officer's subject access pages: the list with deadlines and what is overdue, recording a request
for a client found by the officer's lookup, the request page with its progress, extending and closing. Anyone
who is not a privacy officer is refused, and nothing changes."""

import datetime

import pytest
import time_machine
from django.test import Client as Browser
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.subject_access.models import SubjectAccessRequest
from tenants.models import Council
from tests.core.subject_access.conftest import Held, sar_for
from tests.core.subject_access.test_export import exported

State = SubjectAccessRequest.State
TODAY = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


def requests_in(council: Council) -> list[SubjectAccessRequest]:
    with schema_context(council.schema_name):
        return list(SubjectAccessRequest.objects.order_by("received_on"))


def test_the_privacy_officers_home_links_to_subject_access(as_officer: Browser) -> None:
    assert "/privacy-officer/subject-access/" in as_officer.get("/privacy-officer/").content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_list_shows_deadlines_and_what_is_overdue(as_officer: Browser, council_a: Council, held: Held) -> None:
    sar_for(held, council_a, received_on=datetime.date(2026, 1, 31))  # due 28 February: overdue by 10 days
    sar_for(held, council_a, received_on=datetime.date(2026, 3, 1))  # due 1 April
    sar_for(held, council_a, received_on=datetime.date(2026, 2, 12))  # due 12 March: 2 days left
    page = as_officer.get("/privacy-officer/subject-access/").content.decode()
    assert "1 overdue" in page
    assert '<strong class="govuk-tag govuk-tag--red">Overdue by 10 days</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--yellow">2 days left</strong>' in page
    assert "22 days left" in page
    assert page.index("28 February 2026") < page.index("12 March 2026") < page.index("1 April 2026")


@time_machine.travel(TODAY, tick=False)
def test_recording_a_request_finds_the_client_and_computes_the_deadline(
    as_officer: Browser, council_a: Council, held: Held
) -> None:
    found = as_officer.post(
        "/privacy-officer/subject-access/new/",
        {"surname": "Hughes", "date_of_birth_day": "2", "date_of_birth_month": "6", "date_of_birth_year": "2014"},
    )
    assert found.status_code == 200
    assert f"/privacy-officer/subject-access/new/{held.client.pk}/" in found.content.decode()
    form = as_officer.get(f"/privacy-officer/subject-access/new/{held.client.pk}/")
    assert form.status_code == 200
    assert "Jade Hughes" in form.content.decode()
    response = as_officer.post(
        f"/privacy-officer/subject-access/new/{held.client.pk}/",
        {"received_on_day": "31", "received_on_month": "1", "received_on_year": "2026"},
    )
    (sar,) = requests_in(council_a)
    assert response.status_code == 302
    assert response.url == f"/privacy-officer/subject-access/{sar.pk}/"
    assert (sar.client_id, sar.due_on, sar.jurisdiction, sar.state) == (
        held.client.pk,
        datetime.date(2026, 2, 28),
        "england",
        State.RECEIVED,
    )
    with schema_context(council_a.schema_name):
        event = AuditEvent.objects.get(action=AuditAction.SUBJECT_ACCESS_RECORDED)
    assert (event.object_id, event.related_ids, event.actor_id) == (
        str(sar.pk),
        [str(held.client.pk)],
        held.officer.user_id,
    )


@time_machine.travel(TODAY, tick=False)
def test_a_date_in_the_future_is_refused(as_officer: Browser, council_a: Council, held: Held) -> None:
    response = as_officer.post(
        f"/privacy-officer/subject-access/new/{held.client.pk}/",
        {"received_on_day": "11", "received_on_month": "3", "received_on_year": "2026"},
    )
    assert response.status_code == 400
    assert "must be today or in the past" in response.content.decode()
    assert requests_in(council_a) == []


def test_recording_with_the_export_started_shows_progress_that_refreshes_itself(
    as_officer: Browser, council_a: Council, held: Held
) -> None:
    response = as_officer.post(
        f"/privacy-officer/subject-access/new/{held.client.pk}/",
        {"received_on_day": "31", "received_on_month": "1", "received_on_year": "2026", "start_export": "on"},
        follow=True,
    )
    page = response.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Exporting: step 0 of" in page
    assert "<progress" in page
    (sar,) = requests_in(council_a)
    assert (sar.state, sar.export_started_by_id) == (State.EXPORTING, held.officer.pk)


def test_a_finished_export_offers_the_download_only_to_who_started_it(
    as_colleague: Browser, council_a: Council, held: Held
) -> None:
    sar = exported(held, council_a)
    page = as_colleague.get(f"/privacy-officer/subject-access/{sar.pk}/").content.decode()
    assert "only they can download it" in page
    assert "/download/" not in page
    assert "http-equiv" not in page


@time_machine.travel(TODAY, tick=False)
def test_extending_and_closing(as_officer: Browser, council_a: Council, held: Held) -> None:
    sar = sar_for(held, council_a, received_on=datetime.date(2026, 3, 2))  # due 2 April
    extend = f"/privacy-officer/subject-access/{sar.pk}/extend/"
    assert "Complex or numerous requests" in as_officer.get(extend).content.decode()
    too_long = as_officer.post(extend, {"code": "uk-gdpr-12-3", "amount": "3", "reason": "Many records"})
    assert too_long.status_code == 400
    assert "Extend by 1 to 2 months" in too_long.content.decode()
    no_reason = as_officer.post(extend, {"code": "uk-gdpr-12-3", "amount": "2", "reason": ""})
    assert no_reason.status_code == 400
    assert "Say why the time is extended" in no_reason.content.decode()
    assert as_officer.post(extend, {"code": "uk-gdpr-12-3", "amount": "2", "reason": "Many records"}).status_code == 302
    (after,) = requests_in(council_a)
    assert after.due_on == datetime.date(2026, 6, 2)
    page = as_officer.get(f"/privacy-officer/subject-access/{sar.pk}/").content.decode()
    assert "From 2 April 2026 to 2 June 2026" in page
    assert "Many records" in page

    close = f"/privacy-officer/subject-access/{sar.pk}/close/"
    assert as_officer.post(close, {"note": ""}).status_code == 400
    assert as_officer.post(close, {"note": "Sent by secure email"}).status_code == 302
    (closed,) = requests_in(council_a)
    assert (closed.state, closed.closed_by_id, closed.close_note) == (
        State.CLOSED,
        held.officer.pk,
        "Sent by secure email",
    )
    assert "Overdue" not in as_officer.get("/privacy-officer/subject-access/?closed=1").content.decode()
    with schema_context(council_a.schema_name):
        actions = set(AuditEvent.objects.filter(object_id=str(sar.pk)).values_list("action", flat=True))
    assert {AuditAction.SUBJECT_ACCESS_EXTENDED, AuditAction.SUBJECT_ACCESS_CLOSED} <= actions


def test_a_victorian_council_counts_thirty_days_under_the_foi_act(client_b: Browser, council_b: Council) -> None:
    from core.audit.origin import NO_ORIGIN
    from core.subject_access.services.requests import subject_access_record
    from tests.factories import AgencyFactory, ClientFactory, verified_practitioner

    with schema_context(council_b.schema_name):
        officer = verified_practitioner(
            AgencyFactory(name="Beta Governance", email_domains=["ig.beta.example"]),
            "Bea",
            "Officer",
            is_privacy_officer=True,
        )
        sar = subject_access_record(
            actor=officer,
            client=ClientFactory(),
            received_on=datetime.date(2026, 1, 31),
            origin=NO_ORIGIN,
            today=datetime.date(2026, 2, 1),
        )
    assert (sar.jurisdiction, sar.due_on) == ("victoria", datetime.date(2026, 3, 2))


ROUTES = [
    ("get", "/privacy-officer/subject-access/"),
    ("get", "/privacy-officer/subject-access/new/"),
    ("post", "/privacy-officer/subject-access/new/"),
    ("get", "/privacy-officer/subject-access/new/{client}/"),
    ("post", "/privacy-officer/subject-access/new/{client}/"),
    ("get", "/privacy-officer/subject-access/{sar}/"),
    ("post", "/privacy-officer/subject-access/{sar}/export/"),
    ("get", "/privacy-officer/subject-access/{sar}/extend/"),
    ("post", "/privacy-officer/subject-access/{sar}/extend/"),
    ("get", "/privacy-officer/subject-access/{sar}/close/"),
    ("post", "/privacy-officer/subject-access/{sar}/close/"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_a_practitioner_who_is_not_a_privacy_officer_is_refused_and_nothing_changes(
    as_worker: Browser, council_a: Council, held: Held, method: str, route: str
) -> None:
    sar = sar_for(held, council_a)
    data = {
        "received_on_day": "1",
        "received_on_month": "2",
        "received_on_year": "2026",
        "start_export": "on",
        "code": "uk-gdpr-12-3",
        "amount": "1",
        "reason": "x",
        "note": "x",
    }
    response = getattr(as_worker, method)(route.format(client=held.client.pk, sar=sar.pk), data)
    assert response.status_code == 403
    (after,) = requests_in(council_a)
    assert (after.state, after.due_on, after.closed_at) == (State.RECEIVED, sar.due_on, None)
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=held.worker.user_id).exists()


def test_an_unknown_request_is_not_found(as_officer: Browser) -> None:
    assert as_officer.get("/privacy-officer/subject-access/00000000-0000-4000-8000-000000000000/").status_code == 404
