"""The demo's billing: a share of each council's practitioners sign in over three months, the demo councils get
billing accounts, and those months are metered; running the demo again changes nothing."""

import datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django_tenants.utils import schema_context

from billing.models import BillingAccount, Usage
from core.audit.models import AuditAction, AuditEvent
from core.directory.models import Practitioner
from demo.billing import ACTIVE_SHARE, council_sign_ins_populate, demo_billing_populate, first_month
from demo.populate import TODAY, council_demo_populate
from tenants.models import Council

pytestmark = pytest.mark.platform_side


@pytest.fixture
def staffordshire(council_a: Council) -> Council:
    """Council A populated as the demo's Staffordshire (its sign-ins included)."""
    with schema_context(council_a.schema_name):
        council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=make_password("x" * 12))
    return council_a


def _active_by_month(council: Council) -> dict[datetime.date, int]:
    """Distinct people signed in each month, read straight from the trail (all in working hours: UTC's month is
    London's)."""
    with schema_context(council.schema_name):
        months = (
            AuditEvent.objects.filter(action=AuditAction.SIGN_IN)
            .annotate(month=TruncMonth("occurred_at", tzinfo=datetime.UTC))
            .values("month")
            .annotate(people=Count("actor_id", distinct=True))
            .values_list("month", "people")
        )
        return {month.date(): people for month, people in months}


def test_a_realistic_share_signs_in_each_month_and_those_months_are_metered(staffordshire: Council) -> None:
    with schema_context(staffordshire.schema_name):
        practitioners = Practitioner.objects.count()
    active = _active_by_month(staffordshire)
    earliest = first_month(TODAY)
    whole_months = sorted(month for month in active if month < TODAY.replace(day=1))
    assert len(whole_months) == 3
    assert whole_months[0] == earliest
    for month in whole_months:
        low, high = (round(practitioners * share) for share in ACTIVE_SHARE)
        assert low <= active[month] <= high, month

    metered = demo_billing_populate(slugs=[staffordshire.slug], today=TODAY)

    assert [month for month, _ in metered] == whole_months
    account = BillingAccount.objects.get(council=staffordshire)
    assert account.plan == "standard"  # council A is not the demo's own Staffordshire row: the default account
    usage = dict(Usage.objects.filter(council=staffordshire).values_list("period", "active_practitioners"))
    assert usage == {month: active[month] for month in whole_months}


def test_running_the_demos_billing_again_changes_nothing(staffordshire: Council) -> None:
    demo_billing_populate(slugs=[staffordshire.slug], today=TODAY)
    usage = list(
        Usage.objects.filter(council=staffordshire).values_list("period", "active_practitioners", "counted_at")
    )
    with schema_context(staffordshire.schema_name):
        sign_ins = AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count()
        assert council_sign_ins_populate(time_zone=staffordshire.time_zone, today=TODAY) == 0
        assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count() == sign_ins

    with schema_context("public"):
        metered_runs = AuditEvent.objects.filter(action=AuditAction.USAGE_METERED).count()

    again = demo_billing_populate(slugs=[staffordshire.slug], today=TODAY)

    assert all(counted == 0 for _, counted in again)
    with schema_context("public"):
        assert AuditEvent.objects.filter(action=AuditAction.USAGE_METERED).count() == metered_runs
    assert BillingAccount.objects.filter(council=staffordshire).count() == 1
    assert (
        list(Usage.objects.filter(council=staffordshire).values_list("period", "active_practitioners", "counted_at"))
        == usage
    )
