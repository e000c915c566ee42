from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The outbox: emails are rows written with the change they announce, delivered after commit."""

    name = "core.notifications"
    label = "notifications"
    verbose_name = "Notifications"
