from django.apps import AppConfig


class InboxConfig(AppConfig):
    """The notification centre: what each person has been told in the app, and how they want to be emailed."""

    name = "core.inbox"
    label = "inbox"
    verbose_name = "Notification centre"
