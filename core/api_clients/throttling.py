"""Each API client's calls are limited (``API_CLIENT_RATE_LIMIT``, e.g. "120/minute"), counted in the
council's cache: one system cannot starve the others, and a runaway loop is stopped early."""

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApiClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self) -> str:
        return settings.API_CLIENT_RATE_LIMIT

    def get_cache_key(self, request: Any, view: Any) -> str:
        return f"throttle:api-client:{request.api_client.pk}"
