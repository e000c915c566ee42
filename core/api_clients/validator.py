"""django-oauth-toolkit's validator, held to Patchwork's rules: a client gets a token only while it is not
revoked and its agency is approved, and only for the scopes the council administrator gave it."""

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from core.api_clients.models import ApiClient
from core.api_clients.selectors import api_client_for_application
from core.directory.models import ApprovalState


def refusal_of(api_client: ApiClient | None) -> str | None:
    """Why this client may not have a token now (None: it may)."""
    if api_client is None:
        return "no API client for these credentials"
    if api_client.is_revoked:
        return "the API client is revoked"
    if api_client.agency.approval_state != ApprovalState.APPROVED:
        return "the API client's agency is not approved"
    return None


class ApiClientValidator(OAuth2Validator):
    def _api_client(self, request: Any) -> ApiClient | None:
        client = getattr(request, "client", None)
        if client is None:
            return None
        cached = getattr(request, "patchwork_api_client", None)
        if cached is None:
            cached = api_client_for_application(application_id=client.pk)
            request.patchwork_api_client = cached
        return cached

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return refusal_of(self._api_client(request)) is None

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        api_client = self._api_client(request)
        return api_client is not None and set(scopes) <= set(api_client.scopes)

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        api_client = self._api_client(request)
        return list(api_client.scopes) if api_client is not None else []
