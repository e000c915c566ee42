"""A meeting as an iCalendar invitation (RFC 5545, sent by email as iMIP: RFC 6047), one file per recipient.

Each file names its recipient as the only attendee: listing the others would tell every invitee who else is
coming, a confidential service's practitioner among them. The organiser is named only when the visibility
policy lets the recipient know who they are; otherwise the council's no-reply address stands in, as
"Patchwork". The file carries the time, the place or link and a link to the team page: no client data.

Replies are recorded in Patchwork. A calendar's emailed reply (an iMIP REPLY) is not read, so each attendee
is asked for none (``RSVP=FALSE``).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from core.teamwork.models import Meeting
from tenants.models import Domain

PRODUCT_ID = "-//Patchwork//Team meetings//EN"
SUMMARY = "Team meeting (Patchwork)"
NO_REPLY_NAME = "Patchwork"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class CouncilCalendar:
    """What every invitation of a council shares: its time zone and its host (in each meeting's UID)."""

    time_zone: str
    host: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def no_reply_address(self) -> str:
        """The council's no-reply address: the organiser of an invitation whose organiser the recipient may
        not know."""
        return f"no-reply@{self.host}"


def council_calendar() -> CouncilCalendar:
    """The time zone and primary host of the council whose schema is in use. One query."""
    schema = connection.schema_name
    row = (
        Domain.objects.filter(tenant__schema_name=schema, is_primary=True)
        .values_list("domain", "tenant__time_zone")
        .first()
    )
    host, zone = row if row is not None else (f"{schema}.invalid", "")
    return CouncilCalendar(time_zone=zone or "Europe/London", host=host.split(":")[0])


@dataclass(frozen=True)
class Person:
    """Someone named in an invitation: an email address and the name shown beside it."""

    email: str
    name: str


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = value
    return address


def meeting_invitation_ics(
    *,
    meeting: Meeting,
    method: str,
    recipient: Person,
    organiser: Person | None,
    link: str,
    council: CouncilCalendar,
    now: datetime.datetime | None = None,
) -> str:
    """The invitation (``method`` REQUEST) or the cancellation (CANCEL) of ``meeting`` for ``recipient`` alone.

    ``organiser`` is the organiser as the recipient may know them, or None for the council's no-reply address.
    ``link`` is the team page's address. Times are written in the council's time zone, with its VTIMEZONE."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Not an invitation method: {method}")
    zone = council.zone
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", f"{meeting.pk}@{council.host}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", SUMMARY)
    event.add("location", meeting.place or meeting.online_link)
    description = f"The team in Patchwork: {link}"
    if meeting.place and meeting.online_link:
        description += f"\nOr join online: {meeting.online_link}"
    description += "\nReply in Patchwork: replies sent from a calendar are not read."
    event.add("description", description)
    event.add("url", link)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    shown = organiser or Person(email=council.no_reply_address, name=NO_REPLY_NAME)
    event.add("organizer", _address(shown))
    event.add(
        "attendee",
        _address(recipient, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE", cutype="INDIVIDUAL"),
    )
    # The zone's rules around the meeting (a year either side), not every change since 1970.
    day = meeting.starts_at.astimezone(zone).date()
    calendar.add_component(
        Timezone.from_tzid(
            council.time_zone,
            first_date=day - datetime.timedelta(days=366),
            last_date=day + datetime.timedelta(days=366),
        )
    )
    calendar.add_component(event)
    return calendar.to_ical().decode()
