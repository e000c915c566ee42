from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "core.privacy"
    label = "privacy"
    verbose_name = "Privacy officer: access reports and alerts"
