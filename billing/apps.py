from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Plans, subscriptions, usage metering and invoices (``public`` schema).

    Registered from the start so that its place among the shared apps is fixed; its models arrive
    with the billing work.
    """

    name = "billing"
    label = "billing"
    verbose_name = "Billing"
