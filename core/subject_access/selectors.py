"""Reads for the privacy officer's subject access pages: the requests with their deadlines, and one request."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from core.subject_access.deadlines import DeadlineRule, deadline_rule
from core.subject_access.models import SubjectAccessExtension, SubjectAccessRequest

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Deadline:
    due_on: datetime.date
    days_left: int  # negative: overdue by that many days
    is_open: bool

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.days_left < 0

    @property
    def is_due_soon(self) -> bool:
        return self.is_open and 0 <= self.days_left <= DUE_SOON_DAYS

    @property
    def overdue_by(self) -> int:
        return -self.days_left


def deadline_of(request: SubjectAccessRequest, *, today: datetime.date) -> Deadline:
    return Deadline(request.due_on, (request.due_on - today).days, request.is_open)


@dataclass(frozen=True)
class RequestRow:
    request: SubjectAccessRequest
    deadline: Deadline


def requests_list(*, today: datetime.date, show_closed: bool = False) -> list[RequestRow]:
    """Open requests by deadline, overdue first (one query, with the client); closed ones too when asked."""
    requests = SubjectAccessRequest.objects.select_related("client").order_by("due_on", "received_on", "id")
    if not show_closed:
        requests = requests.exclude(state=SubjectAccessRequest.State.CLOSED)
    return [RequestRow(request, deadline_of(request, today=today)) for request in requests]


def requests_overdue_count(*, today: datetime.date) -> int:
    return (
        SubjectAccessRequest.objects.exclude(state=SubjectAccessRequest.State.CLOSED).filter(due_on__lt=today).count()
    )


def request_for_officer(*, request_id: object) -> SubjectAccessRequest | None:
    """One request with who did what and its extensions (two queries)."""
    return (
        SubjectAccessRequest.objects.select_related(
            "client",
            "recorded_by__user",
            "export_started_by__user",
            "downloaded_by__user",
            "closed_by__user",
        )
        .prefetch_related(
            Prefetch(
                "extensions",
                queryset=SubjectAccessExtension.objects.select_related("extended_by__user").order_by("extended_at"),
            )
        )
        .filter(pk=request_id)
        .first()
    )


def rule_of(request: SubjectAccessRequest) -> DeadlineRule:
    return deadline_rule(request.jurisdiction)
