from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """Councils (tenants), their domains and their schemas. Lives in the ``public`` schema."""

    name = "tenants"
    label = "tenants"
    verbose_name = "Councils"

    def ready(self) -> None:
        from tenants import routing  # noqa: F401  (its signals forget a changed council's host)
