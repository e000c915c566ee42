"""The demo's invoices: every counted month invoiced through the real services, and the oldest invoice paid.

Each council with a billing account is invoiced for each month counted before this one (as the monthly run would
have done), with its documents stored and its email queued like any other; then the oldest invoice is recorded as
paid, so that the console and the council's billing page show one paid, and the rest issued or overdue. Running the
demo again issues nothing twice and pays nothing twice.
"""

import datetime

from django.utils import timezone

from billing.models import Invoice, InvoiceKind, InvoiceStatus, Usage
from billing.prices import month_start
from billing.services.invoices import invoices_issue
from billing.services.payments import invoice_mark_paid
from core.accounts.models import User
from core.audit.origin import NO_ORIGIN

DEMO_OPERATOR_EMAIL = "operator@patchwork.example"  # the demo's operator (demo/management/commands/demo.py)
RECORDER_EMAIL = "demo.billing@patchwork.example"
PAID_AFTER = datetime.timedelta(days=14)


def demo_invoices_issue() -> int:
    """Issue the invoices of every counted month without one and pay the oldest; returns how many were issued."""
    this_month = month_start(timezone.localdate())
    periods = Usage.objects.filter(period__lt=this_month).values_list("period", flat=True).distinct().order_by("period")
    issued = sum(len(invoices_issue(period=period).issued) for period in periods)
    oldest = Invoice.objects.filter(kind=InvoiceKind.INVOICE).order_by("period", "sequence").first()
    if oldest is not None and oldest.status == InvoiceStatus.ISSUED:
        paid_on = min(oldest.issued_on + PAID_AFTER, timezone.localdate())
        invoice_mark_paid(actor=_operator(), invoice=oldest, paid_on=paid_on, origin=NO_ORIGIN)
    return issued


def _operator() -> User:
    """Who the demo's payment is recorded by: the demo's operator, or (before the demo made one) a staff account
    of its own that cannot sign in, so that the operator's own account is still made as the demo makes it."""
    found = {user.email: user for user in User.objects.filter(email__in=[DEMO_OPERATOR_EMAIL, RECORDER_EMAIL])}
    operator = found.get(DEMO_OPERATOR_EMAIL) or found.get(RECORDER_EMAIL)
    if operator is None:
        operator = User(email=RECORDER_EMAIL, first_name="Demo", last_name="Billing", is_staff=True)
        operator.set_unusable_password()
        operator.save()
    return operator
