from django.apps import AppConfig


class ApiClientsConfig(AppConfig):
    name = "core.api_clients"
    label = "api_clients"
    verbose_name = "API clients: case-management systems that keep teams current, per agency (OAuth 2.0)"
