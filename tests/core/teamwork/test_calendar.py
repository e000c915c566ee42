"""The calendar file of a meeting, parsed back with ``icalendar``: the council's time zone across a change of the
clocks, one UID for a meeting's whole life, its SEQUENCE going up, a cancellation, and nothing about anyone else."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django_tenants.utils import schema_context

from core.teamwork.calendar import CANCEL, REQUEST, CouncilCalendar, Person, council_calendar, meeting_invitation_ics
from core.teamwork.meetings import MeetingValues, meeting_arrange, meeting_cancel, meeting_change
from core.teamwork.models import Meeting
from tenants.models import Council
from tests.conftest import host_of
from tests.core.clients.conftest import Team
from tests.core.teamwork.helpers import emails_to, event_of, local, next_clock_change, origin_of
from tests.factories import AgencyFactory, ClientFactory, InvolvementFactory, verified_practitioner

pytestmark = pytest.mark.council_side

LINK = "https://alpha.example/clients/0b3c/"


def _meeting(starts_at: datetime.datetime, *, sequence: int = 0) -> Meeting:
    return Meeting(
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        place="Room 2",
        online_link="https://meet.example/abc",
        sequence=sequence,
    )


@pytest.mark.parametrize("zone", ["Europe/London", "Australia/Melbourne"])
def test_times_are_written_in_the_councils_zone_on_both_sides_of_a_change_of_the_clocks(zone: str) -> None:
    tz = ZoneInfo(zone)
    change = next_clock_change(zone)
    council = CouncilCalendar(time_zone=zone, host="alpha.example")
    offsets = []
    for day in (change - datetime.timedelta(days=1), change + datetime.timedelta(days=1)):
        starts = datetime.datetime.combine(day, datetime.time(10), tzinfo=tz)
        text = meeting_invitation_ics(
            meeting=_meeting(starts),
            method=REQUEST,
            recipient=Person("nia@school.example", "Nia Nurse"),
            organiser=None,
            link=LINK,
            council=council,
        )
        assert f"DTSTART;TZID={zone}:{day:%Y%m%d}T100000" in text
        calendar = icalendar.Calendar.from_ical(text)
        (timezone_component,) = calendar.walk("VTIMEZONE")
        assert timezone_component["tzid"] == zone
        event = calendar.walk("VEVENT")[0]
        start = event.decoded("dtstart")
        assert start == starts
        assert (start.hour, start.minute) == (10, 0)
        offsets.append(start.utcoffset())
        # what a calendar elsewhere makes of it: the same instant
        assert start.astimezone(datetime.UTC) == starts.astimezone(datetime.UTC)
    assert offsets[0] != offsets[1]  # the clocks changed in between, and 10:00 is still 10:00 there


def test_the_vtimezone_tells_a_calendar_the_zones_rules_around_the_meeting() -> None:
    zone = "Europe/London"
    change = next_clock_change(zone)
    starts = datetime.datetime.combine(change + datetime.timedelta(days=1), datetime.time(10), tzinfo=ZoneInfo(zone))
    text = meeting_invitation_ics(
        meeting=_meeting(starts),
        method=REQUEST,
        recipient=Person("nia@school.example", "Nia Nurse"),
        organiser=None,
        link=LINK,
        council=CouncilCalendar(time_zone=zone, host="alpha.example"),
    )
    (timezone_component,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    assert {sub.name for sub in timezone_component.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert timezone_component.to_tz().utcoffset(starts.replace(tzinfo=None)) == starts.utcoffset()


def test_the_file_carries_the_method_one_event_and_the_link_to_the_team() -> None:
    starts = datetime.datetime(2027, 1, 12, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    for method in (REQUEST, CANCEL):
        calendar = icalendar.Calendar.from_ical(
            meeting_invitation_ics(
                meeting=_meeting(starts, sequence=3),
                method=method,
                recipient=Person("nia@school.example", "Nia Nurse"),
                organiser=Person("maya@children.example", "Maya Member"),
                link=LINK,
                council=CouncilCalendar(time_zone="Europe/London", host="alpha.example"),
                now=datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC),
            )
        )
        assert calendar["method"] == method
        (event,) = calendar.walk("VEVENT")
        assert event["summary"] == "Team meeting (Patchwork)"
        assert event["sequence"] == 3
        assert event["url"] == LINK
        assert LINK in event["description"]
        assert "https://meet.example/abc" in event["description"]
        assert event["location"] == "Room 2"
        assert event["status"] == ("CANCELLED" if method == CANCEL else "CONFIRMED")
        assert event.decoded("dtstamp") == datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)
        assert str(event["attendee"]) == "mailto:nia@school.example"
        assert event["attendee"].params["RSVP"] == "FALSE"  # replies are made in Patchwork
        assert str(event["organizer"]) == "mailto:maya@children.example"
    with pytest.raises(ValueError, match="Not an invitation method"):
        meeting_invitation_ics(
            meeting=_meeting(starts),
            method="PUBLISH",
            recipient=Person("a@b.example", "A"),
            organiser=None,
            link=LINK,
            council=CouncilCalendar(time_zone="Europe/London", host="alpha.example"),
        )


def test_the_councils_calendar_is_its_zone_and_primary_host(council_a: Council, council_b: Council) -> None:
    with schema_context(council_a.schema_name):
        alpha = council_calendar()
    with schema_context(council_b.schema_name):
        beta = council_calendar()
    assert alpha == CouncilCalendar(time_zone="Europe/London", host=host_of(council_a).split(":")[0])
    assert beta.time_zone == "Australia/Melbourne"
    assert beta.no_reply_address == f"no-reply@{host_of(council_b).split(':')[0]}"


def test_a_meetings_files_keep_one_uid_while_the_sequence_goes_up_and_name_no_client(
    council_a: Council, team: Team
) -> None:
    starts = local("Europe/London", 3, 10)

    def values(hour: int) -> MeetingValues:
        moment = starts.replace(hour=hour)
        return MeetingValues(
            starts_at=moment,
            ends_at=moment + datetime.timedelta(hours=1),
            place="Room 2",
            online_link="",
            invitee_ids=[str(team.nurse.pk)],
        )

    origin = origin_of(council_a)
    with schema_context(council_a.schema_name):
        meeting = meeting_arrange(organiser=team.member, client_id=team.client.pk, values=values(10), origin=origin)
        meeting_change(
            organiser=team.member, client_id=team.client.pk, meeting_id=meeting.pk, values=values(11), origin=origin
        )
        meeting_change(
            organiser=team.member, client_id=team.client.pk, meeting_id=meeting.pk, values=values(12), origin=origin
        )
        meeting_cancel(organiser=team.member, client_id=team.client.pk, meeting_id=meeting.pk, origin=origin)
        emails = emails_to(team.nurse.user.email)
    events = [event_of(email) for email in emails]
    assert {str(event["uid"]) for event in events} == {f"{meeting.pk}@{host_of(council_a).split(':')[0]}"}
    assert [event["sequence"] for event in events] == [0, 1, 2, 3]
    assert [email.attachment_type.split("method=")[1] for email in emails] == ["REQUEST"] * 3 + ["CANCEL"]
    for email in emails:
        for secret in ("Jade", "Hughes", "WS13", "9434765919", "2 June 2014", "20140602"):
            assert secret not in email.attachment_text
        assert team.member.user.email in email.attachment_text  # the nurse sees Maya in full: named as organiser
        assert "rory" not in email.attachment_text.lower()


def test_a_victorian_councils_invitation_is_in_melbourne_time_across_the_end_of_daylight_saving(
    council_b: Council,
) -> None:
    zone = "Australia/Melbourne"
    change = next_clock_change(zone)
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Yarra Family Services", email_domains=["yarra.example"])
        organiser = verified_practitioner(agency, "Ola", "Organiser")
        invitee = verified_practitioner(agency, "Ivy", "Invitee")
        client = ClientFactory(postcode="3121")
        InvolvementFactory(client=client, practitioner=organiser)
        InvolvementFactory(client=client, practitioner=invitee)
        for day in (change - datetime.timedelta(days=1), change + datetime.timedelta(days=1)):
            starts = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=ZoneInfo(zone))
            meeting_arrange(
                organiser=organiser,
                client_id=client.pk,
                values=MeetingValues(
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(minutes=45),
                    place="Collingwood Town Hall, room 3",
                    online_link="",
                    invitee_ids=[str(invitee.pk)],
                ),
                origin=origin_of(council_b),
            )
        emails = emails_to(invitee.user.email)
    starts_seen = []
    for email in emails:
        event = event_of(email)
        assert event["dtstart"].params["TZID"] == zone
        start = event.decoded("dtstart")
        assert (start.hour, start.minute) == (9, 30)
        starts_seen.append(start.utcoffset())
    assert starts_seen[0] != starts_seen[1]
