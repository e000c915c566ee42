"""Who accessed this client and why; what a practitioner did; the CSV exports. Privacy officers only."""

import csv
import io
import uuid

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.governance.models import Alert, AlertKind
from core.privacy.views import csv_cell
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.privacy.conftest import FORMULA, Record, at, audit
from tests.factories import AgencyFactory, ClientFactory, verified_practitioner

ROUTES = [
    "/privacy-officer/",
    "/privacy-officer/clients/{client}/",
    "/privacy-officer/clients/{client}/access.csv",
    "/privacy-officer/practitioners/{worker}/",
    "/privacy-officer/practitioners/{worker}/activity.csv",
    "/privacy-officer/alerts/",
    "/privacy-officer/alerts/{alert}/",
]


def _alert(council: Council, record: Record) -> Alert:
    with schema_context(council.schema_name):
        return Alert.objects.create(
            kind=AlertKind.BURST,
            practitioner=record.worker,
            period_start=at(0),
            period_end=at(23),
            summary="20 searches within ten minutes",
            evidence={"count": 20, "audit_event_ids": [], "client_ids": []},
        )


def _events(council: Council, **filters: object) -> int:
    with schema_context(council.schema_name):
        return AuditEvent.objects.filter(**filters).count()


def _csv(response: object) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("route", ROUTES)
def test_a_practitioner_who_is_not_a_privacy_officer_is_refused_and_it_is_recorded(
    as_worker: Browser, council_a: Council, record: Record, route: str
) -> None:
    alert = _alert(council_a, record)
    path = route.format(client=record.client.pk, worker=record.worker.pk, alert=alert.pk)
    before = _events(council_a, action=AuditAction.ACCESS_DENIED)
    assert as_worker.get(path).status_code == 403
    assert _events(council_a, action=AuditAction.ACCESS_DENIED) == before + 1
    assert _events(council_a, action__in=[AuditAction.ACCESS_REPORT_VIEWED, AuditAction.ACCESS_REPORT_EXPORTED]) == 0


def test_posting_as_a_practitioner_who_is_not_a_privacy_officer_changes_nothing(
    as_worker: Browser, council_a: Council, record: Record
) -> None:
    alert = _alert(council_a, record)
    assert (
        as_worker.post(f"/privacy-officer/alerts/{alert.pk}/assign/", {"assignee": record.officer.pk}).status_code
        == 403
    )
    closing = {"outcome": "no_concern", "note": "Fine"}
    assert as_worker.post(f"/privacy-officer/alerts/{alert.pk}/close/", closing).status_code == 403
    assert (
        as_worker.post(
            "/privacy-officer/",
            {"surname": "Hughes", "date_of_birth_day": "2", "date_of_birth_month": "6", "date_of_birth_year": "2014"},
        ).status_code
        == 403
    )
    with schema_context(council_a.schema_name):
        alert.refresh_from_db()
        assert (alert.state, alert.assigned_to_id) == (Alert.State.OPEN, None)


def test_another_councils_ids_are_not_found(as_officer: Browser, council_b: Council) -> None:
    with schema_context(council_b.schema_name):
        theirs = ClientFactory()
        agency = AgencyFactory(email_domains=["beta.example"])
        person = verified_practitioner(agency, "Bea", "Beta")
        alert = Alert.objects.create(
            kind=AlertKind.BURST, practitioner=person, period_start=at(0), period_end=at(23), summary="x"
        )
    for path in (
        f"/privacy-officer/clients/{theirs.pk}/",
        f"/privacy-officer/clients/{theirs.pk}/access.csv",
        f"/privacy-officer/practitioners/{person.pk}/",
        f"/privacy-officer/alerts/{alert.pk}/",
        f"/privacy-officer/clients/{uuid.uuid4()}/",
    ):
        assert as_officer.get(path).status_code == 404, path


def test_the_access_report_lists_every_access_to_the_client_and_nothing_else(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    response = as_officer.get(f"/privacy-officer/clients/{record.client.pk}/")
    assert response.status_code == 200
    rows = response.context["rows"]
    shown = [row.event.pk for row in rows if row.event.action != AuditAction.ACCESS_REPORT_VIEWED]
    expected = sorted(record.touching.values(), key=lambda event: event.occurred_at, reverse=True)
    assert shown == [event.pk for event in expected]  # newest first; none of the stranger's
    what = {row.event.pk: row.what for row in rows}
    assert what[record.touching["search"].pk] == "Search: this client was among its 2 results"
    assert what[record.touching["view"].pk] == "Viewed a client's team"
    assert what[record.touching["family view"].pk] == "Viewed a family member's team, which shows this client"
    page = response.content.decode()
    assert "Wendy Worker" in page
    assert "Alpha Children&#x27;s Services" in page
    assert "Account removed" in page  # the family view by an account that is gone
    assert "Allocated at the strategy meeting" in page
    assert "192.0.2.10" in page
    assert "20 Nov 2026 22:00:00" in page  # council A keeps London time: GMT in November
    with schema_context(council_a.schema_name):
        viewed = AuditEvent.objects.get(action=AuditAction.ACCESS_REPORT_VIEWED)
    assert (viewed.actor_id, viewed.object_id) == (record.officer.user_id, str(record.client.pk))


def test_the_access_report_reads_the_same_number_of_queries_whatever_its_rows(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    path = f"/privacy-officer/clients/{record.client.pk}/"
    as_officer.get(path)  # the session and its device are warm
    with CaptureQueriesContext(connection) as few:
        assert as_officer.get(path).status_code == 200
    with schema_context(council_a.schema_name):
        for number in range(40):  # 40 more searches by 40 different practitioners
            person = verified_practitioner(record.agency, f"P{number}", "Searcher")
            audit(person.user_id, AuditAction.CLIENT_SEARCH, at(11), related_ids=[record.client.pk])
    with CaptureQueriesContext(connection) as many:
        response = as_officer.get(path)
    assert len(response.context["rows"]) == len(record.touching) + 40 + 3  # and the three readings of the report
    assert len(many) == len(few)


def test_the_activity_report_reads_the_same_number_of_queries_whatever_its_rows(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    path = f"/privacy-officer/practitioners/{record.worker.pk}/"
    as_officer.get(path)
    with CaptureQueriesContext(connection) as few:
        response = as_officer.get(path)
    assert len(response.context["rows"]) == 9
    with schema_context(council_a.schema_name):
        for number in range(30):
            audit(record.worker.user_id, AuditAction.CLIENT_SEARCH, at(12, number), related_ids=[record.stranger.pk])
    with CaptureQueriesContext(connection) as many:
        response = as_officer.get(path)
    assert len(response.context["rows"]) == 39
    assert len(many) == len(few)


def test_the_access_report_is_paginated_newest_first(as_officer: Browser, council_a: Council, record: Record) -> None:
    with schema_context(council_a.schema_name):
        for minute in range(50):
            audit(record.worker.user_id, AuditAction.CLIENT_SEARCH, at(12, minute), related_ids=[record.client.pk])
    first = as_officer.get(f"/privacy-officer/clients/{record.client.pk}/")
    second = as_officer.get(f"/privacy-officer/clients/{record.client.pk}/?page=2")
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].event.action == AuditAction.ACCESS_REPORT_VIEWED  # this very reading
    assert {row.event.pk for row in second.context["rows"]} >= {record.touching["search"].pk}
    assert "1 of 2" in first.content.decode()


def test_the_csv_export_lists_the_accesses_guards_formulas_and_is_recorded(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    response = as_officer.get(f"/privacy-officer/clients/{record.client.pk}/access.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = _csv(response)
    assert lines[0] == ["When", "Who", "Agency", "What", "Outcome", "Reason", "Address", "Client", "Audit event"]
    with schema_context(council_a.schema_name):
        exported = AuditEvent.objects.get(action=AuditAction.ACCESS_REPORT_EXPORTED)
    assert exported.object_id == str(record.client.pk)
    ids = [int(line[8]) for line in lines[1:]]
    assert ids == [exported.pk] + [
        event.pk for event in sorted(record.touching.values(), key=lambda event: event.occurred_at, reverse=True)
    ]
    by_id = {int(line[8]): line for line in lines[1:]}
    broken = by_id[record.touching["break-glass"].pk]
    assert broken[0] == "2026-11-20T22:00:00+00:00"
    assert broken[1:3] == ["Wendy Worker", "Alpha Children's Services"]
    assert broken[5] == "'" + FORMULA
    assert by_id[record.touching["family view"].pk][1] == "Account removed"


def test_a_practitioners_activity_lists_what_they_did(as_officer: Browser, council_a: Council, record: Record) -> None:
    response = as_officer.get(f"/privacy-officer/practitioners/{record.worker.pk}/")
    assert response.status_code == 200
    shown = {row.event.pk for row in response.context["rows"]}
    everything = {event.pk for event in record.touching.values() if event.actor_id == record.worker.user_id}
    assert shown == everything | {event.pk for event in record.not_touching}
    lines = _csv(as_officer.get(f"/privacy-officer/practitioners/{record.worker.pk}/activity.csv"))
    assert {int(line[8]) for line in lines[1:]} == shown
    assert _events(council_a, action=AuditAction.ACCESS_REPORT_VIEWED, object_type="practitioner") == 1
    assert _events(council_a, action=AuditAction.ACCESS_REPORT_EXPORTED, object_type="practitioner") == 1


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700", "'+44 7700"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain = fine", "plain = fine"),
        (None, ""),
    ],
)
def test_csv_cells_that_start_like_a_formula_are_quoted(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def _dob(day: str, month: str, year: str) -> dict[str, str]:
    return {"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}


def test_the_officer_finds_a_client_by_surname_and_date_of_birth_and_it_is_recorded(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    response = as_officer.post("/privacy-officer/", {"surname": "hughes", **_dob("2", "6", "2014")})
    assert response.status_code == 200
    assert response.context["found"] == [record.client]
    assert f"/privacy-officer/clients/{record.client.pk}/" in response.content.decode()
    with schema_context(council_a.schema_name):
        lookup = AuditEvent.objects.get(action=AuditAction.ACCESS_REPORT_VIEWED)
    assert lookup.related_ids == [str(record.client.pk)]
    assert "hughes" not in lookup.reason.lower()  # the criteria are never stored


def test_the_officer_finds_a_client_by_identifier_or_reference(as_officer: Browser, record: Record) -> None:
    assert as_officer.post("/privacy-officer/", {"identifier": "943 476 5919"}).context["found"] == [record.client]
    assert as_officer.post("/privacy-officer/", {"client_id": str(record.sibling.pk)}).context["found"] == [
        record.sibling
    ]
    assert as_officer.post("/privacy-officer/", {"client_id": str(uuid.uuid4())}).context["found"] == []


def test_a_lookup_without_enough_details_is_refused_keeping_what_was_typed(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    response = as_officer.post("/privacy-officer/", {"surname": "Hughes"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter their date of birth" in page
    assert 'value="Hughes"' in page
    assert as_officer.post("/privacy-officer/", {}).status_code == 400
    assert as_officer.post("/privacy-officer/", {"client_id": "not-a-reference"}).status_code == 400
    assert _events(council_a, action=AuditAction.ACCESS_REPORT_VIEWED) == 0


def test_a_deactivated_privacy_officer_is_refused(client_a: Browser, council_a: Council, record: Record) -> None:
    sign_in(client_a, record.colleague.user, council_a)
    with schema_context(council_a.schema_name):
        type(record.colleague).objects.filter(pk=record.colleague.pk).update(is_privacy_officer=False)
    assert client_a.get("/privacy-officer/").status_code == 403
