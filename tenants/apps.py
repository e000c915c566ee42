from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """Councils (tenants), their domains and their schemas. Lives in the ``public`` schema."""

    name = "tenants"
    label = "tenants"
    verbose_name = "Councils"

    def ready(self) -> None:
        # Imported for what importing does: checks registers the residency checks (docs/adr/0027), and
        # routing's signals forget a changed council's host.
        from tenants import checks, routing  # noqa: F401
