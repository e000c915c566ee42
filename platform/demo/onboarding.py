"""The demo's view of a council coming aboard: one council still setting itself up, and one order waiting.

* **Derbyshire County Council** has been provisioned but is still *configuring*: its administrator can sign in
  and work through "Set up your council" (two agencies approved, a third waiting, nothing else done yet); its
  practitioners could not use it until it goes live.
* **Bristol City Council** has ordered from the catalogue: its order waits in the operator console's inbox.

Both are made only if missing, so running the demo again changes nothing here.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.accounts.models import User
from core.audit.origin import Origin
from core.directory.models import Agency, AgencyType, ApprovalState, Practitioner
from demo.phones import e164
from onboarding.models import Order, OrderStatus
from onboarding.plans import PlanCode
from onboarding.services.orders import OrderDetails, order_place
from tenants.jurisdictions import Jurisdiction


@dataclass(frozen=True)
class ConfiguringAgency:
    name: str
    agency_type: str
    services: str
    domain: str
    phone: str
    approval_state: str


CONFIGURING_AGENCIES = (
    ConfiguringAgency(
        "Derbyshire Early Help",
        AgencyType.STATUTORY,
        "Early help and children's social care front door",
        "derbyshire-earlyhelp.example",
        "01632 960 410",
        ApprovalState.APPROVED,
    ),
    ConfiguringAgency(
        "Derbyshire Constabulary",
        AgencyType.POLICE,
        "Neighbourhood policing and public protection",
        "derbyshire-police.example",
        "01632 960 420",
        ApprovalState.APPROVED,
    ),
    ConfiguringAgency(
        "Chesterfield Royal Hospital",
        AgencyType.HEALTH,
        "Paediatrics, maternity and the safeguarding children team",
        "chesterfield-royal.example",
        "01632 960 430",
        ApprovalState.PENDING,
    ),
)

CONFIGURING_ADMIN_EMAIL = "claire.wood@derbyshire-earlyhelp.example"

PENDING_ORDER = OrderDetails(
    council_name="Bristol City Council",
    jurisdiction=Jurisdiction.ENGLAND,
    requested_slug="bristol",
    plan=PlanCode.STANDARD,
    expected_practitioners=1200,
    purchase_order_number="BCC-PO-2026-4471",
    billing_contact_name="Priya Nair",
    billing_contact_email="accounts.payable@bristol-council.example",
    dpo_name="Tom Ashworth",
    dpo_email="dpo@bristol-council.example",
    admin_name="Ruth Okafor",
    admin_email="ruth.okafor@bristol-council.example",
)


@transaction.atomic
def configuring_council_populate(*, password_hash: str) -> User:
    """In the current (configuring) council's schema: its agencies and its first administrator.

    Returns the administrator's account. A council that already has agencies is left as it is.
    """
    if not Agency.objects.exists():
        agencies = [
            Agency.objects.create(
                name=spec.name,
                agency_type=spec.agency_type,
                services=spec.services,
                contact_email=f"enquiries@{spec.domain}",
                contact_phone=e164(spec.phone, jurisdiction=Jurisdiction.ENGLAND),
                email_domains=[spec.domain],
                approval_state=spec.approval_state,
            )
            for spec in CONFIGURING_AGENCIES
        ]
        user = User.objects.create_user(CONFIGURING_ADMIN_EMAIL, first_name="Claire", last_name="Wood")
        user.password = password_hash
        user.save(update_fields=["password"])
        Practitioner.objects.create(
            user=user,
            agency=agencies[0],
            job_title="Early Help Systems Lead",
            is_council_admin=True,
            is_agency_manager=True,
            verified_at=timezone.now(),
        )
    return User.objects.get(email=CONFIGURING_ADMIN_EMAIL)


def pending_order_place() -> Order:
    """Bristol's order, waiting for the operator (placed once; its confirmation email goes to the outbox)."""
    # Once approved (or still waiting) it is left alone; only a rejected one is placed again.
    held = Order.objects.filter(requested_slug=PENDING_ORDER.requested_slug).exclude(status=OrderStatus.REJECTED)
    if (order := held.first()) is not None:
        return order
    port = f":{settings.PLATFORM_PORT}" if settings.PLATFORM_PORT else ""
    origin = Origin(base_url=f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{port}", path="/order/")
    return order_place(details=PENDING_ORDER, origin=origin)
