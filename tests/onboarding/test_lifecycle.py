"""A council moves only along its lifecycle's arrows, each move recorded in the platform's own audit."""

import itertools

import pytest
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.audit.origin import Origin
from core.council.services.lifecycle import TransitionRefused, council_transition
from tenants.lifecycle import TRANSITIONS, transition_for
from tenants.models import Council, CouncilStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.platform_side

ALLOWED = [(t.source, t.target) for t in TRANSITIONS]
DISALLOWED = [
    (source, target)
    for source, target in itertools.product(CouncilStatus.values, CouncilStatus.values)
    if (source, target) not in ALLOWED
]


def _set_status(council: Council, status: str) -> Council:
    Council.objects.filter(pk=council.pk).update(status=status)
    council.refresh_from_db()
    return council


_since: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _audit_mark(db: None) -> None:
    """The councils' own provisioning, at session start, left events of its own: count from here."""
    with schema_context("public"):
        _since["id"] = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _lifecycle_events() -> list[AuditEvent]:
    with schema_context("public"):
        events = AuditEvent.objects.filter(action=AuditAction.COUNCIL_STATUS_CHANGED, id__gt=_since["id"])
        return list(events)


def test_the_table_holds_the_lifecycle_and_nothing_else() -> None:
    assert set(ALLOWED) == {
        ("ordered", "provisioning"),
        ("provisioning", "configuring"),
        ("configuring", "live"),
        ("live", "suspended"),
        ("suspended", "live"),
        ("live", "offboarding"),
        ("suspended", "offboarding"),
        ("offboarding", "closed"),
    }
    assert len(DISALLOWED) == 7 * 7 - 8  # staying where it is is not a move either


@pytest.mark.parametrize(("source", "target"), DISALLOWED)
def test_every_move_the_lifecycle_does_not_allow_is_refused_and_changes_nothing(
    council_a: Council, source: str, target: str
) -> None:
    council = _set_status(council_a, source)
    before = Council.objects.values().get(pk=council.pk)
    operator = UserFactory(email="ops@patchwork.example", is_staff=True)

    with pytest.raises(TransitionRefused, match="does not allow it"):
        council_transition(council=council, to=target, actor=operator, reason="because")

    assert Council.objects.values().get(pk=council.pk) == before
    assert council.status == source
    assert _lifecycle_events() == []


@pytest.mark.parametrize("target", ["pending", "active", "offboarded", "", "LIVE"])
def test_a_status_that_does_not_exist_is_refused(council_a: Council, target: str) -> None:
    with pytest.raises(TransitionRefused):
        council_transition(council=council_a, to=target, actor=None, reason="because")
    assert Council.objects.get(pk=council_a.pk).status == CouncilStatus.LIVE
    assert _lifecycle_events() == []


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_move_is_made_and_audited_in_the_platform_with_actor_and_reason(
    council_a: Council, source: str, target: str
) -> None:
    council = _set_status(council_a, source)
    operator = UserFactory(email="ops@patchwork.example", is_staff=True)
    origin = Origin(ip_address="192.0.2.7", user_agent="Firefox", path="/console/councils/alpha/suspend/")

    with schema_context(council.schema_name):  # wherever it is called from, the event is the platform's
        council_transition(council=council, to=target, actor=operator, reason="Unpaid invoice INV-42", origin=origin)

    assert council.status == target
    assert Council.objects.get(pk=council.pk).status == target
    [event] = _lifecycle_events()
    assert event.council == "public"
    assert event.actor_id == operator.pk
    assert event.reason == "Unpaid invoice INV-42"
    assert (event.object_type, event.object_id) == ("council", council.slug)
    assert event.changes == {"status": {"old": source, "new": target}}
    assert (event.ip_address, event.path) == ("192.0.2.7", "/console/councils/alpha/suspend/")
    with schema_context(council.schema_name):
        assert not AuditEvent.objects.filter(action=AuditAction.COUNCIL_STATUS_CHANGED).exists()


@pytest.mark.parametrize(("source", "target"), [(t.source, t.target) for t in TRANSITIONS if t.needs_reason])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_suspend_resume_and_offboarding_need_a_reason(
    council_a: Council, source: str, target: str, reason: str
) -> None:
    council = _set_status(council_a, source)
    with pytest.raises(TransitionRefused, match="Give a reason"):
        council_transition(council=council, to=target, actor=None, reason=reason)
    assert Council.objects.get(pk=council.pk).status == source
    assert _lifecycle_events() == []


def test_suspend_and_resume_need_a_reason() -> None:
    assert transition_for(CouncilStatus.LIVE, CouncilStatus.SUSPENDED).needs_reason  # type: ignore[union-attr]
    assert transition_for(CouncilStatus.SUSPENDED, CouncilStatus.LIVE).needs_reason  # type: ignore[union-attr]


def test_going_live_the_first_time_records_when(council_a: Council) -> None:
    council = _set_status(council_a, CouncilStatus.CONFIGURING)
    Council.objects.filter(pk=council.pk).update(activated_at=None)
    council.refresh_from_db()
    council_transition(council=council, to=CouncilStatus.LIVE, actor=None)
    first = Council.objects.get(pk=council.pk).activated_at
    assert first is not None

    council_transition(council=council, to=CouncilStatus.SUSPENDED, actor=None, reason="Unpaid")
    council_transition(council=council, to=CouncilStatus.LIVE, actor=None, reason="Paid")
    assert Council.objects.get(pk=council.pk).activated_at == first


def test_a_stale_copy_of_the_council_cannot_move_it_from_where_it_was(council_a: Council) -> None:
    stale = Council.objects.get(pk=council_a.pk)  # read while live
    council_transition(council=council_a, to=CouncilStatus.SUSPENDED, actor=None, reason="Unpaid")

    # A second operator's page still shows it live: suspending again is refused, not recorded twice.
    with pytest.raises(TransitionRefused):
        council_transition(council=stale, to=CouncilStatus.SUSPENDED, actor=None, reason="Unpaid")
    assert len(_lifecycle_events()) == 1


def test_a_move_from_where_the_caller_no_longer_sees_the_council_is_refused(council_a: Council) -> None:
    _set_status(council_a, CouncilStatus.CONFIGURING)
    # configuring → live is allowed, but not as a "resume" of a council the operator saw suspended.
    with pytest.raises(TransitionRefused, match="it has changed since you looked"):
        council_transition(
            council=council_a, to=CouncilStatus.LIVE, source=CouncilStatus.SUSPENDED, actor=None, reason="Paid"
        )
    assert Council.objects.get(pk=council_a.pk).status == CouncilStatus.CONFIGURING
    assert _lifecycle_events() == []
