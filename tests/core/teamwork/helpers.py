"""Helpers for the teamwork tests: an origin on a council's host, times in a council's zone, the emails sent and
the calendar files they carry."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.origin import Origin
from core.clients.models import BreakGlassAccess
from core.directory.models import Practitioner
from core.governance.rules import BreakGlassRole
from core.governance.selectors import rules_current
from core.notifications.models import Notification
from tenants.models import Council
from tests.conftest import host_of
from tests.core.governance.rulebook import rules_in_force


def origin_of(council: Council) -> Origin:
    return Origin(ip_address="127.0.0.1", user_agent="test", path="/test/", base_url=f"http://{host_of(council)}")


def local(zone: str, days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """``hour``:``minute`` in ``zone``, ``days`` from today there."""
    day = timezone.localdate(timezone=ZoneInfo(zone)) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(zone))


def next_clock_change(zone: str, *, forward: bool | None = None) -> datetime.date:
    """The first day, from a week ahead, on whose noon the zone's offset differs from the day before's (only a
    change forward, or back, when ``forward`` says which)."""
    tz = ZoneInfo(zone)
    day = timezone.localdate(timezone=tz) + datetime.timedelta(days=7)
    for _ in range(370):
        before = datetime.datetime.combine(day - datetime.timedelta(days=1), datetime.time(12), tzinfo=tz)
        after = datetime.datetime.combine(day, datetime.time(12), tzinfo=tz)
        earlier, later = before.utcoffset(), after.utcoffset()
        if earlier != later and (forward is None or forward == (later > earlier)):  # type: ignore[operator]
            return day
        day += datetime.timedelta(days=1)
    raise AssertionError(f"{zone} has no such clock change within a year")


def emails_to(address: str) -> list[Notification]:
    """The outbox's emails to ``address`` in the current schema, oldest first."""
    return list(Notification.objects.filter(to=address).order_by("pk"))


def calendar_of(email: Notification) -> icalendar.Calendar:
    assert email.attachment_name == "invitation.ics"
    return icalendar.Calendar.from_ical(email.attachment_text)


def event_of(email: Notification) -> icalendar.Event:
    events = calendar_of(email).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def attendees_of(event: icalendar.Event) -> list[str]:
    found = event.get("attendee")
    found = found if isinstance(found, list) else [found] if found is not None else []
    return [str(address) for address in found]


def break_glass_opened(council: Council, practitioner: Practitioner, client_id: object) -> None:
    """The rules hold a MASH role, ``practitioner`` has it and has opened the client's team in an emergency."""
    with schema_context(council.schema_name):
        rules_in_force(rules_current().with_changes(break_glass_roles=(BreakGlassRole("mash", "MASH"),)))
        Practitioner.objects.filter(pk=practitioner.pk).update(break_glass_role="mash")
        BreakGlassAccess.objects.create(
            client_id=client_id,
            practitioner=practitioner,
            role="MASH",
            reason="Immediate risk of significant harm to a child",
            explanation="Police call at 2am",
            expires_at=timezone.now() + datetime.timedelta(hours=2),
        )
    practitioner.break_glass_role = "mash"
