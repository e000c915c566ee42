from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The platform operator's console, on the platform site (``public`` schema)."""

    name = "console"
    label = "console"
    verbose_name = "Operator console"
