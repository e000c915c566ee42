from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Support access (SECURITY.md AZ-4): platform staff reach a council's data only through a grant the
    council's administrator gave, scoped to named pages and limited in time (``public`` schema)."""

    name = "support"
    label = "support"
    verbose_name = "Support access"
