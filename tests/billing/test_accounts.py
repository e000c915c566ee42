"""A council's billing account is opened with its order's approval, from what the order said, once."""

import pytest
from django_tenants.utils import schema_context

from billing.models import BillingAccount
from billing.services.accounts import billing_account_open
from core.accounts.models import User
from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import NO_ORIGIN
from onboarding.services.approval import order_approve
from tenants.models import Council
from tests.factories import UserFactory
from tests.onboarding.ordering import order_placed

pytestmark = pytest.mark.platform_side


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(email="accounts@patchwork.example", is_staff=True)


def _opened() -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(action=AuditAction.BILLING_ACCOUNT_OPENED))


def test_approving_an_order_opens_its_councils_billing_account_from_the_order(operator: User) -> None:
    order = order_placed(plan="enhanced", purchase_order_number="PO-2026-0042")

    approved = order_approve(order_id=order.pk, actor=operator, origin=NO_ORIGIN)

    account = BillingAccount.objects.get(council=approved.council)
    assert (account.plan, account.purchase_order_number) == ("enhanced", "PO-2026-0042")
    assert (account.billing_contact_name, account.billing_contact_email) == (
        order.billing_contact_name,
        order.billing_contact_email,
    )
    [event] = _opened()
    assert (event.actor_id, event.object_id, event.council) == (operator.pk, order.requested_slug, "public")
    assert order.billing_contact_email not in str(event.changes)  # the contact is personal data: not in the trail


def test_opening_an_account_again_leaves_the_first_as_it_was(operator: User, council_a: Council) -> None:
    first = billing_account_open(
        council=council_a,
        plan="standard",
        purchase_order_number="PO-1",
        billing_contact_name="Accounts Payable",
        billing_contact_email="ap@alpha.example",
        actor=operator,
        origin=NO_ORIGIN,
    )
    again = billing_account_open(
        council=council_a,
        plan="enhanced",
        purchase_order_number="PO-2",
        billing_contact_name="Someone Else",
        billing_contact_email="else@alpha.example",
        actor=operator,
        origin=NO_ORIGIN,
    )

    assert again.pk == first.pk
    assert BillingAccount.objects.filter(council=council_a).values_list("plan", "purchase_order_number").get() == (
        "standard",
        "PO-1",
    )
    assert len(_opened()) == 1


def test_an_unknown_plan_opens_no_account(operator: User, council_a: Council) -> None:
    with pytest.raises(ValueError, match="no plan"):
        billing_account_open(
            council=council_a,
            plan="platinum",
            purchase_order_number="PO-1",
            billing_contact_name="Accounts Payable",
            billing_contact_email="ap@alpha.example",
            actor=operator,
            origin=NO_ORIGIN,
        )
    assert not BillingAccount.objects.filter(council=council_a).exists()
    assert _opened() == []
