"""The set-up services hold their rules for every caller, not only the pages: a non-administrator is
refused (and recorded) before anything is written; going live re-checks the checklist itself."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from core.council.models import CouncilGovernance, DataSharingAgreement
from core.council.services.agreements import agreement_record
from core.council.services.go_live import GoLiveRefused, council_go_live
from core.council.services.governance import GovernanceDetails, council_governance_update
from core.council.services.legal_bases import legal_bases_review
from core.council.services.lifecycle import TransitionRefused
from core.council.services.privacy_officers import privacy_officer_set
from core.council.services.profile import CouncilProfile, council_profile_update
from core.directory.models import Agency, Practitioner
from tenants.models import Council, CouncilStatus
from tests.core.council.conftest import PDF
from tests.core.council.test_go_live import everything_done

pytestmark = pytest.mark.council_side


def test_every_service_refuses_a_practitioner_and_records_it(
    council_a: Council, practitioner: Practitioner, police: Agency
) -> None:
    calls = [
        lambda: council_governance_update(
            actor=practitioner,
            details=GovernanceDetails(dpia_reference="D", dpo_name="N", dpo_email="n@x.example"),
            origin=NO_ORIGIN,
        ),
        lambda: council_profile_update(
            actor=practitioner,
            council=council_a,
            profile=CouncilProfile(name="Taken", brand_colour="#000000", time_zone="Europe/London"),
            origin=NO_ORIGIN,
        ),
        lambda: agreement_record(
            actor=practitioner,
            party_ids=[police.pk],
            signed_on=datetime.date(2026, 1, 1),
            review_on=datetime.date(2027, 1, 1),
            document=ContentFile(PDF, name="a.pdf"),
            origin=NO_ORIGIN,
        ),
        lambda: privacy_officer_set(actor=practitioner, practitioner=practitioner, appointed=True, origin=NO_ORIGIN),
        lambda: legal_bases_review(actor=practitioner, origin=NO_ORIGIN),
        lambda: council_go_live(actor=practitioner, council=council_a, origin=NO_ORIGIN),
    ]
    with schema_context(council_a.schema_name):
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor_id=practitioner.user_id).count() == 6
        assert not CouncilGovernance.objects.exists()
        assert not DataSharingAgreement.objects.exists()
        assert not Practitioner.objects.filter(is_privacy_officer=True).exists()
    council_a.refresh_from_db()
    assert council_a.name == "Alpha District Council"


def test_going_live_re_checks_the_checklist_and_refuses_a_council_that_is_not_configuring(
    configuring: Council, admin: Practitioner
) -> None:
    with schema_context(configuring.schema_name), pytest.raises(GoLiveRefused) as refused:
        council_go_live(actor=admin, council=configuring, origin=NO_ORIGIN)
    assert "Record the data-sharing agreement" in refused.value.missing
    configuring.refresh_from_db()
    assert configuring.status == CouncilStatus.CONFIGURING


def test_a_council_that_is_already_live_cannot_go_live_again(
    council_a: Council, admin: Practitioner, practitioner: Practitioner, home_agency: Agency, police: Agency
) -> None:
    """Another administrator took it live a moment ago: everything holds, but the lifecycle refuses the move."""
    everything_done(council_a, admin, practitioner, [home_agency, police])
    with schema_context(council_a.schema_name):
        with pytest.raises(TransitionRefused):
            council_go_live(actor=admin, council=council_a, origin=NO_ORIGIN)
        assert not AuditEvent.objects.filter(action=AuditAction.COUNCIL_STATUS_CHANGED).exists()
    council_a.refresh_from_db()
    assert council_a.status == CouncilStatus.LIVE
