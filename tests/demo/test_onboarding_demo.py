"""The demo's council coming aboard: one still configuring, with its administrator, and one order waiting."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.directory.models import Agency, ApprovalState, Practitioner
from core.notifications.models import Notification
from demo.onboarding import CONFIGURING_ADMIN_EMAIL, PENDING_ORDER, configuring_council_populate, pending_order_place
from onboarding.models import Order, OrderStatus
from onboarding.services.provisioning import council_create, council_provision
from tenants.jurisdictions import Jurisdiction
from tenants.models import CouncilStatus

pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]

PASSWORD = "demo-password-123"


def test_the_configuring_council_has_its_administrator_and_agencies_but_is_not_live(db: None) -> None:
    council = council_create(name="Derbyshire County Council", slug="derbyshire", jurisdiction=Jurisdiction.ENGLAND)
    council_provision(council_id=council.pk, go_live=False)
    password_hash = make_password(PASSWORD)

    with schema_context(council.schema_name):
        administrator = configuring_council_populate(password_hash=password_hash)
        again = configuring_council_populate(password_hash=password_hash)  # the demo run twice

        assert again.pk == administrator.pk
        assert administrator.email == CONFIGURING_ADMIN_EMAIL
        assert check_password(PASSWORD, administrator.password)
        practitioner = Practitioner.objects.get(user=administrator)
        assert practitioner.is_council_admin
        assert practitioner.verified_at is not None
        states = sorted(Agency.objects.values_list("approval_state", flat=True))
        assert states == [ApprovalState.APPROVED, ApprovalState.APPROVED, ApprovalState.PENDING]
        assert all(domain.endswith(".example") for agency in Agency.objects.all() for domain in agency.email_domains)
        assert User.objects.count() == 1
    council.refresh_from_db()
    assert council.status == CouncilStatus.CONFIGURING


def test_the_pending_order_is_placed_once_and_confirmed_through_the_outbox(db: None) -> None:
    order = pending_order_place()
    again = pending_order_place()

    assert again.pk == order.pk
    assert Order.objects.filter(requested_slug=PENDING_ORDER.requested_slug).count() == 1
    assert order.status == OrderStatus.ORDERED
    assert order.reference.startswith("PW-")
    confirmations = Notification.objects.filter(subject__contains=order.reference)
    assert sorted(confirmations.values_list("to", flat=True)) == sorted(
        [PENDING_ORDER.billing_contact_email, PENDING_ORDER.admin_email]
    )


def test_a_rejected_pending_order_is_placed_again(db: None) -> None:
    first = pending_order_place()
    Order.objects.filter(pk=first.pk).update(status=OrderStatus.REJECTED)

    second = pending_order_place()

    assert second.pk != first.pk
    assert second.status == OrderStatus.ORDERED
