"""The services' own refusals (nothing written when refused) and the expiry job, which records "ran out" once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.audit.models import AuditAction
from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from support.models import SupportGrant, SupportStatus
from support.services import SupportRefused
from support.services.decisions import support_grant
from support.services.expiry import support_expiry_record
from support.services.requests import support_request
from support.tasks import support_expiry_record_task
from tenants.models import Council, CouncilStatus
from tests.factories import PractitionerFactory, UserFactory
from tests.support.conftest import REASON, ago, asked, council_audit, granted, platform_audit

pytestmark = pytest.mark.platform_side


def test_the_expiry_job_records_what_ran_out_once_in_its_councils_audit(
    operator: User, other_operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    ran_out = granted(council_a, operator, admin_a, scopes=["people"], now=ago(hours=3))
    still_open = granted(council_a, other_operator, admin_a, scopes=["people"], hours=5)

    assert support_expiry_record(now=timezone.now()) == 1
    assert support_expiry_record(now=timezone.now()) == 0
    assert support_expiry_record_task() == 0  # the scheduled task, run again: nothing new

    [row] = council_audit(council_a, action=AuditAction.SUPPORT_EXPIRED)
    assert row.object_id == str(ran_out.pk)
    assert row.changes["operator"]["email"] == operator.email
    assert row.actor_id is None
    ran_out.refresh_from_db()
    still_open.refresh_from_db()
    assert ran_out.expiry_recorded
    assert ran_out.status == SupportStatus.GRANTED
    assert not still_open.expiry_recorded
    assert not platform_audit(action=AuditAction.SUPPORT_EXPIRED)


def test_asking_a_suspended_council_is_refused_and_nothing_is_written(
    operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    Council.objects.filter(pk=council_a.pk).update(status=CouncilStatus.SUSPENDED)

    with pytest.raises(SupportRefused, match="suspended"):
        asked(council_a, operator, scopes=["people"])

    assert not SupportGrant.objects.exists()
    assert council_audit(council_a) == []
    assert platform_audit() == []


def test_someone_who_is_not_platform_staff_cannot_ask(council_a: Council) -> None:
    visitor = UserFactory(email="visitor@patchwork.example", is_staff=False)
    with pytest.raises(SupportRefused, match="Only platform staff"):
        support_request(
            operator=visitor, council=council_a, reason=REASON, scopes=["people"], hours=1, origin=NO_ORIGIN
        )
    assert not SupportGrant.objects.exists()


@pytest.mark.parametrize(("hours", "scopes"), [(0, ["people"]), (73, ["people"]), (1, []), (1, ["settings"])])
def test_a_grant_outside_its_limits_is_refused_by_the_service(
    hours: int, scopes: list[str], operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    grant = asked(council_a, operator, scopes=["people", "agencies"])
    with schema_context(council_a.schema_name), pytest.raises(ValidationError):
        support_grant(actor=admin_a, grant_id=grant.pk, scopes=scopes, hours=hours, origin=NO_ORIGIN)
    grant.refresh_from_db()
    assert grant.status == SupportStatus.REQUESTED
    assert [row.action for row in council_audit(council_a)] == [AuditAction.SUPPORT_REQUESTED]


def test_a_practitioner_who_is_not_an_administrator_cannot_grant(
    operator: User, council_a: Council, admin_a: Practitioner
) -> None:
    grant = asked(council_a, operator, scopes=["people"])
    with schema_context(council_a.schema_name):
        practitioner = PractitionerFactory(agency=admin_a.agency, user__email="pat@alpha.example")
        with pytest.raises(PermissionDenied):
            support_grant(actor=practitioner, grant_id=grant.pk, scopes=["people"], hours=1, origin=NO_ORIGIN)
    grant.refresh_from_db()
    assert grant.status == SupportStatus.REQUESTED


def test_beat_runs_the_expiry_recording_every_five_minutes() -> None:
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["support-expiry"]
    assert entry == {"task": "support.expiry_record", "schedule": 300.0}
    app.loader.import_default_modules()
    assert "support.expiry_record" in app.tasks
