from django.apps import AppConfig


class ApiClientsConfig(AppConfig):
    name = "core.api_clients"
    label = "api_clients"
    verbose_name = "API clients: case-management systems that keep teams current, per agency (OAuth 2.0)"

    def ready(self) -> None:
        from django.contrib import admin
        from django.db.models.signals import pre_save

        from core.api_clients import authentication  # noqa: F401  (the OpenAPI scheme registers itself)
        from core.api_clients.acting import audit_event_attribute
        from core.audit.models import AuditEvent

        pre_save.connect(audit_event_attribute, sender=AuditEvent, dispatch_uid="api-client-audit-attribution")
        # django-oauth-toolkit's tables live in councils' schemas; the Django admin runs on the platform's site,
        # where they do not exist, so its pages for them could only fail.
        from oauth2_provider.models import (
            get_access_token_model,
            get_application_model,
            get_grant_model,
            get_id_token_model,
            get_refresh_token_model,
        )

        for model in (
            get_application_model(),
            get_access_token_model(),
            get_grant_model(),
            get_id_token_model(),
            get_refresh_token_model(),
        ):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
