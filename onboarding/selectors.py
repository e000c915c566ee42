"""Reads of orders and of provisioning, for the catalogue and the operator console."""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import QuerySet

from core.accounts.models import User
from onboarding.models import Order, OrderStatus
from onboarding.services.provisioning import STEPS
from tenants.models import Council, Domain


def subdomain_taken(slug: str) -> bool:
    """Whether a council has this subdomain, or an order not rejected is holding it."""
    return (
        Council.objects.filter(slug=slug).exists()
        or Domain.objects.filter(domain=f"{slug}.{settings.PLATFORM_DOMAIN}").exists()
        or Order.objects.filter(requested_slug=slug).exclude(status=OrderStatus.REJECTED).exists()
    )


def orders_waiting() -> QuerySet[Order]:
    """Orders no operator has decided yet, the longest waiting first."""
    return Order.objects.filter(status=OrderStatus.ORDERED).order_by("placed_at", "reference")


def orders_decided(*, limit: int = 100) -> list[Order]:
    """The latest decided orders, the most recent decision first, with the council each one made."""
    decided = Order.objects.exclude(status=OrderStatus.ORDERED).select_related("council")
    return list(decided.order_by("-decided_at", "-reference")[:limit])


def order_get(*, reference: str) -> Order | None:
    return Order.objects.select_related("council").filter(reference=reference).first()


def order_decided_by(order: Order) -> User | None:
    """The platform staff member who decided the order, if the account still exists."""
    return User.objects.filter(pk=order.decided_by_id).first() if order.decided_by_id else None


def order_for_council(*, council: Council) -> Order | None:
    return Order.objects.filter(council=council).first()


class StepState(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in progress"
    FAILED = "failed"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class StepProgress:
    name: str
    label: str
    state: StepState


def provisioning_steps(council: Council) -> list[StepProgress]:
    """Each provisioning step with where it is, read from the council's progress.

    Steps before the one recorded are done; that one is in progress, or failed when an error is
    recorded; those after it have not started. ``done`` means every step is.
    """
    names = [step.name for step in STEPS]
    current = council.provisioning_step
    if current == "done":
        position = len(STEPS)
    elif current in names:
        position = names.index(current)
    else:
        position = -1  # waiting to start
    states: list[StepState] = []
    for index in range(len(STEPS)):
        if index < position:
            states.append(StepState.DONE)
        elif index == position:
            states.append(StepState.FAILED if council.provisioning_error else StepState.IN_PROGRESS)
        else:
            states.append(StepState.NOT_STARTED)
    return [StepProgress(step.name, step.label, state) for step, state in zip(STEPS, states, strict=True)]
