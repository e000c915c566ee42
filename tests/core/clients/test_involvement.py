"""Join a team, keep it current, leave it, invite a colleague (journeys 5 and 6)."""

import datetime

import pytest
from django.core import mail
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.clients.models import Involvement, TeamActivity, TeamInvitation
from core.directory.models import ApprovalState
from tenants.models import Council
from tests.core.clients.conftest import Team, practitioner, search, text_of
from tests.core.notifications.helpers import outbox_table
from tests.factories import AgencyFactory, InvolvementFactory

pytestmark = pytest.mark.council_side


def _join_path(team: Team) -> str:
    return f"/clients/{team.client.pk}/join/"


def _current(council: Council, team: Team, who: object) -> Involvement | None:
    with schema_context(council.schema_name):
        return Involvement.objects.filter(client=team.client, practitioner=who, ended_on__isnull=True).first()


# --- Join ------------------------------------------------------------------------------------------


def test_the_join_page_is_reachable_only_from_a_recent_search_hit(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    assert browser.get(_join_path(team)).status_code == 404  # no browsing by id
    search(browser, surname="Hughes", dob="2/6/2014")
    page = text_of(browser.get(_join_path(team)))
    assert "Join the team around Jade Hughes" in page
    assert "3 agencies involved" in page
    assert "Maya" not in page
    assert "Nia" not in page


def test_joining_needs_a_reason(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    response = browser.post(_join_path(team), {"role": "Family support worker", "reason": "  "})
    assert response.status_code == 200
    assert "Say why you are joining this team" in text_of(response)
    assert _current(council_a, team, team.outsider) is None


def test_joining_tells_the_team_without_naming_the_client(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(_join_path(team), {"role": "Family support worker", "reason": "Referral from school"})
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/"
    involvement = _current(council_a, team, team.outsider)
    assert involvement is not None
    assert involvement.join_reason == "Referral from school"
    told = sorted(address for message in mail.outbox for address in message.to)
    assert told == sorted([team.member.user.email, team.nurse.user.email, team.recovery_worker.user.email])
    for message in mail.outbox:
        assert "Jade" not in message.body
        assert "Hughes" not in message.body
        assert "Jade" not in message.subject
        assert "Hughes" not in message.subject
    page = text_of(browser.get(response.url))
    assert "Otto Outsider" in page
    assert "Maya Member" in page


def test_the_team_is_told_in_a_full_sentence_who_joined_with_a_link_to_the_team(
    team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        browser.post(_join_path(team), {"role": "Family support worker", "reason": "Referral from school"})
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.body.startswith(
            "Otto Outsider (Alpha Children's Services) joined the team around one of your clients.\n"
        )
        assert f"/clients/{team.client.pk}/" in message.body
        assert "Referral from school" not in message.body


def test_a_sensitive_services_practitioner_is_named_only_to_their_own_agency(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    with schema_context(council_a.schema_name):
        InvolvementFactory(client=team.client, practitioner=team.recovery_colleague, role="Peer mentor")
    browser: Browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(f"/clients/{team.client.pk}/my-involvement/end/")
    assert response.status_code == 302
    bodies = {address: message.body for message in mail.outbox for address in message.to}
    assert set(bodies) == {team.member.user.email, team.nurse.user.email, team.recovery_colleague.user.email}
    for outsider in (team.member, team.nurse):
        assert bodies[outsider.user.email].startswith(
            "A confidential service left the team around one of your clients.\n"
        )
        assert "Rory" not in bodies[outsider.user.email]
        assert "Recovery" not in bodies[outsider.user.email]
    assert bodies[team.recovery_colleague.user.email].startswith(
        "Rory Recovery (Alpha Recovery Service) left the team around one of your clients.\n"
    )
    for body in bodies.values():
        assert f"/clients/{team.client.pk}/" in body
        assert "Jade" not in body
        assert "Hughes" not in body


def test_a_member_following_a_join_link_goes_to_the_team(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    search(browser, surname="Hughes", dob="2/6/2014")
    response = browser.get(_join_path(team))
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/"


def test_an_invitation_opens_the_join_page_without_a_search(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        TeamInvitation.objects.create(client=team.client, invited_by=team.member, invitee=team.outsider)
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    assert browser.get(_join_path(team)).status_code == 200
    response = browser.post(_join_path(team), {"role": "Family support worker", "reason": "Invited by Maya"})
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert TeamInvitation.objects.get(client=team.client).answered_at is not None


def test_an_unverified_practitioner_cannot_join(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        TeamInvitation.objects.create(client=team.client, invited_by=team.member, invitee=team.outsider)
        team.outsider.verified_at = None
        team.outsider.save(update_fields=["verified_at"])
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    response = browser.post(_join_path(team), {"role": "Family support worker", "reason": "Invited"})
    assert response.status_code == 403
    assert _current(council_a, team, team.outsider) is None


# --- Keep it current -------------------------------------------------------------------------------


def test_becoming_lead_makes_the_previous_lead_step_down(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    today = timezone.localdate()
    response = browser.post(
        f"/clients/{team.client.pk}/my-involvement/",
        {
            "role": "School nurse",
            "is_lead": "on",
            "last_contact_on_day": str(today.day),
            "last_contact_on_month": str(today.month),
            "last_contact_on_year": str(today.year),
            "next_contact_on_day": "",
            "next_contact_on_month": "",
            "next_contact_on_year": "",
        },
    )
    assert response.status_code == 302
    assert response.url == f"/clients/{team.client.pk}/"
    nurse = _current(council_a, team, team.nurse)
    member = _current(council_a, team, team.member)
    assert nurse is not None
    assert nurse.is_lead
    assert nurse.last_contact_on == today
    assert member is not None
    assert not member.is_lead
    with schema_context(council_a.schema_name):
        assert TeamActivity.objects.filter(
            client=team.client, kind=TeamActivity.Kind.LEAD_CHANGED, actor=team.nurse
        ).exists()


def test_a_new_lead_professional_is_announced_in_a_full_sentence(
    team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        browser.post(f"/clients/{team.client.pk}/my-involvement/", {"role": "School nurse", "is_lead": "on"})
    bodies = {address: message.body for message in mail.outbox for address in message.to}
    assert bodies[team.member.user.email].startswith(
        "Nia Nurse (Alpha Primary School) became the lead professional in the team around one of your clients.\n"
    )


def test_a_next_contact_in_the_past_is_refused(council_a: Council, team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    response = browser.post(
        f"/clients/{team.client.pk}/my-involvement/",
        {
            "role": "School nurse",
            "next_contact_on_day": "1",
            "next_contact_on_month": "1",
            "next_contact_on_year": "2020",
        },
    )
    assert response.status_code == 200
    assert "The next contact must be today or later." in text_of(response)


def test_leaving_hides_the_team_and_shows_you_as_previously_involved(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.nurse)  # type: ignore[operator]
    confirm = browser.get(f"/clients/{team.client.pk}/my-involvement/end/")
    assert "Are you sure you want to leave this team?" in text_of(confirm)
    response = browser.post(f"/clients/{team.client.pk}/my-involvement/end/")
    assert response.status_code == 302
    assert response.url == "/"
    assert "You have left the team" in text_of(browser.get("/"))
    assert browser.get(f"/clients/{team.client.pk}/").status_code == 404
    browser.post("/sign-out/")

    page = text_of(browser_as(team.member).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    previous = page.split("Previously involved", 1)[1]
    assert "Nia Nurse" in previous
    assert timezone.localdate().strftime("%-d %B %Y") in previous


def test_only_members_reach_the_involvement_pages(team: Team, browser_as: object) -> None:
    browser: Browser = browser_as(team.outsider)  # type: ignore[operator]
    for suffix in ("my-involvement/", "my-involvement/end/", "invite/"):
        assert browser.get(f"/clients/{team.client.pk}/{suffix}").status_code == 404
        assert browser.post(f"/clients/{team.client.pk}/{suffix}").status_code == 404


# --- Invite ----------------------------------------------------------------------------------------


def test_inviting_a_registered_colleague_emails_them(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(f"/clients/{team.client.pk}/invite/", {"colleague": str(team.outsider.pk), "email": ""})
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        invitation = TeamInvitation.objects.get(client=team.client)
    assert invitation.invitee_id == team.outsider.pk
    (message,) = mail.outbox
    assert message.to == [team.outsider.user.email]
    assert f"/clients/{team.client.pk}/join/" in message.body
    assert "Jade" not in message.body

    browser.post("/sign-out/")
    invited: Browser = browser_as(team.outsider)  # type: ignore[operator]
    home = text_of(invited.get("/"))
    assert "Invitations to join a team" in home
    assert "Maya Member" in home
    assert f'href="/clients/{team.client.pk}/join/"' in home


def test_inviting_by_work_email_reaches_someone_not_yet_registered(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = browser.post(
            f"/clients/{team.client.pk}/invite/", {"colleague": "", "email": "New.Person@school.example"}
        )
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        invitation = TeamInvitation.objects.get(client=team.client)
    assert invitation.invitee is None
    assert invitation.invitee_email == "new.person@school.example"
    (message,) = mail.outbox
    assert message.to == ["new.person@school.example"]
    assert "Jade" not in message.body
    assert message.body.startswith(
        "Maya Member (Social worker, Alpha Children's Services) has invited you to join the team around one of "
        "their clients in Patchwork."
    )


OUTSIDE_COUNCIL = "Enter the work email of someone at one of Alpha District Council&#x27;s agencies"


def _invite_by_email(browser: Browser, team: Team, email: str, capture: object) -> object:
    with capture(execute=True):  # type: ignore[operator]
        return browser.post(f"/clients/{team.client.pk}/invite/", {"colleague": "", "email": email})


def _nothing_invited_or_sent(council: Council) -> None:
    with schema_context(council.schema_name):
        assert not TeamInvitation.objects.exists()
        assert not TeamActivity.objects.filter(kind=TeamActivity.Kind.INVITED).exists()
    assert outbox_table(council.schema_name) == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email", ["someone@gmail.com", "someone@school.example.attacker.example", "someone@children.alpha.example.com"]
)
def test_inviting_an_address_outside_the_councils_agencies_is_refused_and_nothing_is_sent(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object, email: str
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = _invite_by_email(browser, team, email, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    page = text_of(response)
    assert OUTSIDE_COUNCIL in page
    assert 'href="#id_email"' in page  # the error summary links to the email field
    _nothing_invited_or_sent(council_a)


@pytest.mark.parametrize("state", [ApprovalState.PENDING, ApprovalState.SUSPENDED])
def test_inviting_someone_at_an_agency_the_council_has_not_approved_is_refused(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object, state: str
) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(name="Alpha Tutors Ltd", email_domains=["tutors.example"], approval_state=state)
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = _invite_by_email(browser, team, "tutor@tutors.example", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert OUTSIDE_COUNCIL in text_of(response)
    _nothing_invited_or_sent(council_a)


def test_a_confidential_services_invitation_does_not_name_it_to_another_agency(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    assert (
        _invite_by_email(browser, team, "new.person@school.example", django_capture_on_commit_callbacks).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        browser.post(f"/clients/{team.client.pk}/invite/", {"colleague": str(team.outsider.pk), "email": ""})
    assert [message.to for message in mail.outbox] == [["new.person@school.example"], [team.outsider.user.email]]
    for message in mail.outbox:
        assert message.body.startswith("A practitioner at a confidential service has invited you to join the team")
        for secret in ("Alpha Recovery Service", "Recovery", "Rory", "recovery.example"):
            assert secret not in message.body, secret


def test_a_confidential_services_invitation_to_its_own_colleague_names_it(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    browser: Browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    assert (
        _invite_by_email(browser, team, "new.peer@recovery.example", django_capture_on_commit_callbacks).status_code
        == 302
    )
    (message,) = mail.outbox
    assert message.body.startswith("Rory Recovery (Recovery worker, Alpha Recovery Service) has invited you")


def test_the_colleague_list_hides_sensitive_agencies_from_others(team: Team, browser_as: object) -> None:
    browser = browser_as(team.member)  # type: ignore[operator]
    page = text_of(browser.get(f"/clients/{team.client.pk}/invite/", {"q": "Alpha"}))
    assert "Otto Outsider — Social worker, Alpha Children&#x27;s Services" in page
    assert "Petra" not in page
    assert "Nia Nurse" not in page  # already in the team


def test_a_sensitive_agency_can_invite_its_own_colleagues(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        practitioner(
            AgencyFactory(name="Unverified Agency", email_domains=["u.example"]), "Una", "Unverified", verified_at=None
        )
    browser = browser_as(team.recovery_worker)  # type: ignore[operator]
    page = text_of(browser.get(f"/clients/{team.client.pk}/invite/", {"q": "e"}))
    assert "Petra Peer" in page
    assert "Una Unverified" not in page


def test_choosing_a_colleague_and_an_email_together_is_refused(
    council_a: Council, team: Team, browser_as: object
) -> None:
    browser: Browser = browser_as(team.member)  # type: ignore[operator]
    response = browser.post(
        f"/clients/{team.client.pk}/invite/", {"colleague": str(team.outsider.pk), "email": "x@school.example"}
    )
    assert response.status_code == 200
    assert "not both" in text_of(response)
    with schema_context(council_a.schema_name):
        assert not TeamInvitation.objects.exists()


def test_the_update_form_shows_the_current_values(council_a: Council, team: Team, browser_as: object) -> None:
    with schema_context(council_a.schema_name):
        Involvement.objects.filter(pk=team.member_involvement.pk).update(next_contact_on=datetime.date(2030, 5, 4))
    page = text_of(browser_as(team.member).get(f"/clients/{team.client.pk}/my-involvement/"))  # type: ignore[operator]
    assert 'value="Social worker"' in page
    assert 'name="next_contact_on_year" type="text" inputmode="numeric" autocomplete="off" value="2030"' in page
    assert 'name="is_lead" type="checkbox" checked' in page


def test_an_invitation_by_work_email_waits_for_the_new_account_and_joining_answers_it(
    council_a: Council, team: Team, browser_as: object, django_capture_on_commit_callbacks: object
) -> None:
    inviter: Browser = browser_as(team.member)  # type: ignore[operator]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        inviter.post(f"/clients/{team.client.pk}/invite/", {"colleague": "", "email": "New.Person@school.example"})
    inviter.post("/sign-out/")
    with schema_context(council_a.schema_name):
        newcomer = practitioner(team.school, "New", "Person", job_title="Teaching assistant")

    browser: Browser = browser_as(newcomer)  # type: ignore[operator]
    assert f'href="/clients/{team.client.pk}/join/"' in text_of(browser.get("/"))
    response = browser.post(_join_path(team), {"role": "Teaching assistant", "reason": "Invited by Maya"})
    assert response.status_code == 302
    with schema_context(council_a.schema_name):
        assert TeamInvitation.objects.get(client=team.client).answered_at is not None

    assert browser.post(f"/clients/{team.client.pk}/my-involvement/end/").status_code == 302
    assert _current(council_a, team, newcomer) is None
    assert "Invitations to join a team" not in text_of(browser.get("/"))
