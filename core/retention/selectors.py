"""Reads of the retention pages: runs, a client's holds and erasure requests."""

from django.db.models import F, QuerySet

from core.clients.models import Client
from core.retention.models import ErasureRequest, LegalHold, RetentionRun

RUNS_SHOWN = 30


def retention_runs_recent() -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("decided_by__user").order_by("-prepared_at")[:RUNS_SHOWN])


def retention_run_for_officer(run_id: object) -> RetentionRun | None:
    return RetentionRun.objects.select_related("decided_by__user").filter(pk=run_id).first()


def legal_holds_of(client: Client) -> list[LegalHold]:
    return list(
        LegalHold.objects.filter(client=client)
        .select_related("placed_by__user", "lifted_by__user")
        .order_by("-placed_at")
    )


def erasure_requests_of(client: Client) -> list[ErasureRequest]:
    return list(ErasureRequest.objects.filter(client_reference=client.pk).select_related("decided_by__user"))


def erasure_requests_listed() -> QuerySet[ErasureRequest]:
    """Every request, those waiting first, with the client's name while the record exists."""
    return ErasureRequest.objects.select_related("client", "decided_by__user", "recorded_by__user").order_by(
        F("decided_at").desc(nulls_first=True), "-received_on", "-recorded_at"
    )


def erasure_request_for_officer(request_id: object) -> ErasureRequest | None:
    return (
        ErasureRequest.objects.select_related("client", "decided_by__user", "recorded_by__user")
        .filter(pk=request_id)
        .first()
    )
