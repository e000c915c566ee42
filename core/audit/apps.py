from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only audit trail. In every council's schema, and in ``public`` for platform staff."""

    name = "core.audit"
    label = "audit"
    verbose_name = "Audit trail"
