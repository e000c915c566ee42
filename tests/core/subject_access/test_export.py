"""The export holds everything the council holds about the client — team (sensitive services included),
consents, family, join requests, break-glass, alerts, emails — and who accessed the record; nothing about
anyone else's record; in JSON, HTML and PDF, in private storage under the council's prefix; in a number of
queries that does not grow with the rows; failing clearly, and safe to run again."""

import datetime
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from pypdf import PdfReader

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.clients.models import ClientAlias, Consent, Involvement
from core.governance.rules import RetentionKind
from core.retention.models import ErasureRequest, LegalHold, RetentionItem, RetentionRun
from core.subject_access import registry
from core.subject_access.export import SCHEMA_VERSION
from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.exports import subject_access_export, subject_access_export_start
from tenants.models import Council
from tests.core.subject_access.conftest import ORIGIN, Held, at, audit, sar_for, stored
from tests.factories import ClientFactory, InvolvementFactory

State = SubjectAccessRequest.State


def exported(held: Held, council: Council, sar: SubjectAccessRequest | None = None) -> SubjectAccessRequest:
    sar = sar or sar_for(held, council)
    with schema_context(council.schema_name):
        subject_access_export_start(actor=held.officer, request_id=sar.pk, origin=ORIGIN)
        return subject_access_export(request_id=sar.pk)


def read(sar: SubjectAccessRequest, name: str) -> bytes:
    entry = next(entry for entry in sar.files if entry["name"] == name)
    with storages["private"].open(entry["key"], "rb") as stored_file:
        return stored_file.read()


def sections_of(sar: SubjectAccessRequest) -> dict[str, dict]:
    document = json.loads(read(sar, "subject-access.json"))
    assert document["schema_version"] == SCHEMA_VERSION
    return {section["key"]: section for section in document["sections"]}


def test_the_export_holds_everything_about_the_client_and_nothing_about_others(council_a: Council, held: Held) -> None:
    sar = exported(held, council_a)
    assert sar.state == State.READY
    sections = sections_of(sar)
    assert set(sections) == {
        *registry.SECTIONS,
        "audit.AuditEvent",
        "governance.Alert",
        "notifications.Notification",
        "inbox.Notice",
        "retention.RetentionItem",
    }

    (record,) = sections["clients.Client"]["rows"]
    assert (record["first_name"], record["surname"], record["nhs_number"]) == ("Jade", "Hughes", "9434765919")
    assert record["id"] == str(held.client.pk)
    assert [row["surname"] for row in sections["clients.ClientAlias"]["rows"]] == ["Evans"]
    (membership,) = sections["clients.FamilyMember"]["rows"]
    assert (membership["family"], membership["relationship"]) == ("Hughes household", "Child")
    assert membership["extra"] == ["Kai Hughes (Sibling)"]

    team = {row["practitioner"]: row for row in sections["clients.Involvement"]["rows"]}
    assert set(team) == {"Wendy Worker (Alpha Children's Services)", "Ciaran Counsellor (Alpha Recovery Service)"}
    assert team["Wendy Worker (Alpha Children's Services)"]["is_lead"] is True  # names, not ids, and the real values
    (consent,) = sections["clients.Consent"]["rows"]
    assert (consent["given_by"], consent["services"], consent["relationship"]) == (
        "Mia Hughes",
        ["Alpha Recovery Service"],
        "Parent",
    )
    assert [row["reason"] for row in sections["clients.JoinRequest"]["rows"]] == ["Referral from GP"]
    assert [row["explanation"] for row in sections["clients.BreakGlassAccess"]["rows"]] == [
        "Placement needed overnight"
    ]
    assert [row["kind"] for row in sections["clients.TeamActivity"]["rows"]] == ["joined the team"]
    assert [row["invitee_email"] for row in sections["clients.TeamInvitation"]["rows"]] == ["new.nurse@health.example"]
    assert [row["received_on"] for row in sections["subject_access.SubjectAccessRequest"]["rows"]] == ["2026-01-31"]

    history = sections["audit.AuditEvent"]["rows"]
    whats = [row["what"] for row in history]
    assert "Search: this client was among its 2 results" in whats
    assert whats.count("Viewed a client's team") == 1  # the stranger's view is not here
    assert "Opened a team by break-glass" in whats
    assert "Recorded a subject access request" in whats
    (correction,) = [row for row in history if row["changes"]]
    assert correction["changes"] == {"surname": {"old": "Evans", "new": "Hughes"}}
    assert {row["who"] for row in history} >= {"Wendy Worker", "Asha Asker", "Olive Officer"}
    assert [row["summary"] for row in sections["governance.Alert"]["rows"]] == ["Opened a team by break-glass"]
    assert [row["subject"] for row in sections["notifications.Notification"]["rows"]] == [
        "Someone joined a team you are in"
    ]
    text = read(sar, "subject-access.json").decode()
    for elsewhere in ("Stranger", "Unrelated-alias", "Stranger's worker", str(held.stranger.pk)):
        assert elsewhere not in text
    left_out = {item["field"] for item in sections["subject_access.SubjectAccessRequest"]["left_out"]}
    assert {"Files", "Download nonce"} <= left_out


def test_legal_holds_erasure_requests_and_retention_listings_are_in_the_export(council_a: Council, held: Held) -> None:
    with schema_context(council_a.schema_name):
        LegalHold.objects.create(client=held.client, reason="Disclosure in care proceedings", placed_by=held.officer)
        ErasureRequest.objects.create(
            client=held.client,
            client_reference=held.client.pk,
            received_on=datetime.date(2026, 1, 20),
            grounds=ErasureRequest.Grounds.OBJECTION,
            recorded_by=held.officer,
            decision=ErasureRequest.Decision.REFUSED,
            decision_reason="A statutory duty to keep it",
        )
        run = RetentionRun.objects.create(
            prepared_on=datetime.date(2026, 1, 10), periods={}, cutoffs={}, counts={"clients": 2}
        )
        RetentionItem.objects.create(run=run, kind=RetentionKind.CLIENTS, object_uuid=held.client.pk)
        RetentionItem.objects.create(run=run, kind=RetentionKind.CLIENTS, object_uuid=held.stranger.pk)
    sections = sections_of(exported(held, council_a))

    (hold,) = sections["retention.LegalHold"]["rows"]
    assert (hold["reason"], hold["placed_by"]) == (
        "Disclosure in care proceedings",
        "Olive Officer (Alpha Information Governance)",
    )
    (erasure,) = sections["retention.ErasureRequest"]["rows"]
    assert (erasure["decision_reason"], erasure["received_on"]) == ("A statutory duty to keep it", "2026-01-20")
    (listed,) = sections["retention.RetentionItem"]["rows"]  # the stranger's listing is not here
    assert (listed["listed_on"], listed["what"]) == ("2026-01-10", "The client's record")


def test_what_practitioners_were_told_in_the_app_about_the_client_is_in_the_export(
    council_a: Council, held: Held
) -> None:
    from core.inbox.models import Notice, NoticeKind

    with schema_context(council_a.schema_name):
        for client, text in ((held.client, "Asha Asker asks to join the team"), (held.stranger, "About the stranger")):
            Notice.objects.create(
                recipient=held.worker.user,
                kind=NoticeKind.JOIN_REQUEST,
                text=text,
                link=f"/clients/{client.pk}/",
                client_id=client.pk,
                created_at=at(20),
            )
    notices = sections_of(exported(held, council_a))["inbox.Notice"]
    (row,) = notices["rows"]
    assert (row["recipient"], row["kind"], row["text"], row["read_at"]) == (
        "Wendy Worker (Alpha Children's Services)",
        "A request to join a team",
        "Asha Asker asks to join the team",
        None,
    )
    assert row["created_at"].startswith("2026-01-20")
    assert [item["field"] for item in notices["left_out"]] == ["Link"]


def test_the_readable_documents_say_the_same_and_stand_alone(council_a: Council, held: Held) -> None:
    sar = exported(held, council_a)
    html = read(sar, "subject-access.html").decode()
    assert html.startswith("<!DOCTYPE html>")
    assert 'lang="en-GB"' in html
    for words in (
        "Jade Hughes",
        "Alpha Recovery Service",
        "Hughes household",
        "Kai Hughes (Sibling)",
        "31 January 2026",
        "28 February 2026",
        "surname: Evans → Hughes",
        "Who accessed the record",
    ):
        assert words in html
    assert "<script" not in html
    assert "<link" not in html
    assert "src=" not in html
    assert "http" not in html.split("<body>")[0]
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(read(sar, "subject-access.pdf"))).pages)
    for words in ("Subject access export", "Jade Hughes", "Alpha Recovery Service", "Who accessed the record"):
        assert words in pdf


def test_names_are_printed_as_written_and_never_as_markup(council_a: Council, held: Held) -> None:
    with schema_context(council_a.schema_name):
        held.client.first_name = "<b>Zoë</b>"
        held.client.save(update_fields=["first_name"])
    sar = exported(held, council_a)
    html = read(sar, "subject-access.html").decode()
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in html
    assert "<b>Zoë" not in html
    assert "Zoë" in "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(read(sar, "subject-access.pdf"))).pages
    )


def test_files_are_kept_privately_under_the_council_with_their_checks(
    council_a: Council, held: Held, private_root: Path
) -> None:
    sar = exported(held, council_a)
    assert sorted(entry["name"] for entry in sar.files) == [
        "subject-access.html",
        "subject-access.json",
        "subject-access.pdf",
    ]
    for entry in sar.files:
        assert entry["key"].startswith(f"subject-access/{council_a.schema_name}/{sar.pk}/")
        assert hashlib.sha256(read(sar, entry["name"])).hexdigest() == entry["sha256"]
    assert len(stored(private_root)) == 3
    with pytest.raises(ValueError, match="no web address"):
        storages["private"].url(sar.files[0]["key"])
    with schema_context(council_a.schema_name):
        (event,) = AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_EXPORTED)
    assert (event.outcome, event.actor_id, event.related_ids) == (
        AuditOutcome.SUCCESS,
        held.officer.user_id,
        [str(held.client.pk)],
    )
    assert "Jade" not in event.reason
    assert "Hughes" not in event.reason


def test_running_it_again_changes_nothing(council_a: Council, held: Held, private_root: Path) -> None:
    sar = exported(held, council_a)
    with schema_context(council_a.schema_name):
        again = subject_access_export(request_id=sar.pk)
        assert AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_EXPORTED).count() == 1
    assert (again.state, again.files, again.download_nonce) == (State.READY, sar.files, sar.download_nonce)
    assert len(stored(private_root)) == 3


def test_a_new_export_replaces_the_one_not_yet_downloaded(council_a: Council, held: Held) -> None:
    first = exported(held, council_a)
    second = exported(held, council_a, first)
    assert second.download_nonce != first.download_nonce
    assert {entry["key"] for entry in second.files}.isdisjoint({entry["key"] for entry in first.files})


def test_an_uncovered_model_stops_the_export_with_a_clear_message_and_it_can_be_retried(
    council_a: Council, held: Held, private_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(registry.SECTIONS, "clients.Consent")
    sar = exported(held, council_a)
    assert sar.state == State.FAILED
    assert "clients.Consent refers to a client but the subject access export does not cover it" in sar.error
    assert sar.files == []
    assert stored(private_root) == []
    with schema_context(council_a.schema_name):
        failure = AuditEvent.objects.get(action=AuditAction.SUBJECT_ACCESS_EXPORTED)
    assert failure.outcome == AuditOutcome.FAILURE

    monkeypatch.undo()
    retried = exported(held, council_a, sar)
    assert (retried.state, retried.error) == (State.READY, "")
    assert "clients.Consent" in sections_of(retried)


def test_an_erased_client_cannot_be_exported(council_a: Council, held: Held) -> None:
    sar = sar_for(held, council_a)
    with schema_context(council_a.schema_name):
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(client=None)  # as retention leaves it
        with pytest.raises(ValidationError, match="erased"):
            subject_access_export_start(actor=held.officer, request_id=sar.pk, origin=ORIGIN)
        assert SubjectAccessRequest.objects.get(pk=sar.pk).state == State.RECEIVED


def test_the_number_of_queries_does_not_grow_with_the_rows(council_a: Council, held: Held) -> None:
    sar = sar_for(held, council_a)

    def queries() -> int:
        with schema_context(council_a.schema_name):
            subject_access_export_start(actor=held.officer, request_id=sar.pk, origin=ORIGIN)
            with CaptureQueriesContext(connection) as captured:
                assert subject_access_export(request_id=sar.pk).state == State.READY
        return len(captured)

    few = queries()
    with schema_context(council_a.schema_name):
        for number in range(30):
            InvolvementFactory(client=held.client, role=f"Worker {number}", started_on=datetime.date(2025, 1, 1))
            ClientAlias.objects.create(client=held.client, surname=f"Alias{number}")
            audit(held.worker, AuditAction.CLIENT_VIEWED, at(15), object_type="client", object_id=str(held.client.pk))
            consent = Consent.objects.create(
                client=held.client,
                given_by="Mia",
                relationship="parent",
                given_on=datetime.date(2026, 1, 7),
                evidence="form",
                recorded_by=held.worker,
                covers_all_services=False,
            )
            consent.services.add(held.sensitive)
        other = ClientFactory()
        InvolvementFactory(client=other)
    many = queries()
    assert many == few
    assert few <= 65  # a query or two a section, one progress update a step, the locks, the audit, the planning setting
    with schema_context(council_a.schema_name):
        assert Involvement.objects.filter(client=held.client).count() == 32
