"""A council leaving (SECURITY.md GDPR-4): the final export handed over, then everything of it deleted but its
billing record and the deletion certificate — and a search everywhere that proves it, with the other councils
untouched.

These tests drop schemas, so they run as the owner role; each runs in a transaction rolled back at its end
(the dropped schemas come back), with files in folders of its own.
"""

import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from celery import current_app
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from psycopg import sql
from pypdf import PdfReader

from console.services.offboarding import offboarding_run, offboarding_start
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.council.models import GOVERNANCE_ROW, CouncilGovernance
from core.notifications.models import Notification
from onboarding.models import Order, OrderStatus
from onboarding.services.provisioning import council_create, council_provision
from tenants.models import Council, CouncilStatus, Domain, Offboarding, OffboardingStep
from tenants.schema_state import schema_exists
from tenants.services import offboarding as offboarding_steps
from tenants.services.backups import council_cache_keys, table_checksums
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.tenants.council_data import council_fill, file_storages, storage_contents

__all__ = ["file_storages"]

pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]

SLUG, SCHEMA, DOMAIN = "throwaway-x", "council_throwaway_x", "throwaway-x.localhost"
# What may still name the council once it is gone, each for a reason (docs/adr/0017).
KEPT_TABLES = {
    "tenants_council": "the council's row, closed: the anchor of the two below",
    "onboarding_order": "its order: the billing record",
    "tenants_offboarding": "the deletion certificate",
    "audit_auditevent": "the platform's trail of the operators' steps (append-only, no council data)",
}


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="ops@patchwork.example", is_staff=True, first_name="Olu", last_name="Operator")


@pytest.fixture
def throwaway(db: None, operator: User) -> Council:
    council = council_create(name="Throwaway Borough Council", slug=SLUG, jurisdiction="england")
    council_provision(council_id=council.pk)
    Order.objects.create(
        reference="PW-2026-9999",
        status=OrderStatus.APPROVED,
        council_name=council.name,
        jurisdiction="england",
        requested_slug=SLUG,
        plan="standard",
        expected_practitioners=10,
        purchase_order_number="PO-1",
        billing_contact_name="Billing",
        billing_contact_email="billing@throwaway.example",
        dpo_name="Dee Pio",
        dpo_email="order-dpo@throwaway.example",
        admin_name="Admin",
        admin_email="admin@throwaway.example",
        terms_version="1",
        council=council,
    )
    with schema_context(council.schema_name):
        CouncilGovernance.objects.update_or_create(id=GOVERNANCE_ROW, defaults={"dpo_email": "dpo@throwaway.example"})
    connection.set_schema_to_public()
    return Council.objects.get(pk=council.pk)


def _queued(schema: str) -> int:
    with current_app.connection_for_write() as broker:
        client = broker.default_channel.client
        return sum(
            (json.loads(message).get("headers") or {}).get("_schema_name") == schema
            for message in client.lrange(current_app.conf.task_default_queue, 0, -1)
        )


@pytest.fixture
def test_queue() -> str:
    """The broker's queue this test process sends to (one per pytest-xdist worker: config/settings/test.py)."""
    return str(current_app.conf.task_default_queue)


def _every_public_row_naming(needles: list[str]) -> dict[str, int]:
    """Each table of ``public`` with rows whose text names any of ``needles``, and how many."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")
        tables = [name for (name,) in cursor.fetchall()]
        pattern = "|".join(re.escape(needle) for needle in needles)
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {} AS r WHERE r::text ~* %s").format(sql.Identifier("public", table))
            cursor.execute(query, [pattern])
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


def _every_stored_name(folders: dict[str, Path]) -> list[str]:
    return [str(path.relative_to(root)) for root in folders.values() for path in root.rglob("*")]


def _redis_keys_naming(schema: str) -> list[bytes]:
    client = cache._cache.get_client(write=False)  # type: ignore[attr-defined]
    return list(client.scan_iter(match=f"*{schema}*", count=1000))


def test_after_offboarding_by_the_command_nothing_of_the_council_is_left_but_its_billing_record_and_certificate(
    throwaway: Council,
    council_a: Council,
    council_b: Council,
    operator: User,
    file_storages: dict[str, Path],
    test_queue: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    council_fill(throwaway, marker="gone")
    council_fill(council_a, marker="kept")
    with schema_context(SCHEMA):
        current_app.send_task("notifications.retry_all")  # queued work of the council, waiting in the broker
        outbox = Notification.objects.count()
        clients = table_checksums(SCHEMA)["clients_client"][0]
    assert (outbox, clients, _queued(SCHEMA)) == (1, 3, 1)
    assert len(council_cache_keys(schema=SCHEMA)) >= 2  # a cached value and a session
    others = {schema: table_checksums(schema) for schema in ("council_alpha", "council_beta", "council_template")}
    files_a = storage_contents("council_alpha")
    keys_a = council_cache_keys(schema="council_alpha")
    # A copy restored beside the council (to look at something past): a copy of its data, which goes with it.
    call_command("council_backup", SLUG, "--output", str(tmp_path / "backup.tar.gz"))
    call_command("council_restore", SLUG, str(tmp_path / "backup.tar.gz"), "--into-schema", "council_throwaway_copy")
    assert schema_exists("council_throwaway_copy")
    capsys.readouterr()

    # 1. Start: the site closes at once; the final export is made; its link goes to the DPO the council recorded.
    call_command("council_offboard", SLUG, "--reason", "Contract ended", "--operator", operator.email)
    assert "sent to dpo@throwaway.example" in capsys.readouterr().out
    assert Client(HTTP_HOST=DOMAIN).get("/sign-in/").status_code == 404
    offboarding = Offboarding.objects.get(council=throwaway)
    assert offboarding.step == OffboardingStep.HANDOVER
    with pytest.raises(offboarding_steps.OffboardingRefused, match="not been handed over"):
        offboarding_steps.council_data_delete(offboarding=offboarding)
    assert schema_exists(SCHEMA)

    # 2. The DPO downloads it, once.
    email = Notification.objects.get(to="dpo@throwaway.example")
    link = re.search(r"http://localhost(/leaving/export/[^/\s]+/)", email.body).group(1)  # type: ignore[union-attr]
    dpo = Client(HTTP_HOST="localhost")
    assert dpo.get(link).status_code == 200  # a page with a button: fetching the link does not use it up
    download = dpo.post(link)
    archive = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert download.status_code == 200
    assert hashlib.sha256(archive).hexdigest() == offboarding.export_sha256 == Offboarding.objects.get().export_sha256
    with tarfile.open(fileobj=io.BytesIO(archive)) as unpacked:
        assert "data/clients_client.csv" in unpacked.getnames()
        assert "files/private/agreements/council_throwaway_x/agreementgone.pdf" in unpacked.getnames()
    assert dpo.post(link).status_code == 404  # single use

    # 3. Run again: everything is deleted and the certificate issued.
    call_command(
        "council_offboard", SLUG, "--operator", operator.email, "--certificate", str(tmp_path / "certificate.json")
    )
    printed = capsys.readouterr().out
    offboarding.refresh_from_db()
    throwaway.refresh_from_db()
    assert throwaway.status == CouncilStatus.CLOSED
    assert offboarding.step == OffboardingStep.DONE

    # Nothing left anywhere: the catalogue, every public table but those kept on purpose, storage, Redis, the broker.
    assert not schema_exists(SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname ~* %s", ["throwaway"])
        assert cursor.fetchone()[0] == 0
    assert set(_every_public_row_naming([SLUG, SCHEMA, DOMAIN])) <= set(KEPT_TABLES)
    assert _every_public_row_naming([SLUG, SCHEMA, DOMAIN])["tenants_council"] == 1
    assert Domain.objects.filter(domain=DOMAIN).count() == 0
    assert Order.objects.filter(council=throwaway).count() == 1  # the billing record is kept
    assert [name for name in _every_stored_name(file_storages) if "throwaway" in name] == []
    assert _redis_keys_naming(SCHEMA) == []
    assert _queued(SCHEMA) == 0
    # The others are untouched.
    assert {schema: table_checksums(schema) for schema in others} == others
    assert storage_contents("council_alpha") == files_a
    assert council_cache_keys(schema="council_alpha") == keys_a

    # The certificate: what was deleted, when, by whom, with counts and the export's SHA-256, as JSON and PDF.
    certificate = json.loads((tmp_path / "certificate.json").read_text())
    body = (tmp_path / "certificate.json").read_bytes()
    assert hashlib.sha256(body).hexdigest() == offboarding.certificate_sha256
    assert f"Certificate SHA-256: {offboarding.certificate_sha256}" in printed
    deleted = certificate["deleted"]
    assert deleted["restored_copies"] == ["council_throwaway_copy"]
    assert deleted["tables"]["clients_client"] == 3
    assert deleted["tables"]["notifications_notification"] == 1
    assert deleted["files"]["count"] == 4  # three of the council's, and its final export
    assert deleted["domains"] == [DOMAIN]
    assert deleted["sessions"] == 1
    assert deleted["cache_keys"] >= 2
    assert deleted["queued_tasks"] == 1
    assert deleted["by"]["email"] == operator.email
    assert certificate["final_export"]["sha256"] == offboarding.export_sha256
    assert certificate["final_export"]["handed_over_to"] == "dpo@throwaway.example"
    assert certificate["final_export"]["handed_over_at"] == offboarding.handed_over_at.isoformat()
    assert "Zoë" not in body.decode()
    assert "Briain" not in body.decode()
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "certificate.pdf").pages)
    flat = re.sub(r"\s+", "", text)
    assert offboarding.export_sha256 in flat
    assert offboarding.certificate_sha256 in flat
    assert "clients_client" in text
    assert f"Rows{deleted['rows']}" in flat
    assert "Files4(" in flat
    with schema_context("public"):
        trail = {(event.action, event.outcome) for event in AuditEvent.objects.filter(object_id=SLUG)}
    assert {
        (AuditAction.COUNCIL_STATUS_CHANGED, AuditOutcome.SUCCESS),
        (AuditAction.COUNCIL_BACKED_UP, AuditOutcome.SUCCESS),
        (AuditAction.COUNCIL_EXPORT_HANDED_OVER, AuditOutcome.SUCCESS),
        (AuditAction.COUNCIL_OFFBOARDED, AuditOutcome.SUCCESS),
    } <= trail

    # Running it again changes nothing.
    call_command("council_offboard", SLUG, "--operator", operator.email)
    offboarding_again = Offboarding.objects.get(pk=offboarding.pk)
    assert offboarding_again.certificate_sha256 == offboarding.certificate_sha256


@pytest.fixture
def console(platform_client: Client, operator: User) -> Client:
    sign_in(platform_client, operator)
    return platform_client


PAGE = f"/console/councils/{SLUG}/offboarding/"


def test_offboarding_from_the_console_step_by_step(
    console: Client, throwaway: Council, operator: User, file_storages: dict[str, Path], test_queue: str
) -> None:
    council_fill(throwaway, marker="c")
    assert "Start offboarding Throwaway Borough Council" in console.get(PAGE).content.decode()
    assert console.post(PAGE, {"action": "start", "reason": ""}).status_code == 400
    assert Council.objects.get(pk=throwaway.pk).status == CouncilStatus.LIVE

    assert console.post(PAGE, {"action": "start", "reason": "Moving to another provider"}).status_code == 302
    assert Council.objects.get(pk=throwaway.pk).status == CouncilStatus.OFFBOARDING
    assert Client(HTTP_HOST=DOMAIN).get("/").status_code == 404
    offboarding = Offboarding.objects.get(council=throwaway)
    assert offboarding.running  # its task is queued once the request's transaction commits
    offboarding_run(offboarding_id=offboarding.pk)  # what the task does

    page = console.get(PAGE).content.decode()
    assert 'value="dpo@throwaway.example"' in page  # the DPO the council recorded
    assert "Delete everything of" not in page  # not before the hand-over
    refused = console.post(PAGE, {"action": "delete", "confirm": SLUG})
    assert refused.status_code == 409
    assert "has not been handed over" in refused.content.decode()
    assert Offboarding.objects.get(pk=offboarding.pk).deleted_by_id is None

    assert console.post(PAGE, {"action": "handover", "email": "dpo@throwaway.example"}).status_code == 302
    token_link = re.search(r"(/leaving/export/[^/\s]+/)", Notification.objects.get(to="dpo@throwaway.example").body)
    assert Client(HTTP_HOST="localhost").post(token_link.group(1)).status_code == 200  # type: ignore[union-attr]

    assert console.post(PAGE, {"action": "delete", "confirm": "wrong"}).status_code == 400
    assert console.post(PAGE, {"action": "delete", "confirm": SLUG}).status_code == 302
    offboarding_run(offboarding_id=offboarding.pk)

    page = console.get(PAGE).content.decode()
    assert "Data deleted" in page
    pdf = console.get(f"/console/councils/{SLUG}/offboarding/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{SLUG}-deletion-certificate.pdf"'
    certificate = console.get(f"/console/councils/{SLUG}/offboarding/certificate.json")
    assert hashlib.sha256(certificate.content).hexdigest() == Offboarding.objects.get().certificate_sha256
    assert json.loads(certificate.content)["deleted"]["by"]["name"] == "Olu Operator"


def test_the_offboarding_pages_are_for_platform_staff_on_the_platform_host_only(
    platform_client: Client, throwaway: Council, client_a: Client
) -> None:
    sign_in(platform_client, UserFactory(email="not-staff@patchwork.example", is_staff=False))
    assert platform_client.post(PAGE, {"action": "start", "reason": "x"}).status_code == 403
    assert platform_client.get(f"/console/councils/{SLUG}/offboarding/certificate.pdf").status_code == 403
    assert client_a.post(PAGE, {"action": "start", "reason": "x"}).status_code == 404
    assert Client(HTTP_HOST=DOMAIN).post(PAGE, {"action": "start", "reason": "x"}).status_code == 404
    assert Council.objects.get(pk=throwaway.pk).status == CouncilStatus.LIVE
    assert not Offboarding.objects.exists()


def test_a_deletion_that_fails_halfway_is_finished_by_running_it_again(
    throwaway: Council,
    operator: User,
    file_storages: dict[str, Path],
    test_queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    council_fill(throwaway, marker="r")
    real = offboarding_steps.council_queued_tasks_delete

    def broker_down(*, schema: str) -> int:
        raise ConnectionError("broker down")

    monkeypatch.setattr(offboarding_steps, "council_queued_tasks_delete", broker_down)
    with pytest.raises(ConnectionError):
        call_command(
            "council_offboard",
            SLUG,
            "--reason",
            "Ended",
            "--without-handover",
            "Council unreachable",
            "--operator",
            operator.email,
        )
    offboarding = Offboarding.objects.get(council=throwaway)
    assert "ConnectionError. Run it again to resume." in offboarding.error
    assert not schema_exists(SCHEMA)  # the steps before the failure are done and recorded
    assert offboarding.deletion["tables"]["clients_client"] == 3

    monkeypatch.setattr(offboarding_steps, "council_queued_tasks_delete", real)
    call_command("council_offboard", SLUG, "--operator", operator.email)
    offboarding.refresh_from_db()
    assert offboarding.certificate["deleted"]["tables"]["clients_client"] == 3  # counted before the drop, kept
    assert offboarding.certificate["final_export"]["override"]["reason"] == "Council unreachable"
    assert offboarding.certificate["final_export"]["handed_over_at"] is None
    assert Council.objects.get(pk=throwaway.pk).status == CouncilStatus.CLOSED


def test_an_offboarding_that_stopped_can_be_run_again_from_the_console(
    console: Client, throwaway: Council, file_storages: dict[str, Path]
) -> None:
    offboarding = offboarding_start(council=throwaway, actor=None, reason="Ended", queue=False)
    Offboarding.objects.filter(pk=offboarding.pk).update(error="ConnectionError. Run it again to resume.")
    page = console.get(PAGE).content.decode()
    assert "Offboarding stopped" in page
    assert "Run the offboarding again" in page

    assert console.post(PAGE, {"action": "resume"}).status_code == 302

    offboarding.refresh_from_db()
    assert (offboarding.running, offboarding.error) == (True, "")  # its task is queued once the request commits
