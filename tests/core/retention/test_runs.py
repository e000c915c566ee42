"""The nightly retention run (GDPR-3), with time_machine: what falls due exactly when its period passes, held clients
never, the listing idempotent, approval erases what is still due and leaves a count-only report."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.clients.models import Client, Family, FamilyMember, Involvement, TeamActivity
from core.governance.rules import RetentionKind, RetentionPeriods
from core.governance.selectors import rules_current
from core.governance.services.rulebook import rulebook_revise
from core.retention.models import LegalHold, RetentionItem, RetentionRun
from core.retention.services.holds import legal_hold_lift, legal_hold_place
from core.retention.services.runs import (
    retention_run_approve,
    retention_run_execute,
    retention_run_prepare,
    retention_run_reject,
)
from tenants.models import Council
from tests.core.retention.conftest import OLIVE_ENDED, Old, on
from tests.factories import ClientFactory, InvolvementFactory

pytestmark = pytest.mark.council_side

DUE = datetime.date(2025, 3, 1)  # Olive's last involvement ended on 1 March 2019; England keeps six years


def _listed(run: RetentionRun, kind: str) -> set[object]:
    items = RetentionItem.objects.filter(run=run, kind=kind)
    return {item.object_uuid or item.object_number for item in items}


def test_a_client_is_not_listed_the_day_before_their_period_passes(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name), on(DUE - datetime.timedelta(days=1)):
        run = retention_run_prepare()
        assert run is not None
        assert _listed(run, RetentionKind.CLIENTS) == {old.nick.pk}  # added six years ago and never involved
        assert _listed(run, RetentionKind.INVOLVEMENTS) == set()


def test_a_client_is_listed_on_the_day_their_period_passes(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name), on(DUE):
        run = retention_run_prepare()
        assert _listed(run, RetentionKind.CLIENTS) == {old.olive.pk, old.nick.pk}
        # Cara is still worked with: her ended involvement goes, she stays; Gus is worked with: he stays.
        assert _listed(run, RetentionKind.INVOLVEMENTS) == {old.cara_ended.pk}
        # Olive's team activity goes with her, so it is not listed on its own.
        activity = set(TeamActivity.objects.filter(client=old.cara).values_list("pk", flat=True))
        assert _listed(run, RetentionKind.TEAM_ACTIVITY) == activity
        assert run.counts[RetentionKind.CLIENTS] == 2
        assert run.cutoffs["clients_ended_on"] == OLIVE_ENDED.isoformat()
        prepared = AuditEvent.objects.get(action=AuditAction.RETENTION_RUN_PREPARED, object_id=str(run.pk))
        assert "Olive" not in prepared.reason
        assert "Oldfield" not in prepared.reason


def test_a_held_client_is_never_listed_nor_erased(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name):
        legal_hold_place(actor=old.officer, client_id=old.olive.pk, reason="Care proceedings", origin=NO_ORIGIN)
        with on(DUE + datetime.timedelta(days=3000)):
            run = retention_run_prepare()
            assert old.olive.pk not in _listed(run, RetentionKind.CLIENTS)
            assert run.held_clients == 1


def test_a_hold_placed_after_the_listing_keeps_the_client_at_erase_time(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name), on(DUE):
        run = retention_run_prepare()
        assert old.olive.pk in _listed(run, RetentionKind.CLIENTS)
        legal_hold_place(actor=old.officer, client_id=old.olive.pk, reason="A claim is expected", origin=NO_ORIGIN)
        retention_run_approve(actor=old.officer, run_id=run.pk, origin=NO_ORIGIN)
        run = retention_run_execute(run_id=run.pk)
        assert Client.objects.filter(pk=old.olive.pk).exists()
        assert not Client.objects.filter(pk=old.nick.pk).exists()
        assert run.erased[RetentionKind.CLIENTS] == 1


def test_a_lifted_hold_lets_the_schedule_apply_again(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name):
        hold = legal_hold_place(actor=old.officer, client_id=old.olive.pk, reason="Proceedings", origin=NO_ORIGIN)
        legal_hold_lift(actor=old.officer, hold_id=hold.pk, reason="Proceedings over", origin=NO_ORIGIN)
        with on(DUE):
            run = retention_run_prepare()
            retention_run_approve(actor=old.officer, run_id=run.pk, origin=NO_ORIGIN)
            retention_run_execute(run_id=run.pk)
        assert not Client.objects.filter(pk=old.olive.pk).exists()
        assert not LegalHold.objects.filter(pk=hold.pk).exists()


def test_preparing_again_the_same_night_changes_nothing_and_a_later_night_replaces_the_list(
    council_a: Council, old: Old
) -> None:
    with schema_context(council_a.schema_name):
        with on(DUE):
            first = retention_run_prepare()
            items = RetentionItem.objects.count()
            with on(DUE, hour=4):
                again = retention_run_prepare()
            assert again.pk == first.pk
            assert RetentionItem.objects.count() == items
            assert AuditEvent.objects.filter(action=AuditAction.RETENTION_RUN_PREPARED).count() == 1
        with on(DUE + datetime.timedelta(days=1)):
            later = retention_run_prepare()
        assert later.pk != first.pk
        first.refresh_from_db()
        assert first.state == RetentionRun.State.SUPERSEDED
        assert not first.items.exists()
        assert RetentionRun.objects.filter(state=RetentionRun.State.PENDING).count() == 1


def test_approval_erases_the_listed_records_and_reports_counts_only(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name):
        corrected = AuditEvent.objects.create(
            council=council_a.schema_name,
            action=AuditAction.CLIENT_CORRECTED,
            outcome=AuditOutcome.SUCCESS,
            object_type="client",
            object_id=str(old.olive.pk),
            reason="corrected: surname",
            changes={"surname": {"old": "Oldfeld", "new": "Oldfield"}},
        )
        with on(DUE):
            run = retention_run_prepare()
            retention_run_approve(actor=old.officer, run_id=run.pk, origin=NO_ORIGIN)
            run = retention_run_execute(run_id=run.pk)
        assert run.state == RetentionRun.State.FINISHED
        assert not Client.objects.filter(pk__in=[old.olive.pk, old.nick.pk]).exists()
        assert Client.objects.filter(pk__in=[old.grandson.pk, old.cara.pk]).count() == 2
        assert not Involvement.objects.filter(pk=old.cara_ended.pk).exists()
        assert Involvement.objects.filter(client=old.cara, ended_on__isnull=True).exists()
        # The family keeps Gus; the grandson's membership stays.
        assert Family.objects.filter(pk=old.family.pk).exists()
        assert list(FamilyMember.objects.filter(family=old.family).values_list("client_id", flat=True)) == [
            old.grandson.pk
        ]
        corrected.refresh_from_db()
        assert corrected.changes is None
        assert corrected.object_id == str(old.olive.pk)  # the opaque stub stays
        assert run.erased[RetentionKind.CLIENTS] == 2
        assert run.erased[RetentionKind.INVOLVEMENTS] == 1
        assert not run.items.exists()
        erased = AuditEvent.objects.get(action=AuditAction.RECORDS_ERASED, object_id=str(run.pk))
        text = f"{erased.reason} {erased.changes} {erased.related_ids}"
        for name in ("Olive", "Oldfield", "Nick", "Never", str(old.olive.pk)):
            assert name not in text
        assert "clients 2" in erased.reason
        # Running it again does nothing more.
        assert retention_run_execute(run_id=run.pk).erased == run.erased
        assert AuditEvent.objects.filter(action=AuditAction.RECORDS_ERASED).count() == 1


def test_a_family_left_with_no_member_goes_too(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name):
        FamilyMember.objects.filter(client=old.grandson).delete()
        with on(DUE):
            run = retention_run_prepare()
            retention_run_approve(actor=old.officer, run_id=run.pk, origin=NO_ORIGIN)
            run = retention_run_execute(run_id=run.pk)
        assert not Family.objects.filter(pk=old.family.pk).exists()
        assert run.erased["families left empty"] == 1


def test_a_client_involved_again_after_listing_is_not_erased(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name), on(DUE):
        run = retention_run_prepare()
        InvolvementFactory(client=old.olive, practitioner=old.worker, started_on=DUE)
        retention_run_approve(actor=old.officer, run_id=run.pk, origin=NO_ORIGIN)
        retention_run_execute(run_id=run.pk)
        assert Client.objects.filter(pk=old.olive.pk).exists()


def test_a_rejected_list_erases_nothing(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name), on(DUE):
        run = retention_run_prepare()
        with pytest.raises(ValidationError):
            retention_run_reject(actor=old.officer, run_id=run.pk, reason=" ", origin=NO_ORIGIN)
        retention_run_reject(actor=old.officer, run_id=run.pk, reason="Olive's case reopens", origin=NO_ORIGIN)
        assert retention_run_execute(run_id=run.pk).state == RetentionRun.State.REJECTED
        assert Client.objects.filter(pk__in=[old.olive.pk, old.nick.pk]).count() == 2
        assert AuditEvent.objects.filter(action=AuditAction.RETENTION_RUN_REJECTED, object_id=str(run.pk)).exists()


def test_a_practitioner_cannot_approve_a_list_and_nothing_changes(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name), on(DUE):
        run = retention_run_prepare()
        with pytest.raises(PermissionDenied):
            retention_run_approve(actor=old.worker, run_id=run.pk, origin=NO_ORIGIN)
        run.refresh_from_db()
        assert run.state == RetentionRun.State.PENDING
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, actor_id=old.worker.user_id, object_id=str(run.pk)
        ).exists()


def test_a_shorter_schedule_is_the_council_s_own(council_a: Council, old: Old) -> None:
    """The administrator's schedule replaces the jurisdiction's: two years for clients lists Olive in 2021."""
    from tests.factories import PractitionerFactory

    with schema_context(council_a.schema_name):
        admin = PractitionerFactory(is_council_admin=True, user__email="admin@children.alpha.example")
        periods = RetentionPeriods(clients=2, involvements=2, team_activity=2, audit=7, sign_in=7)
        rulebook_revise(
            actor=admin, rules=rules_current().with_changes(retention=periods), reason="Reviewed", origin=NO_ORIGIN
        )
        with on(datetime.date(2021, 3, 1)):
            run = retention_run_prepare()
        assert old.olive.pk in _listed(run, RetentionKind.CLIENTS)
        assert run.periods[RetentionKind.CLIENTS] == 2


def test_old_audit_events_are_removed_only_by_an_approved_run(council_a: Council, old: Old) -> None:
    with schema_context(council_a.schema_name):
        now = datetime.datetime.now(datetime.UTC)
        ancient = AuditEvent.objects.create(
            council=council_a.schema_name,
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            occurred_at=now - datetime.timedelta(days=365 * 8),
        )
        sign_in = AuditEvent.objects.create(
            council=council_a.schema_name,
            action=AuditAction.SIGN_IN,
            outcome=AuditOutcome.SUCCESS,
            occurred_at=now - datetime.timedelta(days=365 * 8),
        )
        recent = AuditEvent.objects.create(
            council=council_a.schema_name,
            action=AuditAction.CLIENT_VIEWED,
            outcome=AuditOutcome.SUCCESS,
            occurred_at=now - datetime.timedelta(days=365 * 6),
        )
        run = retention_run_prepare()
        assert run.counts[RetentionKind.AUDIT] >= 1
        assert run.counts[RetentionKind.SIGN_IN] >= 1
        assert AuditEvent.objects.filter(pk=ancient.pk).exists()  # listed, not removed
        retention_run_approve(actor=old.officer, run_id=run.pk, origin=NO_ORIGIN)
        run = retention_run_execute(run_id=run.pk)
        assert not AuditEvent.objects.filter(pk__in=[ancient.pk, sign_in.pk]).exists()
        assert AuditEvent.objects.filter(pk=recent.pk).exists()


def _old_clients(count: int) -> None:
    """``count`` clients added in 2018, each with an involvement ended then, an alias and team activity."""
    with time_machine.travel(datetime.datetime(2018, 6, 1, tzinfo=datetime.UTC), tick=False):
        worker = Involvement.objects.values_list("practitioner", flat=True).first()
        for _ in range(count):
            client = ClientFactory()
            client.aliases.create(surname="Formerly")
            InvolvementFactory(
                client=client,
                practitioner_id=worker,
                started_on=datetime.date(2018, 6, 1),
                ended_on=datetime.date(2018, 6, 2),
            )
            TeamActivity.objects.create(client=client, kind=TeamActivity.Kind.JOINED, actor_id=worker)


def _queries_of(phase: str, officer: object) -> int:
    """The queries of listing (or of erasing) everything due on ``DUE``."""
    with on(DUE):
        if phase == "prepare":
            with CaptureQueriesContext(connection) as context:
                run = retention_run_prepare()
            run.items.all().delete()
            run.delete()
            return len(context.captured_queries)
        run = retention_run_prepare()
        retention_run_approve(actor=officer, run_id=run.pk, origin=NO_ORIGIN)
        with CaptureQueriesContext(connection) as context:
            retention_run_execute(run_id=run.pk, batch_size=100)
        return len(context.captured_queries)


@pytest.mark.parametrize("phase", ["prepare", "execute"])
def test_the_job_s_queries_do_not_grow_with_the_records(council_a: Council, old: Old, phase: str) -> None:
    """Set-based: 3 or 30 clients due (each with an alias, an involvement and activity) cost the same queries
    (erasing: within one batch; a batch is a fixed number of statements)."""
    with schema_context(council_a.schema_name):
        Client.objects.filter(pk__in=[old.olive.pk, old.nick.pk]).delete()  # the fixture's own, out of the way
        Involvement.objects.filter(pk=old.cara_ended.pk).delete()
        TeamActivity.objects.all().delete()
        counts = []
        for extra in (3, 30):
            _old_clients(extra)
            counts.append(_queries_of(phase, old.officer))
        assert counts[0] == counts[1]
