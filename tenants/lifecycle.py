"""A council's life, as one state machine: the only moves there are.

    ordered → provisioning → configuring → live ⇄ suspended
                                            live, suspended → offboarding → closed

* **ordered**: the order is approved and the council recorded; nothing of it exists yet.
* **provisioning**: its schema, defaults and web address are being made. A step that fails leaves
  the council *in provisioning* with ``provisioning_error`` set; running provisioning again resumes
  from the step that failed (there is no separate "failed" state: a retry is not a transition).
* **configuring**: its site is up for its administrators to set it up (for now practitioners see
  the same as when it is live; the go-live checklist will close it to them).
* **live**: in use.
* **suspended**: its site answers every path with a page saying so, and nothing of its data.
* **offboarding** and **closed**: its data is being returned and erased; then it is gone. Its host
  is a plain 404, as for an unknown host.

Suspending, resuming and starting offboarding need a reason. Only ``council_transition``
(core/council/services/lifecycle.py) moves a council, and only along these arrows.
"""

from dataclasses import dataclass

from tenants.models import CouncilStatus


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    verb: str  # what the operator does, in the console and the audit trail
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(CouncilStatus.ORDERED, CouncilStatus.PROVISIONING, "start provisioning"),
    Transition(CouncilStatus.PROVISIONING, CouncilStatus.CONFIGURING, "finish provisioning"),
    Transition(CouncilStatus.CONFIGURING, CouncilStatus.LIVE, "go live"),
    Transition(CouncilStatus.LIVE, CouncilStatus.SUSPENDED, "suspend", needs_reason=True),
    Transition(CouncilStatus.SUSPENDED, CouncilStatus.LIVE, "resume", needs_reason=True),
    Transition(CouncilStatus.LIVE, CouncilStatus.OFFBOARDING, "start offboarding", needs_reason=True),
    Transition(CouncilStatus.SUSPENDED, CouncilStatus.OFFBOARDING, "start offboarding", needs_reason=True),
    Transition(CouncilStatus.OFFBOARDING, CouncilStatus.CLOSED, "close"),
)

_BY_MOVE = {(transition.source, transition.target): transition for transition in TRANSITIONS}

# Whose host resolves to the council's own site, and whose to the "suspended" page.
SERVING = frozenset({CouncilStatus.CONFIGURING, CouncilStatus.LIVE})
RESOLVING = SERVING | {CouncilStatus.SUSPENDED}


def transition_for(source: str, target: str) -> Transition | None:
    """The allowed move from ``source`` to ``target``, or None if there is none."""
    return _BY_MOVE.get((source, target))


def transitions_from(source: str) -> tuple[Transition, ...]:
    return tuple(transition for transition in TRANSITIONS if transition.source == source)
