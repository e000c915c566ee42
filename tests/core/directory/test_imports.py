"""Bulk import of agencies and practitioners from a CSV file, by a council administrator.

Written from the administrator's side (upload a file, watch it, download what went wrong, upload it
again) and from the side of those who must not: a practitioner, an agency manager, someone not signed
in, an administrator of another council. The import runs in the background; here the task runs in
this process as soon as the upload commits, as it does where no broker is configured.
"""

import csv
import io
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import app
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.directory.imports import COLUMNS, MAX_ROWS, CsvRow, csv_rows
from core.directory.models import (
    Agency,
    ApprovalState,
    ImportJob,
    ImportKind,
    ImportProblem,
    ImportStatus,
    Invitation,
    Practitioner,
    Role,
)
from core.directory.services.imports import CHUNK_ROWS, import_chunk, import_job_run
from core.notifications.models import Notification
from tenants.models import Council
from tests.conftest import sign_in
from tests.core.accounts.helpers import audit_events
from tests.factories import AgencyFactory, PractitionerFactory

pytestmark = pytest.mark.council_side

PRACTITIONER_HEADERS = "first_name,last_name,email,agency,job_title,role"
AGENCY_HEADERS = "name,type,services,contact_email,contact_phone,email_domains,sensitive,gateway_contact"


@pytest.fixture
def tasks_in_process() -> Iterator[None]:
    """Background tasks run in this process when sent, as with no broker configured (the local settings)."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def early_help(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Early Help", email_domains=["earlyhelp.example"])


@pytest.fixture
def police(council_a: Council) -> Agency:
    with schema_context(council_a.schema_name):
        return AgencyFactory(name="Alpha Police", agency_type="police", email_domains=["police.example"])


@pytest.fixture
def admin(council_a: Council, early_help: Agency) -> Practitioner:
    with schema_context(council_a.schema_name):
        return PractitionerFactory(
            agency=early_help,
            user__email="helen@earlyhelp.example",
            user__first_name="Helen",
            user__last_name="Bradbury",
            is_council_admin=True,
            verified_at=timezone.now(),
        )


@pytest.fixture
def as_admin(client_a: Client, council_a: Council, admin: Practitioner) -> Client:
    sign_in(client_a, admin.user, council_a)
    return client_a


def csv_file(text: str, name: str = "people.csv", *, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client: Client, kind: str, file: SimpleUploadedFile, capture: object) -> object:
    with capture(execute=True):  # type: ignore[operator]
        return client.post(f"/administration/imports/{kind}/", {"file": file})


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def report(response: object) -> list[list[str]]:
    """A downloaded CSV file's lines; it starts with a byte-order mark, for Excel."""
    content = response.content  # type: ignore[attr-defined]
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def counts(council: Council) -> dict[str, int]:
    with schema_context(council.schema_name):
        return {
            "jobs": ImportJob.objects.count(),
            "agencies": Agency.objects.count(),
            "invitations": Invitation.objects.count(),
            "emails": Notification.objects.count(),
        }


PEOPLE = "\n".join(
    [
        PRACTITIONER_HEADERS,
        "Amy,Collier,amy.collier@earlyhelp.example,Alpha Early Help,Social worker,practitioner",
        "Gareth,Hollis,Gareth.Hollis@police.example,alpha police,PC,agency_manager",
        "Kate,Lowe,kate.lowe@elsewhere.example,Alpha Police,Officer,",
        "Mark,Jennings,mark.jennings@earlyhelp.example,Alpha Early Help,Team manager,",
    ]
)


# --- The templates and the choice ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["agencies", "practitioners"])
def test_the_csv_template_of_each_import_has_exactly_its_headers(as_admin: Client, kind: str) -> None:
    response = as_admin.get(f"/administration/imports/{kind}/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="patchwork-{kind}-template.csv"' in response["Content-Disposition"]
    assert report(response) == [list(COLUMNS[kind])]


def test_the_administration_index_links_to_imports_and_the_choice_leads_to_the_upload_page(as_admin: Client) -> None:
    assert 'href="/administration/imports/"' in text(as_admin.get("/administration/"))
    page = text(as_admin.get("/administration/imports/"))
    assert "Import agencies or practitioners" in page
    chosen = as_admin.get("/administration/imports/", {"choose": "1", "kind": "practitioners"})
    assert chosen.status_code == 302
    assert chosen.url == "/administration/imports/practitioners/"
    nothing = text(as_admin.get("/administration/imports/", {"choose": "1"}))
    assert "govuk-error-summary" in nothing
    assert "Select what to import" in nothing
    upload_page = text(as_admin.get("/administration/imports/practitioners/"))
    assert 'href="/administration/imports/practitioners/template.csv"' in upload_page
    assert 'enctype="multipart/form-data"' in upload_page


# --- Refusals of the whole file: nothing created -----------------------------------------------------------

REFUSALS = {
    "not a csv name": (csv_file(PEOPLE, "people.xlsx"), "The selected file must be a CSV file"),
    "not utf-8": (
        csv_file(
            PRACTITIONER_HEADERS + "\nZoë,Brontë,zoe@earlyhelp.example,Alpha Early Help,Worker,", encoding="latin-1"
        ),
        "The selected file must be saved as UTF-8",
    ),
    "binary": (SimpleUploadedFile("people.csv", b"PK\x03\x04\x00\x00binary"), "The selected file must be"),
    "empty": (SimpleUploadedFile("people.csv", b""), "The selected file is empty"),
    "control characters": (
        csv_file(PRACTITIONER_HEADERS + "\nAmy\x07,Collier,amy@earlyhelp.example,Alpha Early Help,SW,"),
        "it has characters in it that are not text",
    ),
    "only blank lines": (csv_file("\n\n  \n"), "The selected file is empty"),
    "headers only": (csv_file(PRACTITIONER_HEADERS + "\n"), "The file has no rows to import"),
    "missing header": (
        csv_file("first_name,last_name,email,agency,role\nAmy,Collier,amy@earlyhelp.example,Alpha Early Help,"),
        "Columns missing job_title",
    ),
    "unknown header": (
        csv_file(PRACTITIONER_HEADERS + ",date_of_birth\nAmy,Collier,amy@earlyhelp.example,Alpha Early Help,SW,,x"),
        "unknown date_of_birth",
    ),
    "agency headers for practitioners": (
        csv_file(AGENCY_HEADERS + "\nAlpha Youth,statutory,,,,,,"),
        "Columns missing first_name, last_name, email, agency, job_title, role",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_file_that_cannot_be_imported_is_refused_on_the_form_and_nothing_is_created(
    as_admin: Client,
    council_a: Council,
    early_help: Agency,
    case: str,
    django_capture_on_commit_callbacks: object,
    tasks_in_process: None,
) -> None:
    file, message = REFUSALS[case]
    file.seek(0)
    before = counts(council_a)
    response = upload(as_admin, "practitioners", file, django_capture_on_commit_callbacks)
    page = text(response)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "govuk-error-summary" in page
    assert message in page
    assert "<title>Error: " in page
    assert counts(council_a) == before
    assert audit_events(council_a, action=AuditAction.IMPORT_STARTED) == []
    assert mail.outbox == []


def test_no_file_at_all_is_refused(as_admin: Client, council_a: Council) -> None:
    response = as_admin.post("/administration/imports/agencies/", {})
    assert "Select a CSV file" in text(response)
    assert counts(council_a)["jobs"] == 0


def test_a_file_over_the_size_limit_is_refused(
    as_admin: Client, council_a: Council, django_capture_on_commit_callbacks: object
) -> None:
    row = "Amy,Collier,amy.collier@earlyhelp.example,Alpha Early Help,Social worker,practitioner\n"
    big = PRACTITIONER_HEADERS + "\n" + row * (5 * 1024 * 1024 // len(row) + 1)
    response = upload(as_admin, "practitioners", csv_file(big), django_capture_on_commit_callbacks)
    assert "The selected file must be smaller than 5 MB" in text(response)
    assert counts(council_a)["jobs"] == 0


def test_a_file_with_more_rows_than_the_limit_is_refused(
    as_admin: Client, council_a: Council, django_capture_on_commit_callbacks: object
) -> None:
    many = AGENCY_HEADERS + "\n" + "".join(f"A{n},statutory,,,,,,\n" for n in range(MAX_ROWS + 1))
    before = counts(council_a)
    response = upload(as_admin, "agencies", csv_file(many, "agencies.csv"), django_capture_on_commit_callbacks)
    assert "The file must have 25,000 rows or fewer" in text(response)
    assert counts(council_a) == before


def test_the_limits_allow_twenty_thousand_practitioners() -> None:
    rows = "".join(
        f"Firstname{n},Surname{n},firstname.surname{n}@earlyhelp.example,Alpha Early Help,Social worker,practitioner\n"
        for n in range(20_000)
    )
    data = (PRACTITIONER_HEADERS + "\n" + rows).encode()
    assert len(data) < 5 * 1024 * 1024
    assert len(csv_rows(kind=ImportKind.PRACTITIONERS, text=data.decode())) == 20_000


# --- Practitioners: invited, a bad row reported, the same file again changes nothing ---------------------


def test_practitioners_are_invited_a_bad_row_is_reported_and_the_rest_imported(
    as_admin: Client,
    council_a: Council,
    admin: Practitioner,
    early_help: Agency,
    police: Agency,
    django_capture_on_commit_callbacks: object,
    tasks_in_process: None,
) -> None:
    response = upload(as_admin, "practitioners", csv_file("\ufeff" + PEOPLE), django_capture_on_commit_callbacks)
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.get()
        invitations = {invitation.email: invitation for invitation in Invitation.objects.all()}
        emails = list(Notification.objects.order_by("to").values_list("to", "holds_secret"))
    assert response.url == f"/administration/imports/jobs/{job.pk}/"  # type: ignore[attr-defined]
    assert (job.status, job.total_rows, job.processed_rows) == (ImportStatus.DONE, 4, 4)
    assert (job.imported_rows, job.skipped_rows, job.failed_rows) == (3, 0, 1)
    assert job.uploaded_by_id == admin.pk
    assert job.csv_text == ""  # the file is kept only while the import is under way
    assert set(invitations) == {
        "amy.collier@earlyhelp.example",
        "gareth.hollis@police.example",  # lower-cased; the agency matched whatever its case
        "mark.jennings@earlyhelp.example",
    }
    gareth = invitations["gareth.hollis@police.example"]
    assert (gareth.agency_id, gareth.role, gareth.invited_by_id) == (police.pk, Role.AGENCY_MANAGER, admin.pk)
    assert (gareth.first_name, gareth.last_name, gareth.job_title) == ("Gareth", "Hollis", "PC")
    assert invitations["amy.collier@earlyhelp.example"].role == Role.PRACTITIONER
    # One email each, holding the single-use link, delivered after commit.
    assert emails == [(email, True) for email in sorted(invitations)]
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(invitations)
    assert "/invitations/" in mail.outbox[0].body
    assert "Helen Bradbury has invited you" in mail.outbox[0].body

    page = text(as_admin.get(f"/administration/imports/jobs/{job.pk}/"))
    assert "Import finished" in page
    assert 'http-equiv="refresh"' not in page
    assert f'href="/administration/imports/jobs/{job.pk}/problems.csv"' in page

    problems = report(as_admin.get(f"/administration/imports/jobs/{job.pk}/problems.csv"))
    assert problems[0] == ["row", "column", "problem", *COLUMNS[ImportKind.PRACTITIONERS]]
    assert problems[1:] == [
        [
            "4",
            "email",
            "Use a work email address of Alpha Police (@police.example)",
            "Kate",
            "Lowe",
            "kate.lowe@elsewhere.example",
            "Alpha Police",
            "Officer",
            "",
        ]
    ]
    [started] = audit_events(council_a, action=AuditAction.IMPORT_STARTED)
    [finished] = audit_events(council_a, action=AuditAction.IMPORT_FINISHED)
    assert started.actor_id == finished.actor_id == admin.user.pk
    assert started.object_id == finished.object_id == str(job.pk)
    assert finished.outcome == AuditOutcome.SUCCESS
    assert "3 imported, 0 skipped, 1 not imported" in finished.reason
    assert len(audit_events(council_a, action=AuditAction.INVITATION_SENT, actor_id=admin.user.pk)) == 3
    # The report carries people's names and work emails out of Patchwork: who downloaded it is recorded.
    [downloaded] = audit_events(council_a, action=AuditAction.IMPORT_REPORT_DOWNLOADED)
    assert (downloaded.actor_id, downloaded.object_id) == (admin.user.pk, str(job.pk))
    assert downloaded.reason == "1 row not imported"

    # The invitation's link opens the account page with what the import knew of the person.
    [to_amy] = [message for message in mail.outbox if message.to == ["amy.collier@earlyhelp.example"]]
    link = next(line for line in to_amy.body.splitlines() if "/invitations/" in line)
    account_page = text(Client(HTTP_HOST=as_admin.defaults["HTTP_HOST"]).get(urlsplit(link).path))
    assert 'value="Amy"' in account_page
    assert 'value="Social worker"' in account_page


def test_the_same_file_uploaded_again_creates_nothing_new_and_reports_skipped_rows(
    as_admin: Client,
    council_a: Council,
    early_help: Agency,
    police: Agency,
    django_capture_on_commit_callbacks: object,
    tasks_in_process: None,
) -> None:
    upload(as_admin, "practitioners", csv_file(PEOPLE), django_capture_on_commit_callbacks)
    with schema_context(council_a.schema_name):
        PractitionerFactory(agency=early_help, user__email="already@earlyhelp.example")
    with_member = PEOPLE + "\nAl,Ready,already@earlyhelp.example,Alpha Early Help,Worker,"
    before = counts(council_a)
    sent = len(mail.outbox)
    upload(as_admin, "practitioners", csv_file(with_member), django_capture_on_commit_callbacks)
    with schema_context(council_a.schema_name):
        second = ImportJob.objects.order_by("-uploaded_at").first()
        assert Invitation.objects.filter(revoked_at__isnull=False).count() == 0
    assert (second.imported_rows, second.skipped_rows, second.failed_rows) == (0, 4, 1)
    assert counts(council_a) == before | {"jobs": before["jobs"] + 1}
    assert len(mail.outbox) == sent
    page = text(as_admin.get(f"/administration/imports/jobs/{second.pk}/"))
    assert "already invited or with an account" in page


def test_an_expired_invitation_is_replaced_on_import(
    council_a: Council, admin: Practitioner, early_help: Agency
) -> None:
    with schema_context(council_a.schema_name):
        old = Invitation.objects.create(
            email="amy.collier@earlyhelp.example",
            agency=early_help,
            token_hash="0" * 64,
            expires_at=timezone.now() - timezone.timedelta(days=1),
        )
        job = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=admin, csv_text=PEOPLE)
        rows = csv_rows(kind=job.kind, text=PEOPLE)[:1]
        outcome = import_chunk(job=job, actor=admin, origin=Origin(base_url="http://alpha.localhost"), rows=rows)
        old.refresh_from_db()
        assert outcome.imported == 1
        assert old.revoked_at is not None
        assert Invitation.objects.filter(email=old.email, revoked_at__isnull=True).count() == 1


def test_rows_breaking_the_invitation_rules_are_each_reported_with_their_column(
    council_a: Council, admin: Practitioner, early_help: Agency
) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(name="Pending Agency", email_domains=["pending.example"], approval_state=ApprovalState.PENDING)
        body = "\n".join(
            [
                PRACTITIONER_HEADERS,
                ",Collier,amy@earlyhelp.example,Alpha Early Help,SW,",
                "Amy,Collier,not-an-email,Alpha Early Help,SW,",
                "Amy,Collier,amy@pending.example,Pending Agency,SW,",
                "Amy,Collier,amy1@earlyhelp.example,No Such Agency,SW,",
                "Amy,Collier,amy2@earlyhelp.example,Alpha Early Help,SW,council_admin",
                "Amy,Collier,amy3@earlyhelp.example,Alpha Early Help,SW,practitioner,extra",
                "Bea,Twice,twice@earlyhelp.example,Alpha Early Help,SW,",
                "Bea,Twice,TWICE@earlyhelp.example,Alpha Early Help,SW,",
            ]
        )
        job = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=admin, csv_text=body)
        rows = csv_rows(kind=job.kind, text=body)
        outcome = import_chunk(job=job, actor=admin, origin=Origin(), rows=rows)
        problems = [(p.row_number, p.column, p.problem) for p in ImportProblem.objects.filter(job=job)]
    assert (outcome.imported, outcome.failed) == (1, 7)
    assert problems == [
        (2, "first_name", "Enter the first name"),
        (3, "email", "Enter the work email in the right format, like name@agency.example"),
        (4, "agency", "Pending Agency has not been approved by the council yet"),
        (5, "agency", "There is no agency called No Such Agency"),
        (6, "role", "Enter practitioner or agency_manager"),
        (7, "", "The row has more values than the file has columns"),
        (9, "email", "This email is also on row 8: each person once"),
    ]


def test_inviting_a_chunk_of_practitioners_takes_the_same_few_queries_whatever_its_size(
    council_a: Council, admin: Practitioner, early_help: Agency, django_assert_max_num_queries: object
) -> None:
    def rows(count: int, start: int) -> list[CsvRow]:
        lines = [f"P{n},S{n},p{n}@earlyhelp.example,Alpha Early Help,SW," for n in range(start, start + count)]
        return csv_rows(kind=ImportKind.PRACTITIONERS, text=PRACTITIONER_HEADERS + "\n" + "\n".join(lines))

    with schema_context(council_a.schema_name):
        job = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=admin, csv_text="")
        admin = Practitioner.objects.select_related("user").get(pk=admin.pk)
        for count, start in ((5, 0), (CHUNK_ROWS, 1000)):
            chunk = rows(count, start)
            # agencies, accounts, open invitations, revoke old ones, invitations, audit, emails, problems
            with django_assert_max_num_queries(10):  # type: ignore[operator]
                outcome = import_chunk(job=job, actor=admin, origin=Origin(), rows=chunk)
            assert outcome.imported == count
        assert Invitation.objects.count() == 5 + CHUNK_ROWS
        assert Notification.objects.filter(holds_secret=True).count() == 5 + CHUNK_ROWS


def test_a_whole_run_takes_the_same_few_queries_for_each_chunk(
    council_a: Council, admin: Practitioner, early_help: Agency
) -> None:
    """Whatever the file's length, each chunk costs the same: its own work, the job's lock and its progress."""

    def queries_to_import(rows: int, start: int) -> int:
        lines = [f"P{n},S{n},p{n}@earlyhelp.example,Alpha Early Help,SW," for n in range(start, start + rows)]
        with schema_context(council_a.schema_name):
            job = ImportJob.objects.create(
                kind=ImportKind.PRACTITIONERS,
                uploaded_by=admin,
                csv_text=PRACTITIONER_HEADERS + "\n" + "\n".join(lines),
                total_rows=rows,
            )
            with CaptureQueriesContext(connection) as queries:
                done = import_job_run(job_id=job.pk, chunk_rows=10)
        assert (done.status, done.imported_rows) == (ImportStatus.DONE, rows)
        return len(queries)

    two_chunks = queries_to_import(20, 0)
    eight_chunks = queries_to_import(80, 100)
    per_chunk = (eight_chunks - two_chunks) / 6
    assert per_chunk <= 12
    assert two_chunks - 2 * per_chunk <= 10  # the run's own: the job, starting it, finishing it, its audit


# --- Agencies -----------------------------------------------------------------------------------------------

AGENCIES = "\n".join(
    [
        AGENCY_HEADERS,
        "Alpha Youth Service,statutory,Youth work,Youth@Youth.example,01632 960 100,"
        "youth.example;Youth-Service.example,no,",
        "Alpha Drug Service,health,Substance misuse,,,drugs.example,yes,Duty line 01632 960 200",
        "Alpha Refuge,voluntary,,,,refuge.example,yes,",
        "Alpha Clinic,hospital,,,,clinic.example,no,",
        "Alpha Copycat,statutory,,,,earlyhelp.example,,",
        "Alpha Early Help,statutory,,,,,,",
    ]
)


def test_agencies_are_added_awaiting_approval_with_the_agency_rules_and_again_changes_nothing(
    as_admin: Client,
    council_a: Council,
    admin: Practitioner,
    early_help: Agency,
    django_capture_on_commit_callbacks: object,
    tasks_in_process: None,
) -> None:
    upload(as_admin, "agencies", csv_file(AGENCIES, "agencies.csv"), django_capture_on_commit_callbacks)
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.get()
        youth = Agency.objects.get(name="Alpha Youth Service")
        drugs = Agency.objects.get(name="Alpha Drug Service")
        names = set(Agency.objects.values_list("name", flat=True))
    assert (job.imported_rows, job.skipped_rows, job.failed_rows) == (2, 1, 3)
    assert names == {"Alpha Early Help", "Alpha Youth Service", "Alpha Drug Service"}
    assert youth.approval_state == ApprovalState.PENDING
    assert youth.email_domains == ["youth.example", "youth-service.example"]
    assert (youth.contact_email, youth.contact_phone) == ("youth@youth.example", "+441632960100")
    assert (drugs.is_sensitive, drugs.gateway_contact) == (True, "Duty line 01632 960 200")
    assert len(audit_events(council_a, action=AuditAction.AGENCY_CREATED, actor_id=admin.user.pk)) == 2
    problems = report(as_admin.get(f"/administration/imports/jobs/{job.pk}/problems.csv"))
    assert [line[:3] for line in problems[1:]] == [
        ["4", "gateway_contact", "Enter a gateway contact: a sensitive agency must have one"],
        ["5", "type", "Enter the type of agency: one of statutory, health, education, police, fire, voluntary"],
        ["6", "email_domains", "earlyhelp.example is already an email domain of Alpha Early Help"],
    ]

    upload(as_admin, "agencies", csv_file(AGENCIES, "agencies.csv"), django_capture_on_commit_callbacks)
    with schema_context(council_a.schema_name):
        again = ImportJob.objects.order_by("-uploaded_at").first()
        assert Agency.objects.count() == 3
    assert (again.imported_rows, again.skipped_rows, again.failed_rows) == (0, 3, 3)


# --- The error report cannot start a formula ----------------------------------------------------------------


def test_values_that_would_start_a_formula_are_neutralised_in_the_error_report(
    as_admin: Client,
    council_a: Council,
    early_help: Agency,
    django_capture_on_commit_callbacks: object,
    tasks_in_process: None,
) -> None:
    body = "\n".join(
        [
            PRACTITIONER_HEADERS,
            '=HYPERLINK("http://evil.example"),+1+1,-2@x,@SUM(A1),SW,',
            "\tTab,Start,bad,Alpha Early Help,=cmd|' /C calc'!A0,",
        ]
    )
    upload(as_admin, "practitioners", csv_file(body), django_capture_on_commit_callbacks)
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.get()
    response = as_admin.get(f"/administration/imports/jobs/{job.pk}/problems.csv")
    lines = report(response)[1:]
    assert lines
    for line in lines:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://evil.example")' in lines[0]
    assert "'+1+1" in lines[0]
    assert "'@SUM(A1)" in lines[0]
    assert "'=cmd|' /C calc'!A0" in lines[-1]


# --- Who may: administrators of this council only -----------------------------------------------------------


def some_job(council: Council, uploaded_by: Practitioner | None = None) -> ImportJob:
    with schema_context(council.schema_name):
        job = ImportJob.objects.create(
            kind=ImportKind.PRACTITIONERS, uploaded_by=uploaded_by, csv_text=PEOPLE, status=ImportStatus.DONE
        )
        ImportProblem.objects.create(job=job, row_number=2, column="email", problem="Secret", values=["x@b.example"])
        return job


def pages(job: ImportJob) -> list[tuple[str, str]]:
    return [
        ("get", "/administration/imports/"),
        ("get", "/administration/imports/agencies/"),
        ("post", "/administration/imports/agencies/"),
        ("get", "/administration/imports/practitioners/"),
        ("post", "/administration/imports/practitioners/"),
        ("get", "/administration/imports/agencies/template.csv"),
        ("get", "/administration/imports/practitioners/template.csv"),
        ("get", f"/administration/imports/jobs/{job.pk}/"),
        ("get", f"/administration/imports/jobs/{job.pk}/problems.csv"),
    ]


@pytest.mark.parametrize("role", ["practitioner", "agency_manager"])
def test_people_who_are_not_council_administrators_are_refused_every_import_page(
    client_a: Client, council_a: Council, admin: Practitioner, early_help: Agency, role: str
) -> None:
    job = some_job(council_a, admin)
    with schema_context(council_a.schema_name):
        someone = PractitionerFactory(
            agency=early_help,
            user__email="someone@earlyhelp.example",
            is_agency_manager=role == "agency_manager",
            verified_at=timezone.now(),
        )
    sign_in(client_a, someone.user, council_a)
    for method, path in pages(job):
        data = {"file": csv_file(PEOPLE)} if method == "post" else {}
        response = getattr(client_a, method)(path, data)
        assert response.status_code == 403, f"{method} {path}"
        assert "Secret" not in text(response)
    assert counts(council_a)["jobs"] == 1


def test_someone_not_signed_in_is_sent_to_sign_in(client_a: Client, council_a: Council, admin: Practitioner) -> None:
    job = some_job(council_a, admin)
    for method, path in pages(job):
        response = getattr(client_a, method)(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/sign-in/")
    assert counts(council_a)["jobs"] == 1


def test_another_councils_import_and_its_report_are_not_found(
    as_admin: Client, council_a: Council, council_b: Council
) -> None:
    with schema_context(council_b.schema_name):
        b_admin = PractitionerFactory(user__email="boss@beta.example", is_council_admin=True)
    job_b = some_job(council_b, b_admin)
    for path in (f"/administration/imports/jobs/{job_b.pk}/", f"/administration/imports/jobs/{job_b.pk}/problems.csv"):
        response = as_admin.get(path)
        assert response.status_code == 404
        assert "Secret" not in text(response)
    assert "Secret" not in text(as_admin.get("/administration/imports/"))


# --- The progress page while it runs ------------------------------------------------------------------------


def test_the_progress_page_refreshes_itself_and_shows_how_far_the_import_has_gone(
    as_admin: Client, council_a: Council, admin: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.create(
            kind=ImportKind.PRACTITIONERS,
            uploaded_by=admin,
            csv_text=PEOPLE,
            file_name="people.csv",
            status=ImportStatus.RUNNING,
            total_rows=2000,
            processed_rows=500,
        )
    page = text(as_admin.get(f"/administration/imports/jobs/{job.pk}/"))
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'max="2000" value="500"' in page
    assert "500 of 2000 rows (25%)" in page
    assert "problems.csv" not in page
    listed = text(as_admin.get("/administration/imports/"))
    assert "people.csv" in listed
    assert "Importing" in listed


def test_an_import_whose_uploader_is_no_longer_an_administrator_stops_and_says_so(
    council_a: Council, admin: Practitioner
) -> None:
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=admin, csv_text=PEOPLE, total_rows=4)
        Practitioner.objects.filter(pk=admin.pk).update(is_council_admin=False)
        done = import_job_run(job_id=job.pk)
        assert done.status == ImportStatus.FAILED
        assert "no longer a council administrator" in done.stopped_because
        assert Invitation.objects.count() == 0
    [finished] = audit_events(council_a, action=AuditAction.IMPORT_FINISHED)
    assert finished.outcome == AuditOutcome.FAILURE


def test_a_finished_import_run_again_does_nothing(council_a: Council, admin: Practitioner, early_help: Agency) -> None:
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=admin, csv_text=PEOPLE, total_rows=4)
        first = import_job_run(job_id=job.pk)
        second = import_job_run(job_id=job.pk)
        assert first.status == second.status == ImportStatus.DONE
        assert Invitation.objects.count() == 2  # the police agency does not exist here: two rows fail
        assert ImportJob.objects.get(pk=job.pk).processed_rows == 4


# --- An import that stalled carries on ----------------------------------------------------------------------


def test_stalled_imports_are_sent_to_a_worker_again_and_carry_on_after_their_last_saved_chunk(
    council_a: Council, admin: Practitioner, early_help: Agency, police: Agency, tasks_in_process: None
) -> None:
    from core.directory.tasks import import_jobs_resume_council

    long_ago = timezone.now() - timezone.timedelta(minutes=11)
    with schema_context(council_a.schema_name):
        never_started = ImportJob.objects.create(
            kind=ImportKind.AGENCIES,
            uploaded_by=admin,
            csv_text=AGENCY_HEADERS + "\nAlpha Youth Service,statutory,,,,,,",
            total_rows=1,
            uploaded_at=long_ago,
        )
        halfway = ImportJob.objects.create(
            kind=ImportKind.PRACTITIONERS,
            uploaded_by=admin,
            csv_text=PEOPLE,
            total_rows=4,
            status=ImportStatus.RUNNING,
            processed_rows=2,
            imported_rows=2,
            uploaded_at=long_ago,
            progressed_at=long_ago,
        )
        moving = ImportJob.objects.create(
            kind=ImportKind.PRACTITIONERS,
            uploaded_by=admin,
            csv_text=PEOPLE,
            total_rows=4,
            status=ImportStatus.RUNNING,
            uploaded_at=long_ago,
            progressed_at=timezone.now(),
        )
        assert import_jobs_resume_council.apply().get() == 2
        never_started.refresh_from_db()
        halfway.refresh_from_db()
        moving.refresh_from_db()
        assert never_started.status == ImportStatus.DONE
        assert Agency.objects.filter(name="Alpha Youth Service").exists()
        # The first two rows were saved before it stalled: only the last two are looked at now.
        assert (halfway.status, halfway.processed_rows, halfway.imported_rows, halfway.failed_rows) == (
            ImportStatus.DONE,
            4,
            3,
            1,
        )
        assert list(Invitation.objects.values_list("email", flat=True)) == ["mark.jennings@earlyhelp.example"]
        assert (moving.status, moving.processed_rows) == (ImportStatus.RUNNING, 0)  # its worker is at it


def test_after_a_large_import_accounts_lists_the_newest_waiting_invitations_and_how_many_there_are(
    as_admin: Client, council_a: Council, admin: Practitioner, early_help: Agency
) -> None:
    body = (
        PRACTITIONER_HEADERS
        + "\n"
        + "\n".join(f"P{n},S{n},p{n}@earlyhelp.example,Alpha Early Help,SW," for n in range(120))
    )
    with schema_context(council_a.schema_name):
        job = ImportJob.objects.create(kind=ImportKind.PRACTITIONERS, uploaded_by=admin, csv_text=body, total_rows=120)
        import_job_run(job_id=job.pk)
    page = text(as_admin.get("/team/"))
    assert "120 invitations are waiting; the 50 newest are listed." in page
    assert page.count("@earlyhelp.example — Alpha Early Help") == 50
