"""Provisioning a council: every step, safe to repeat, resumable, with visible progress."""

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from core.governance.models import LegalBasis
from onboarding.services.provisioning import (
    ProvisioningRefused,
    council_create,
    council_provision,
    step_label,
)
from tenants.models import Council, CouncilStatus, Domain
from tenants.schema_state import schema_exists

# Provisioning creates and drops schemas: the owner role's work (docs/adr/0008).
pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]


def test_new_council_is_ordered_without_a_schema(db: None) -> None:
    council = council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    assert council.status == CouncilStatus.ORDERED
    assert council.schema_name == "council_kingston"
    assert council.locale == "en-au"
    assert council.time_zone == "Australia/Melbourne"
    assert council.data_region == "ap-southeast-4"  # Melbourne: the Victoria cell's region
    assert not schema_exists("council_kingston")


def test_provisioning_makes_a_usable_council(db: None) -> None:
    council = council_create(name="Wyndham City Council", slug="wyndham", jurisdiction="victoria")
    council_provision(council_id=council.pk)

    council.refresh_from_db()
    assert council.status == CouncilStatus.LIVE
    assert council.provisioning_progress == 100
    assert council.provisioning_step == "done"
    assert council.activated_at is not None
    assert Domain.objects.get(tenant=council).domain == "wyndham.localhost"
    with schema_context(council.schema_name):
        assert set(LegalBasis.objects.values_list("code", flat=True)) == {
            "consent",
            "cwsa-2005-part-6a",
            "pdp-act-2014",
        }


def test_provisioning_twice_changes_nothing(db: None) -> None:
    council = council_create(name="Lichfield District Council", slug="lichfield", jurisdiction="england")
    council_provision(council_id=council.pk)
    first_activation = Council.objects.get(pk=council.pk).activated_at
    council_provision(council_id=council.pk)

    council.refresh_from_db()
    assert council.activated_at == first_activation
    assert Domain.objects.filter(tenant=council).count() == 1
    with schema_context(council.schema_name):
        assert LegalBasis.objects.count() == 3


def test_interrupted_provisioning_resumes_where_it_stopped(db: None) -> None:
    council = council_create(name="Tamworth Borough Council", slug="tamworth", jurisdiction="england")
    # A previous run got as far as the schema, then stopped (worker killed).
    from tenants.services.schemas import council_schema_create

    council_schema_create(council=council)
    Council.objects.filter(pk=council.pk).update(
        status=CouncilStatus.PROVISIONING, provisioning_step="defaults", provisioning_progress=25
    )
    council_provision(council_id=council.pk)
    council.refresh_from_db()
    assert council.status == CouncilStatus.LIVE
    with schema_context(council.schema_name):
        assert LegalBasis.objects.count() == 3


def test_edited_defaults_survive_a_second_run(db: None) -> None:
    council = council_create(name="Cannock Chase Council", slug="cannock", jurisdiction="england")
    council_provision(council_id=council.pk)
    with schema_context(council.schema_name):
        LegalBasis.objects.filter(code="consent").update(title="Consent (recorded on the consent form)")
    council_provision(council_id=council.pk)
    with schema_context(council.schema_name):
        assert LegalBasis.objects.get(code="consent").title == "Consent (recorded on the consent form)"


@pytest.mark.parametrize("status", [CouncilStatus.CLOSED, CouncilStatus.SUSPENDED])
def test_closed_or_suspended_council_is_not_provisioned(db: None, status: str) -> None:
    council = council_create(name="Gone Council", slug="gone", jurisdiction="england")
    Council.objects.filter(pk=council.pk).update(status=status)
    with pytest.raises(ProvisioningRefused):
        council_provision(council_id=council.pk)
    assert not schema_exists("council_gone")


def test_invalid_council_details_are_refused_and_nothing_is_saved(db: None) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        council_create(name="Bad", slug="Not A Slug!", jurisdiction="england")
    with pytest.raises(ValueError, match="not a valid Jurisdiction"):
        council_create(name="Bad", slug="bad", jurisdiction="narnia")
    assert not Council.objects.filter(name="Bad").exists()


def test_step_labels_describe_progress() -> None:
    assert step_label("schema") == "Creating the council's database schema"
    assert step_label("done") == "Finished"
    assert step_label("") == "Waiting to start"


def test_management_command_creates_and_provisions(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("council_provision", "brimbank", name="Brimbank City Council", jurisdiction="victoria")
    assert "Brimbank City Council is live" in capsys.readouterr().out
    assert Council.objects.get(slug="brimbank").status == CouncilStatus.LIVE


def _status_moves(council: Council) -> list[tuple[str, str]]:
    from core.audit.models import AuditAction, AuditEvent

    events = AuditEvent.objects.filter(
        action=AuditAction.COUNCIL_STATUS_CHANGED, object_type="council", object_id=council.slug
    ).order_by("id")
    return [(event.changes["status"]["old"], event.changes["status"]["new"]) for event in events]


def test_provisioning_moves_the_council_through_its_lifecycle_each_move_audited(db: None) -> None:
    council = council_create(name="Stafford Borough Council", slug="stafford", jurisdiction="england")
    council_provision(council_id=council.pk)
    assert _status_moves(council) == [
        ("ordered", "provisioning"),
        ("provisioning", "configuring"),
        ("configuring", "live"),
    ]


def test_provisioning_without_going_live_leaves_the_council_configuring_and_its_site_open(db: None) -> None:
    from django.test import Client

    council = council_create(name="Walsall Council", slug="walsall", jurisdiction="england")
    council_provision(council_id=council.pk, go_live=False)

    council.refresh_from_db()
    assert council.status == CouncilStatus.CONFIGURING
    assert council.activated_at is None
    assert _status_moves(council) == [("ordered", "provisioning"), ("provisioning", "configuring")]
    # Its administrators must reach it: for now it answers as a live council does.
    assert Client(HTTP_HOST="walsall.localhost").get("/sign-in/").status_code == 200

    council_provision(council_id=council.pk)  # provisioning again repairs; it does not take it live
    assert Council.objects.get(pk=council.pk).status == CouncilStatus.CONFIGURING


def test_a_failed_step_leaves_the_council_provisioning_with_its_error_and_a_retry_finishes_it(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onboarding.services import provisioning

    council = council_create(name="Rugeley Town Council", slug="rugeley", jurisdiction="england")

    def broken(council: Council, options: object) -> None:
        raise ConnectionError("database went away")

    failing = tuple(
        provisioning.Step(step.name, step.label, broken) if step.name == "domain" else step
        for step in provisioning.STEPS
    )
    monkeypatch.setattr(provisioning, "STEPS", failing)
    with pytest.raises(ConnectionError):
        council_provision(council_id=council.pk)
    council.refresh_from_db()
    assert council.status == CouncilStatus.PROVISIONING
    assert council.provisioning_error == (
        "Registering the council's web address failed: ConnectionError. Run provisioning again to resume."
    )

    monkeypatch.undo()
    council_provision(council_id=council.pk)
    council.refresh_from_db()
    assert (council.status, council.provisioning_error) == (CouncilStatus.LIVE, "")
    assert _status_moves(council) == [
        ("ordered", "provisioning"),
        ("provisioning", "configuring"),
        ("configuring", "live"),
    ]


def test_management_command_can_leave_the_council_configuring(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("council_provision", "melton", name="Melton City Council", jurisdiction="victoria", configuring=True)
    assert "Melton City Council is configuring" in capsys.readouterr().out
    assert Council.objects.get(slug="melton").status == CouncilStatus.CONFIGURING
