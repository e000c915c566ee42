from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Clients (the minimum to identify a person), families, and who is involved with them."""

    name = "core.clients"
    label = "clients"
    verbose_name = "Clients"
