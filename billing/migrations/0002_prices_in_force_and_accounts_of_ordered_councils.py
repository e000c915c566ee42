"""The prices in force when billing began (from 2026-01-01), and a billing account for every council that was
ordered before it did.

The prices are written here as literals, as the catalogue (onboarding/plans.py) showed them until then: from now on
they are rows of ``billing_price``, and a new price is a new row (billing/services/prices.py). Each account takes
its order's plan, purchase order number and billing contact. Models come from the migration state, never from
the apps' code, so this stays true whatever the code becomes.
"""

import datetime
from decimal import Decimal

from django.db import migrations

EFFECTIVE_FROM = datetime.date(2026, 1, 1)

# (jurisdiction, plan, currency, unit price in minor units, minimum practitioners, tax name, tax rate)
PRICES = [
    ("england", "standard", "GBP", 450, 100, "VAT", Decimal("0.2000")),
    ("england", "enhanced", "GBP", 600, 250, "VAT", Decimal("0.2000")),
    ("victoria", "standard", "AUD", 850, 100, "GST", Decimal("0.1000")),
    ("victoria", "enhanced", "AUD", 1100, 250, "GST", Decimal("0.1000")),
]


def prices_and_accounts_create(apps, schema_editor):
    Price = apps.get_model("billing", "Price")
    BillingAccount = apps.get_model("billing", "BillingAccount")
    Order = apps.get_model("onboarding", "Order")
    for jurisdiction, plan, currency, unit_price_minor, minimum, tax_name, tax_rate in PRICES:
        Price.objects.get_or_create(
            jurisdiction=jurisdiction,
            plan=plan,
            effective_from=EFFECTIVE_FROM,
            defaults={
                "currency": currency,
                "unit_price_minor": unit_price_minor,
                "minimum_practitioners": minimum,
                "tax_name": tax_name,
                "tax_rate": tax_rate,
            },
        )
    for order in Order.objects.filter(council__isnull=False).order_by("placed_at"):
        BillingAccount.objects.get_or_create(
            council_id=order.council_id,
            defaults={
                "plan": order.plan,
                "purchase_order_number": order.purchase_order_number,
                "billing_contact_name": order.billing_contact_name,
                "billing_contact_email": order.billing_contact_email,
            },
        )


def prices_and_accounts_remove(apps, schema_editor):
    """Back to no billing data: the accounts this made and the first prices (nothing may point at them yet)."""
    apps.get_model("billing", "BillingAccount").objects.all().delete()
    apps.get_model("billing", "Price").objects.filter(effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("onboarding", "0002_order_decision"),
    ]

    operations = [migrations.RunPython(prices_and_accounts_create, prices_and_accounts_remove)]
