"""Team meetings: arranged, changed and cancelled by their organiser, answered by their invitees; each invitee gets a
calendar file of their own.

Email delivery is not exercised: the emails and their calendar files are read from the outbox, where they are
written in the organiser's transaction.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent
from core.inbox.models import Notice, NoticeKind
from core.notifications.models import Notification
from core.teamwork.meetings import (
    MeetingNotFound,
    MeetingValues,
    meeting_arrange,
    meeting_cancel,
    meeting_change,
    meeting_reply,
)
from core.teamwork.membership import NotInTeam
from core.teamwork.models import Meeting, MeetingInvitation, MeetingReply
from tenants.models import Council
from tests.core.clients.conftest import Team, text_of
from tests.core.teamwork.helpers import (
    attendees_of,
    break_glass_opened,
    calendar_of,
    emails_to,
    event_of,
    local,
    next_clock_change,
    origin_of,
)
from tests.factories import ClientFactory, InvolvementFactory

pytestmark = pytest.mark.council_side

ZONE = "Europe/London"


def _values(*invitees: object, days: int = 3, hour: int = 10, **changes: object) -> MeetingValues:
    starts = local(ZONE, days, hour)
    values = {
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=1),
        "place": "Room 2, Civic Centre",
        "online_link": "",
        "invitee_ids": [str(getattr(person, "pk", person)) for person in invitees],
    } | changes
    return MeetingValues(**values)  # type: ignore[arg-type]


def _arranged(council: Council, team: Team, *invitees: object, organiser: object = None) -> Meeting:
    with schema_context(council.schema_name):
        return meeting_arrange(
            organiser=organiser or team.member,  # type: ignore[arg-type]
            client_id=team.client.pk,
            values=_values(*(invitees or (team.nurse,))),
            origin=origin_of(council),
        )


def _nothing_arranged() -> bool:
    return not Meeting.objects.exists() and not Notice.objects.exists() and not Notification.objects.exists()


def test_arranging_a_meeting_invites_each_invitee_with_their_own_calendar_file(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        assert [invitation.practitioner for invitation in meeting.invitations.all()] == [team.nurse]
        notice = Notice.objects.get()
        assert notice.recipient_id == team.nurse.user_id
        assert notice.kind == NoticeKind.MEETING
        assert notice.text == (
            "Maya Member (Alpha Children's Services) invited you to a meeting of the team around one of your clients."
        )
        assert notice.link == f"/clients/{team.client.pk}/meetings/{meeting.pk}/"
        (email,) = emails_to(team.nurse.user.email)
        assert email.subject == "Invitation: team meeting"
        assert email.attachment_type == "text/calendar; method=REQUEST"
        event = event_of(email)
        assert attendees_of(event) == [f"mailto:{team.nurse.user.email}"]
        assert str(event["organizer"]) == f"mailto:{team.member.user.email}"
        assert event["organizer"].params["CN"] == "Maya Member"
        assert event.decoded("dtstart") == meeting.starts_at
        audit = AuditEvent.objects.get(action=AuditAction.MEETING_ARRANGED)
        assert audit.actor_id == team.member.user_id
        assert audit.object_id == str(team.client.pk)
        for secret in ("Jade", "Hughes", "WS13", "2014"):
            assert secret not in email.body + email.subject + email.attachment_text + notice.text


def test_an_organiser_hidden_from_an_invitee_is_the_councils_no_reply_address(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team, team.member, team.nurse, organiser=team.recovery_worker)
    with schema_context(council_a.schema_name):
        for person in (team.member, team.nurse):
            (email,) = emails_to(person.user.email)
            event = event_of(email)
            assert str(event["organizer"]) == f"mailto:no-reply@{council_a.domains.get().domain.split(':')[0]}"
            assert event["organizer"].params["CN"] == "Patchwork"
            assert attendees_of(event) == [f"mailto:{person.user.email}"]
            assert "Rory" not in email.attachment_text + email.body
            assert "recovery" not in email.attachment_text.lower()
        texts = set(Notice.objects.values_list("text", flat=True))
        assert texts == {"A confidential service invited you to a meeting of the team around one of your clients."}
        assert meeting.organiser == team.recovery_worker


def test_nobody_learns_who_else_is_invited_from_their_calendar_file(council_a: Council, team: Team) -> None:
    _arranged(council_a, team, team.member, team.nurse, organiser=team.recovery_worker)
    with schema_context(council_a.schema_name):
        for email in Notification.objects.all():
            others = {team.member.user.email, team.nurse.user.email} - {email.to}
            assert not any(other in email.attachment_text for other in others)


def test_changing_a_meeting_updates_the_kept_cancels_the_removed_and_invites_the_added(
    council_a: Council, team: Team
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(client=team.client, practitioner=team.outsider, role="Family support")
    meeting = _arranged(council_a, team, team.nurse, team.outsider)
    with schema_context(council_a.schema_name):
        MeetingInvitation.objects.filter(practitioner=team.nurse).update(reply=MeetingReply.ACCEPTED)
        Notification.objects.all().delete()
        changed = meeting_change(
            organiser=team.member,
            client_id=team.client.pk,
            meeting_id=meeting.pk,
            values=_values(team.nurse, days=4, hour=14),
            origin=origin_of(council_a),
        )
        assert changed.sequence == 1
        (update,) = emails_to(team.nurse.user.email)
        (cancel,) = emails_to(team.outsider.user.email)
        assert update.attachment_type == "text/calendar; method=REQUEST"
        assert event_of(update)["sequence"] == 1
        assert str(event_of(update)["uid"]) == f"{meeting.pk}@{council_a.domains.get().domain.split(':')[0]}"
        assert event_of(update).decoded("dtstart") == local(ZONE, 4, 14)
        assert cancel.attachment_type == "text/calendar; method=CANCEL"
        assert str(event_of(cancel)["uid"]) == str(event_of(update)["uid"])
        removed = MeetingInvitation.objects.get(practitioner=team.outsider)
        assert removed.removed_at is not None
        # a new time: the nurse is asked again
        assert MeetingInvitation.objects.get(practitioner=team.nurse).reply == MeetingReply.NONE
        assert AuditEvent.objects.filter(action=AuditAction.MEETING_CHANGED).count() == 1
        Notification.objects.all().delete()
        meeting_change(
            organiser=team.member,
            client_id=team.client.pk,
            meeting_id=meeting.pk,
            values=_values(team.nurse, team.outsider, days=4, hour=14),
            origin=origin_of(council_a),
        )
        (back,) = emails_to(team.outsider.user.email)
        assert back.subject == "Invitation: team meeting"
        assert event_of(back)["sequence"] == 2
        assert MeetingInvitation.objects.get(practitioner=team.outsider).removed_at is None


def test_cancelling_a_meeting_sends_every_invitee_a_cancellation(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        Notification.objects.all().delete()
        meeting_cancel(
            organiser=team.member, client_id=team.client.pk, meeting_id=meeting.pk, origin=origin_of(council_a)
        )
        meeting.refresh_from_db()
        assert meeting.cancelled_at is not None
        assert meeting.sequence == 1
        (email,) = emails_to(team.nurse.user.email)
        assert calendar_of(email)["method"] == "CANCEL"
        event = event_of(email)
        assert event["status"] == "CANCELLED"
        assert event["sequence"] == 1
        assert AuditEvent.objects.filter(action=AuditAction.MEETING_CANCELLED).exists()
        with pytest.raises(ValidationError):  # once cancelled, nothing more
            meeting_cancel(
                organiser=team.member, client_id=team.client.pk, meeting_id=meeting.pk, origin=origin_of(council_a)
            )


def test_an_invitee_replies_and_the_organiser_is_told(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        invitation = meeting_reply(
            invitee=team.nurse,
            client_id=team.client.pk,
            meeting_id=meeting.pk,
            reply=MeetingReply.TENTATIVE,
            origin=origin_of(council_a),
        )
        assert invitation.reply == MeetingReply.TENTATIVE
        assert invitation.replied_at is not None
        told = Notice.objects.get(recipient=team.member.user)
        assert told.text == ("Nia Nurse (Alpha Primary School) replied to your team meeting invitation: Maybe.")
        assert AuditEvent.objects.filter(action=AuditAction.MEETING_REPLIED, actor_id=team.nurse.user_id).exists()


@pytest.mark.parametrize("reply", ["", "yes", "needs_action"])
def test_a_reply_that_is_not_an_answer_is_refused(council_a: Council, team: Team, reply: str) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError):
            meeting_reply(
                invitee=team.nurse,
                client_id=team.client.pk,
                meeting_id=meeting.pk,
                reply=reply,
                origin=origin_of(council_a),
            )
        assert MeetingInvitation.objects.get().reply == MeetingReply.NONE


def test_only_invitees_reply(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        for who in (team.recovery_worker, team.member):  # in the team, not invited; the organiser
            with pytest.raises(MeetingNotFound):
                meeting_reply(
                    invitee=who,
                    client_id=team.client.pk,
                    meeting_id=meeting.pk,
                    reply=MeetingReply.ACCEPTED,
                    origin=origin_of(council_a),
                )
        with pytest.raises(NotInTeam):
            meeting_reply(
                invitee=team.outsider,
                client_id=team.client.pk,
                meeting_id=meeting.pk,
                reply=MeetingReply.ACCEPTED,
                origin=origin_of(council_a),
            )
        assert not MeetingInvitation.objects.exclude(reply=MeetingReply.NONE).exists()


def _unchanged(meeting: Meeting) -> bool:
    fresh = Meeting.objects.get(pk=meeting.pk)
    return fresh.sequence == 0 and fresh.cancelled_at is None and fresh.starts_at == meeting.starts_at


def test_an_invitee_cannot_change_or_cancel_the_meeting(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        Notification.objects.all().delete()
        with pytest.raises(PermissionDenied):
            meeting_change(
                organiser=team.nurse,
                client_id=team.client.pk,
                meeting_id=meeting.pk,
                values=_values(team.member, days=5),
                origin=origin_of(council_a),
            )
        with pytest.raises(PermissionDenied):
            meeting_cancel(
                organiser=team.nurse, client_id=team.client.pk, meeting_id=meeting.pk, origin=origin_of(council_a)
            )
        assert _unchanged(meeting)
        assert not Notification.objects.exists()


def test_a_member_not_invited_is_told_the_meeting_does_not_exist(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        with pytest.raises(MeetingNotFound):
            meeting_cancel(
                organiser=team.recovery_worker,
                client_id=team.client.pk,
                meeting_id=meeting.pk,
                origin=origin_of(council_a),
            )
        assert _unchanged(meeting)


def test_a_meeting_of_another_client_is_not_found_through_this_one(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        other = ClientFactory()
        InvolvementFactory(client=other, practitioner=team.member)
        with pytest.raises(MeetingNotFound):
            meeting_cancel(
                organiser=team.member, client_id=other.pk, meeting_id=meeting.pk, origin=origin_of(council_a)
            )
        assert _unchanged(meeting)


@pytest.mark.parametrize("who", ["outsider", "recovery_colleague", "break_glass"])
def test_nobody_outside_the_team_arranges_a_meeting(council_a: Council, team: Team, who: str) -> None:
    if who == "break_glass":
        break_glass_opened(council_a, team.outsider, team.client.pk)
    person = team.outsider if who == "break_glass" else getattr(team, who)
    with schema_context(council_a.schema_name):
        with pytest.raises(NotInTeam):
            meeting_arrange(
                organiser=person, client_id=team.client.pk, values=_values(team.member), origin=origin_of(council_a)
            )
        assert _nothing_arranged()


def test_another_councils_client_is_not_found(council_a: Council, council_b: Council, team: Team) -> None:
    with schema_context(council_b.schema_name):
        theirs = ClientFactory()
        InvolvementFactory(client=theirs)
    with schema_context(council_a.schema_name):
        with pytest.raises(NotInTeam):
            meeting_arrange(
                organiser=team.member, client_id=theirs.pk, values=_values(team.nurse), origin=origin_of(council_a)
            )
        assert _nothing_arranged()


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"starts_at": local(ZONE, -1, 10), "ends_at": local(ZONE, -1, 11)}, "start_time", "must start in the future"),
        ({"ends_at": local(ZONE, 3, 9)}, "end_time", "must be after the start time"),
        ({"ends_at": local(ZONE, 3, 10)}, "end_time", "must be after the start time"),
        ({"ends_at": local(ZONE, 3, 23)}, "end_time", "at most 12 hours"),
        ({"starts_at": local(ZONE, 400, 10), "ends_at": local(ZONE, 400, 11)}, "date", "within the next year"),
        ({"place": "", "online_link": ""}, "place", "Enter a place or a video link"),
        ({"place": "x" * 301}, "place", "300 characters or fewer"),
        ({"online_link": "http://meet.example/abc"}, "online_link", "starts with https://"),
        ({"online_link": "javascript:alert(1)"}, "online_link", "starts with https://"),
        ({"invitee_ids": []}, "invitees", "Choose who to invite"),
    ],
)
def test_a_meeting_that_cannot_be_is_refused_and_nothing_is_written(
    council_a: Council, team: Team, changes: dict, field: str, problem: str
) -> None:
    values = _values(team.nurse, **changes)
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            meeting_arrange(organiser=team.member, client_id=team.client.pk, values=values, origin=origin_of(council_a))
        assert problem in refused.value.message_dict[field][0]
        assert _nothing_arranged()


@pytest.mark.parametrize("who", ["outsider", "recovery_worker", "member"])
def test_invitees_are_members_the_organiser_may_choose(council_a: Council, team: Team, who: str) -> None:
    with schema_context(council_a.schema_name):
        with pytest.raises(ValidationError) as refused:
            meeting_arrange(
                organiser=team.member,
                client_id=team.client.pk,
                values=_values(team.nurse, getattr(team, who)),
                origin=origin_of(council_a),
            )
        assert refused.value.message_dict == {"invitees": ["Choose only people who are in the team now."]}
        assert _nothing_arranged()


def test_a_meeting_that_took_place_is_not_changed(council_a: Council, team: Team) -> None:
    meeting = _arranged(council_a, team)
    with schema_context(council_a.schema_name):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=local(ZONE, -2, 10), ends_at=local(ZONE, -2, 11))
        with pytest.raises(ValidationError):
            meeting_cancel(
                organiser=team.member, client_id=team.client.pk, meeting_id=meeting.pk, origin=origin_of(council_a)
            )
        with pytest.raises(ValidationError):
            meeting_reply(
                invitee=team.nurse,
                client_id=team.client.pk,
                meeting_id=meeting.pk,
                reply=MeetingReply.ACCEPTED,
                origin=origin_of(council_a),
            )
        assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None


# --- Pages --------------------------------------------------------------------------------------------------------


def _form(date: datetime.date, start: str = "10:00", end: str = "11:00", **extra: object) -> dict[str, object]:
    return {
        "date_day": str(date.day),
        "date_month": str(date.month),
        "date_year": str(date.year),
        "start_time": start,
        "end_time": end,
        "place": "Room 2, Civic Centre",
        "online_link": "",
    } | extra


def test_the_form_says_the_time_zone_and_warns_against_the_clients_address(team: Team, browser_as: object) -> None:
    response = browser_as(team.member).get(f"/clients/{team.client.pk}/meetings/new/")  # type: ignore[operator]
    page = text_of(response)
    assert response.status_code == 200
    assert "Times are in the council’s time zone, Europe/London" in page
    assert "Never give the client’s address as the place" in page
    assert "Nia Nurse (Alpha Primary School, School nurse)" in page
    assert "Rory" not in page


def test_a_meeting_arranged_from_the_page_is_shown_to_its_invitee_who_replies(
    council_a: Council, team: Team, browser_as: object
) -> None:
    day = local(ZONE, 5, 10).date()
    browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(
        f"/clients/{team.client.pk}/meetings/new/", _form(day, "2pm", "15:30", invitees=[str(team.nurse.pk)])
    )
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        meeting = Meeting.objects.get()
    assert meeting.starts_at == local(ZONE, 5, 14)
    assert meeting.ends_at == local(ZONE, 5, 15, 30)
    assert response.url == f"/clients/{team.client.pk}/meetings/{meeting.pk}/"
    own = text_of(browser.get(response.url))
    assert "14:00 to 15:30" in own
    assert "Europe/London time" in own
    assert "Nia Nurse (Alpha Primary School)" in own
    assert "Change the meeting" in own
    browser.post("/sign-out/")
    nurse = browser_as(team.nurse)  # type: ignore[operator]
    team_page = text_of(nurse.get(f"/clients/{team.client.pk}/"))
    assert "Your upcoming meetings about this client" in team_page
    assert "Your reply: Not replied" in team_page
    page = text_of(nurse.get(f"/clients/{team.client.pk}/meetings/{meeting.pk}/"))
    assert "Are you coming?" in page
    assert "replies sent from your calendar are not read" in page
    assert "Change the meeting" not in page
    replied = nurse.post(f"/clients/{team.client.pk}/meetings/{meeting.pk}/reply/", {"reply": "accepted"})
    assert replied.status_code == 302
    assert "Your reply is recorded: Coming" in text_of(nurse.get(replied.url))
    assert nurse.get(f"/clients/{team.client.pk}/meetings/{meeting.pk}/change/").status_code == 403
    assert nurse.post(f"/clients/{team.client.pk}/meetings/{meeting.pk}/cancel/").status_code == 403
    with schema_context(council_a.schema_name):
        assert Meeting.objects.get().cancelled_at is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"date_day": "31", "date_month": "2"}, "Date must be a real date"),
        ({"date_day": ""}, "Date must include a day"),
        ({"start_time": "25:00"}, "Enter the start time as hours and minutes"),
        ({"start_time": ""}, "Enter the start time"),
        ({"end_time": "soon"}, "Enter the end time as hours and minutes"),
        ({"start_time": "11:00", "end_time": "10:00"}, "The end time must be after the start time"),
        ({"place": ""}, "Enter a place or a video link"),
        ({"invitees": ["00000000-0000-0000-0000-000000000000"]}, "Select a valid choice"),
    ],
)
def test_a_refused_meeting_shows_the_problem_and_keeps_what_was_typed(
    council_a: Council, team: Team, browser_as: object, data: dict, problem: str
) -> None:
    day = local(ZONE, 5, 10).date()
    form = _form(day, invitees=[str(team.nurse.pk)]) | data
    response = browser_as(team.member).post(f"/clients/{team.client.pk}/meetings/new/", form)  # type: ignore[operator]
    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert problem in page
    assert f'value="{form["start_time"]}"' in page if form["start_time"] else True
    with schema_context(council_a.schema_name):
        assert _nothing_arranged()


def test_a_meeting_in_the_past_is_refused_on_the_page(council_a: Council, team: Team, browser_as: object) -> None:
    day = local(ZONE, -1, 10).date()
    response = browser_as(team.member).post(  # type: ignore[operator]
        f"/clients/{team.client.pk}/meetings/new/", _form(day, invitees=[str(team.nurse.pk)])
    )
    assert "The meeting must start in the future" in text_of(response)
    with schema_context(council_a.schema_name):
        assert _nothing_arranged()


@pytest.mark.parametrize("who", ["outsider", "recovery_colleague", "recovery_worker"])
def test_the_meeting_pages_are_not_found_for_anyone_not_in_it(
    council_a: Council, team: Team, browser_as: object, who: str
) -> None:
    meeting = _arranged(council_a, team)
    browser = browser_as(getattr(team, who))  # type: ignore[operator]
    base = f"/clients/{team.client.pk}/meetings/{meeting.pk}/"
    for method, path in (
        ("get", base),
        ("get", base + "change/"),
        ("post", base + "cancel/"),
        ("post", base + "reply/"),
    ):
        response = getattr(browser, method)(path, {"reply": "accepted"} if method == "post" else None)
        assert response.status_code == 404, (method, path)
    with schema_context(council_a.schema_name):
        assert Meeting.objects.get().sequence == 0
        assert MeetingInvitation.objects.get().reply == MeetingReply.NONE
    if who != "recovery_worker":
        assert browser.get(f"/clients/{team.client.pk}/meetings/new/").status_code == 404


def test_the_organiser_cancels_from_the_page(council_a: Council, team: Team, browser_as: object) -> None:
    meeting = _arranged(council_a, team)
    browser = browser_as(team.member)  # type: ignore[operator]
    confirm = text_of(browser.get(f"/clients/{team.client.pk}/meetings/{meeting.pk}/cancel/"))
    assert "Are you sure you want to cancel the meeting" in confirm
    response = browser.post(f"/clients/{team.client.pk}/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert Meeting.objects.get().cancelled_at is not None
    page = text_of(browser.get(f"/clients/{team.client.pk}/meetings/{meeting.pk}/"))
    assert "This meeting was cancelled" in page
    assert "Change the meeting" not in page


def test_the_organiser_changes_from_the_page(council_a: Council, team: Team, browser_as: object) -> None:
    meeting = _arranged(council_a, team)
    browser = browser_as(team.member)  # type: ignore[operator]
    form = text_of(browser.get(f"/clients/{team.client.pk}/meetings/{meeting.pk}/change/"))
    assert 'value="10:00"' in form
    assert "checked" in form
    day = local(ZONE, 6, 9).date()
    response = browser.post(
        f"/clients/{team.client.pk}/meetings/{meeting.pk}/change/",
        _form(day, "09:00", "09:45", online_link="https://meet.example/team", invitees=[str(team.nurse.pk)]),
    )
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        changed = Meeting.objects.get()
    assert changed.sequence == 1
    assert changed.starts_at == local(ZONE, 6, 9)
    assert changed.online_link == "https://meet.example/team"


def test_a_victorian_councils_meeting_is_in_melbourne_time(council_b: Council, client_b: object) -> None:
    from tests.conftest import sign_in
    from tests.factories import AgencyFactory, verified_practitioner

    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Yarra Family Services", email_domains=["yarra.example"])
        organiser = verified_practitioner(agency, "Ola", "Organiser")
        invitee = verified_practitioner(agency, "Ivy", "Invitee")
        client = ClientFactory(postcode="3121")
        InvolvementFactory(client=client, practitioner=organiser)
        InvolvementFactory(client=client, practitioner=invitee)
    sign_in(client_b, organiser.user, council_b)  # type: ignore[arg-type]
    form = text_of(client_b.get(f"/clients/{client.pk}/meetings/new/"))  # type: ignore[attr-defined]
    assert "Australia/Melbourne" in form
    day = local("Australia/Melbourne", 5, 10).date()
    response = client_b.post(  # type: ignore[attr-defined]
        f"/clients/{client.pk}/meetings/new/", _form(day, invitees=[str(invitee.pk)])
    )
    assert response.status_code == 302
    with schema_context(council_b.schema_name):
        meeting = Meeting.objects.get()
        (email,) = emails_to(invitee.user.email)
        event = event_of(email)
    assert meeting.starts_at == local("Australia/Melbourne", 5, 10)
    assert event["dtstart"].params["TZID"] == "Australia/Melbourne"


def test_a_time_the_clocks_skip_is_refused_on_the_page(council_a: Council, team: Team, browser_as: object) -> None:
    day = next_clock_change(ZONE, forward=True)  # in London the clocks go from 01:00 to 02:00 that night
    response = browser_as(team.member).post(  # type: ignore[operator]
        f"/clients/{team.client.pk}/meetings/new/", _form(day, "01:30", "02:30", invitees=[str(team.nurse.pk)])
    )
    assert "that time does not exist on that day" in text_of(response)
    with schema_context(council_a.schema_name):
        assert _nothing_arranged()


def test_the_meeting_page_costs_the_same_queries_for_5_and_50_invitees(
    council_a: Council, team: Team, browser_as: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PractitionerFactory

    with schema_context(council_a.schema_name):
        people = [PractitionerFactory(agency=team.school) for _ in range(49)]
        for person in people:
            InvolvementFactory(client=team.client, practitioner=person)
    counts = []
    browser = browser_as(team.member)  # type: ignore[operator]
    for invited in (people[:4], people):
        with schema_context(council_a.schema_name):
            meeting = meeting_arrange(
                organiser=team.member,
                client_id=team.client.pk,
                values=_values(team.nurse, *invited),
                origin=origin_of(council_a),
            )
        path = f"/clients/{team.client.pk}/meetings/{meeting.pk}/"
        browser.get(path)  # warm: session, caches
        with CaptureQueriesContext(connection) as queries:
            page = text_of(browser.get(path))
        assert page.count('<tr class="govuk-table__row"><td') == len(invited) + 1
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_arranging_a_meeting_costs_the_same_queries_for_5_and_50_invitees(council_a: Council, team: Team) -> None:
    """Each invitee's notice and email (with their own calendar file) are written in one insert each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.notifications.models import Notification
    from tests.factories import PractitionerFactory

    with schema_context(council_a.schema_name):
        people = [PractitionerFactory(agency=team.school) for _ in range(49)]
        for person in people:
            InvolvementFactory(client=team.client, practitioner=person)
        counts = []
        for invited in (people[:4], people):
            before = Notification.objects.count()
            with CaptureQueriesContext(connection) as queries:
                meeting_arrange(
                    organiser=team.member,
                    client_id=team.client.pk,
                    values=_values(team.nurse, *invited),
                    origin=origin_of(council_a),
                )
            counts.append(len(queries.captured_queries))
            emails = list(Notification.objects.order_by("id")[before:])
            assert len(emails) == len(invited) + 1  # the nurse too
            assert all(email.attachment_name == "invitation.ics" for email in emails)
            assert len({email.attachment_text for email in emails}) == len(emails)  # a file of one's own each
    assert counts[0] == counts[1], counts
