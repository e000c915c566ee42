from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The council site's home page."""

    name = "core.home"
    label = "home"
    verbose_name = "Home"
