"""The alerts inbox: open first, filtered; an alert's evidence; assigning to a privacy officer and closing once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.governance.models import Alert, AlertKind
from core.governance.services.alerts import alert_assign, alert_close
from tenants.models import Council
from tests.core.privacy.conftest import Record, at
from tests.factories import verified_practitioner


def _alert(council: Council, record: Record, kind: AlertKind = AlertKind.BURST, **extra: object) -> Alert:
    with schema_context(council.schema_name):
        return Alert.objects.create(
            kind=kind,
            practitioner=record.worker,
            period_start=extra.pop("period_start", at(0)),
            period_end=at(23, 59),
            summary=extra.pop("summary", "20 searches within ten minutes on 20 November 2026"),
            evidence=extra.pop("evidence", {}),
            **extra,
        )


def _events(council: Council, action: str) -> int:
    with schema_context(council.schema_name):
        return AuditEvent.objects.filter(action=action).count()


def test_the_inbox_shows_open_alerts_first_and_filters(as_officer: Browser, council_a: Council, record: Record) -> None:
    closed = _alert(
        council_a,
        record,
        AlertKind.OWN_SURNAME,
        state=Alert.State.CLOSED,
        outcome=Alert.Outcome.NO_CONCERN,
        outcome_note="Their own family, declared",
        period_start=at(1),
    )
    older_open = _alert(council_a, record, AlertKind.OUT_OF_HOURS, period_start=at(2))
    newer_open = _alert(council_a, record, AlertKind.BURST, period_start=at(3), assigned_to=record.colleague)
    page = as_officer.get("/privacy-officer/alerts/")
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [newer_open, older_open, closed]
    assert list(as_officer.get("/privacy-officer/alerts/?state=closed").context["page"].object_list) == [closed]
    assert list(as_officer.get("/privacy-officer/alerts/?kind=out_of_hours").context["page"].object_list) == [
        older_open
    ]
    assigned = as_officer.get(f"/privacy-officer/alerts/?assigned_to={record.colleague.pk}")
    assert list(assigned.context["page"].object_list) == [newer_open]
    nobody = as_officer.get("/privacy-officer/alerts/?assigned_to=none&state=open")
    assert list(nobody.context["page"].object_list) == [older_open]
    about = as_officer.get(f"/privacy-officer/alerts/?practitioner={record.worker.pk}&raised=7")
    assert len(about.context["page"].object_list) == 3
    # A value that is not on offer (an edited address) filters nothing rather than failing.
    assert as_officer.get("/privacy-officer/alerts/?state=everything").status_code == 200


def test_the_inbox_reads_the_same_number_of_queries_whatever_its_alerts(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    _alert(council_a, record, period_start=at(0))
    as_officer.get("/privacy-officer/alerts/")
    with CaptureQueriesContext(connection) as few:
        as_officer.get("/privacy-officer/alerts/")
    with schema_context(council_a.schema_name):
        for hour in range(1, 12):
            person = verified_practitioner(record.agency, f"Q{hour}", "Quick")
            Alert.objects.create(
                kind=AlertKind.BURST,
                practitioner=person,
                period_start=at(hour),
                period_end=at(23),
                summary="x",
                assigned_to=record.colleague,
            )
    with CaptureQueriesContext(connection) as many:
        response = as_officer.get("/privacy-officer/alerts/")
    assert len(response.context["page"].object_list) == 12
    assert len(many) == len(few)


def test_an_alert_shows_its_evidence_with_links_to_the_clients(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    search = record.touching["search"]
    alert = _alert(
        council_a,
        record,
        evidence={
            "count": 20,
            "threshold": 20,
            "audit_event_ids": [search.pk],
            "client_ids": [str(record.client.pk), "00000000-0000-4000-8000-000000000000"],
            "window_start": at(9).isoformat(),
        },
    )
    response = as_officer.get(f"/privacy-officer/alerts/{alert.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "20 (the council's threshold is 20)" in page
    assert f'href="/privacy-officer/clients/{record.client.pk}/"' in page
    assert "Jade Hughes" in page
    assert "00000000-0000-4000-8000-000000000000 (no longer on record)" in page
    assert [row.event.pk for row in response.context["evidence"].rows] == [search.pk]
    assert "Search (2 results)" in page or "Searched for a client (2 results)" in page
    assert "/break-glass/reviews/" not in page
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_REPORT_VIEWED, object_type="alert", object_id=str(alert.pk)
        ).exists()


def test_a_break_glass_alert_links_to_its_review(as_officer: Browser, council_a: Council, record: Record) -> None:
    alert = _alert(
        council_a, record, AlertKind.BREAK_GLASS, evidence={"break_glass_id": "7f1e0c1a-0000-4000-8000-00000000beef"}
    )
    page = as_officer.get(f"/privacy-officer/alerts/{alert.pk}/").content.decode()
    assert 'href="/break-glass/reviews/7f1e0c1a-0000-4000-8000-00000000beef/"' in page


def test_the_officer_assigns_an_alert_to_a_colleague_and_closes_it_once(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    alert = _alert(council_a, record)
    response = as_officer.post(f"/privacy-officer/alerts/{alert.pk}/assign/", {"assignee": str(record.colleague.pk)})
    assert response.status_code == 302
    closing = {"outcome": "advice_given", "note": "Spoke to Wendy: training booked."}
    assert as_officer.post(f"/privacy-officer/alerts/{alert.pk}/close/", closing).status_code == 302
    with schema_context(council_a.schema_name):
        alert.refresh_from_db()
        assigned = AuditEvent.objects.get(action=AuditAction.ALERT_ASSIGNED)
        closed = AuditEvent.objects.get(action=AuditAction.ALERT_CLOSED)
    assert (alert.state, alert.outcome, alert.outcome_note) == ("closed", "advice_given", closing["note"])
    assert (alert.assigned_to_id, alert.closed_by_id) == (record.colleague.pk, record.officer.pk)
    assert assigned.actor_id == record.officer.user_id
    assert assigned.object_id == str(alert.pk)
    assert closed.actor_id == record.officer.user_id

    again = as_officer.post(
        f"/privacy-officer/alerts/{alert.pk}/close/", {"outcome": "breach", "note": "Changed my mind"}
    )
    assert again.status_code == 400
    assert "This alert was already closed." in again.content.decode()
    reassigned = as_officer.post(f"/privacy-officer/alerts/{alert.pk}/assign/", {"assignee": str(record.officer.pk)})
    assert reassigned.status_code == 400
    with schema_context(council_a.schema_name):
        alert.refresh_from_db()
    assert (alert.outcome, alert.outcome_note, alert.assigned_to_id) == (
        "advice_given",
        closing["note"],
        record.colleague.pk,
    )
    assert _events(council_a, AuditAction.ALERT_CLOSED) == 1
    assert _events(council_a, AuditAction.ALERT_ASSIGNED) == 1


def test_closing_needs_an_outcome_and_a_note(as_officer: Browser, council_a: Council, record: Record) -> None:
    alert = _alert(council_a, record)
    response = as_officer.post(f"/privacy-officer/alerts/{alert.pk}/close/", {"outcome": "", "note": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select the outcome" in page
    assert "Say what you found and what was done" in page
    bogus = as_officer.post(f"/privacy-officer/alerts/{alert.pk}/close/", {"outcome": "shrug", "note": "kept"})
    assert bogus.status_code == 400
    assert "kept" in bogus.content.decode()
    with schema_context(council_a.schema_name):
        alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN
    assert _events(council_a, AuditAction.ALERT_CLOSED) == 0


def test_an_alert_is_assigned_only_to_a_privacy_officer(
    as_officer: Browser, council_a: Council, record: Record
) -> None:
    alert = _alert(council_a, record)
    response = as_officer.post(f"/privacy-officer/alerts/{alert.pk}/assign/", {"assignee": str(record.worker.pk)})
    assert response.status_code == 400
    assert "Choose one of the council&#x27;s privacy officers" in response.content.decode()
    with schema_context(council_a.schema_name):
        alert.refresh_from_db()
        assert alert.assigned_to_id is None
        with pytest.raises(ValidationError):
            alert_assign(actor=record.officer, alert_id=alert.pk, assignee=record.worker)
        alert.refresh_from_db()
        assert alert.assigned_to_id is None


def test_only_a_privacy_officer_assigns_or_closes_and_a_refusal_is_recorded(council_a: Council, record: Record) -> None:
    alert = _alert(council_a, record)
    with schema_context(council_a.schema_name):
        with pytest.raises(PermissionDenied):
            alert_assign(actor=record.worker, alert_id=alert.pk, assignee=record.officer)
        with pytest.raises(PermissionDenied):
            alert_close(actor=record.worker, alert_id=alert.pk, outcome="no_concern", note="Nothing to see")
        alert.refresh_from_db()
        assert (alert.state, alert.assigned_to_id) == (Alert.State.OPEN, None)
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, object_id=str(alert.pk)).count() == 2
        # An officer closing an unassigned alert takes it.
        closed = alert_close(actor=record.officer, alert_id=alert.pk, outcome="no_concern", note="Justified")
        assert (closed.state, closed.assigned_to_id, closed.closed_by_id) == (
            "closed",
            record.officer.pk,
            record.officer.pk,
        )
        with pytest.raises(ValidationError):
            alert_close(actor=record.colleague, alert_id=alert.pk, outcome="breach", note="Second go")
        alert.refresh_from_db()
        assert (alert.outcome, alert.closed_by_id) == ("no_concern", record.officer.pk)
