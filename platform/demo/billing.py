"""The demo's billing: sign-ins over the last three months in each council, an account for each demo council, and
those months metered, so that usage (and the invoices issued from it) can be seen at once.

In each council (``council_sign_ins_populate``, from demo/populate.py, inside its schema): a realistic share of its
practitioners sign in on some working days of each month, at working hours in the council's own time zone, written
as the demo writes other audit history (``occurred_at`` set, from a practitioner's browser). Only once: a council
whose trail already holds the demo's sign-ins gets no more.

On the platform (``demo_billing_populate``, from the demo command): a billing account for each demo council that has
none (a plausible purchase order number and finance contact), the live councils dated live from before the months
the demo fabricates, and ``usage_meter`` for the three whole months before this one. Running the demo again changes
nothing: the accounts stand, and a month already counted is left as it was.
"""

import datetime
import random
import uuid
import zoneinfo
from dataclasses import dataclass

from django.db import connection

from billing.models import BillingAccount, PlanCode, Usage
from billing.prices import month_after, month_before, month_start
from billing.services.accounts import billing_account_open
from billing.services.metering import usage_meter
from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import NO_ORIGIN
from core.directory.models import Practitioner
from tenants.models import Council, CouncilStatus

MONTHS = 3
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
ACTIVE_SHARE = (0.72, 0.9)  # of a council's practitioners, each month: some are on leave, some rarely need it
SIGN_INS_A_MONTH = (2, 16)  # working days an active practitioner signs in on


@dataclass(frozen=True)
class DemoAccount:
    plan: str
    purchase_order_number: str
    billing_contact_name: str


ACCOUNTS = {
    "staffordshire": DemoAccount(PlanCode.ENHANCED, "SCC-PO-4500218843", "Karen Whitehouse"),
    "brighton-hove": DemoAccount(PlanCode.STANDARD, "BHCC/2026/ICT/0419", "Daniel Okonjo"),
    "yarra": DemoAccount(PlanCode.STANDARD, "PO-YAR-2026-1187", "Mei Lin Chau"),
    "derbyshire": DemoAccount(PlanCode.STANDARD, "DCC-PO-7100093352", "Rachel Dunmore"),
}


def first_month(today: datetime.date) -> datetime.date:
    """The first of the three whole months before ``today``'s."""
    month = month_start(today)
    for _ in range(MONTHS):
        month = month_before(month)
    return month


def council_sign_ins_populate(*, time_zone: str, today: datetime.date) -> int:
    """Sign-ins from the first of three months ago until ``today``, in the current council schema. How many."""
    if AuditEvent.objects.filter(action=AuditAction.SIGN_IN, user_agent=USER_AGENT).exists():
        return 0
    rng = random.Random(f"{connection.schema_name}:sign-ins")  # noqa: S311 - demo data, not security
    zone = zoneinfo.ZoneInfo(time_zone)
    people = list(Practitioner.objects.order_by("user_id").values_list("user_id", flat=True))
    events = []
    month = first_month(today)
    while month <= today:
        days = [
            day
            for offset in range((month_after(month) - month).days)
            if (day := month + datetime.timedelta(days=offset)) < today and day.weekday() < 5
        ]
        active = rng.sample(people, k=round(len(people) * rng.uniform(*ACTIVE_SHARE))) if days else []
        for user_id in active:
            for day in sorted(rng.sample(days, k=min(len(days), rng.randint(*SIGN_INS_A_MONTH)))):
                at = datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), rng.randint(0, 59)), tzinfo=zone)
                events.append(_sign_in(user_id, at))
        month = month_after(month)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def _sign_in(user_id: uuid.UUID, at: datetime.datetime) -> AuditEvent:
    """A successful sign-in as core/accounts/services/sign_in.py records it, from a practitioner's browser."""
    return AuditEvent(
        occurred_at=at,
        actor_id=user_id,
        council=connection.schema_name,
        action=AuditAction.SIGN_IN,
        outcome=AuditOutcome.SUCCESS,
        object_type="device",
        object_id="otp_totp.totpdevice/1",
        ip_address=f"192.0.2.{10 + user_id.int % 200}",  # TEST-NET-1: documentation only
        user_agent=USER_AGENT,
        path="/sign-in/code/",
    )


def demo_billing_populate(*, slugs: list[str], today: datetime.date) -> list[tuple[datetime.date, int]]:
    """Accounts for the demo councils, and the three whole months before ``today``'s metered. Each month's counted
    councils (none when it was counted before)."""
    earliest = first_month(today)
    for council in Council.objects.filter(slug__in=slugs).order_by("pk"):
        if not BillingAccount.objects.filter(council=council).exists():
            account = ACCOUNTS.get(
                council.slug, DemoAccount(PlanCode.STANDARD, f"PO-{council.slug.upper()}", "Finance")
            )
            billing_account_open(
                council=council,
                plan=account.plan,
                purchase_order_number=account.purchase_order_number,
                billing_contact_name=account.billing_contact_name,
                billing_contact_email=f"accounts.payable@{council.slug}.example",
                actor=None,
                origin=NO_ORIGIN,
            )
        # The demo's councils have been in use for years (their involvements say so): live before the months metered.
        live_since = datetime.datetime.combine(month_before(earliest), datetime.time(9), tzinfo=datetime.UTC)
        if council.status == CouncilStatus.LIVE and (council.activated_at is None or council.activated_at > live_since):
            Council.objects.filter(pk=council.pk).update(activated_at=live_since)
    live = Council.objects.filter(slug__in=slugs, status=CouncilStatus.LIVE).count()
    metered = []
    month = earliest
    while month < month_start(today):
        # Metered only while a live demo council lacks the month, so a second run of the demo writes nothing at all.
        if Usage.objects.filter(period=month, council__slug__in=slugs).count() < live:
            metered.append((month, usage_meter(period=month).counted))
        else:
            metered.append((month, 0))
        month = month_after(month)
    return metered
