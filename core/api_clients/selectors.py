"""Reads of API clients: an agency's list for its administrator, and the client behind a token."""

from uuid import UUID

from django.db.models import QuerySet

from core.api_clients.models import ApiClient
from core.directory.models import Agency


def api_clients_of_agency(*, agency: Agency) -> QuerySet[ApiClient]:
    return (
        ApiClient.objects.filter(agency=agency)
        .select_related("application", "created_by__user")
        .order_by("revoked_at", "name")
    )


def api_client_of_agency(*, agency: Agency, api_client_id: UUID) -> ApiClient | None:
    return ApiClient.objects.select_related("application", "agency").filter(agency=agency, pk=api_client_id).first()


def api_client_for_application(*, application_id: object) -> ApiClient | None:
    return ApiClient.objects.select_related("agency", "application").filter(application_id=application_id).first()


def api_client_for_client_id(*, client_id: str) -> ApiClient | None:
    if not client_id or len(client_id) > 255:
        return None
    return ApiClient.objects.select_related("agency", "application").filter(application__client_id=client_id).first()
