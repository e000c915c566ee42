"""Emergency (break-glass) access: a practitioner in a role the council's rules hold opens the team around a
client their last search found, with one of the council's reasons and an explanation, for the council's time
limit; the privacy officers are alerted and emailed at once (no client data), and a banner stays on every page
while the access runs.

Otto (the team fixture's outsider, Alpha Children's Services) is on the MASH duty team; Paula and Owen are
the council's privacy officers; Petra (the recovery service) has no break-glass role.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client as Browser
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.origin import Origin
from core.clients.break_glass import break_glass_current, break_glass_end, break_glass_open
from core.clients.models import BreakGlassAccess
from core.directory.models import Practitioner
from core.governance.models import Alert, AlertKind
from core.governance.rules import BreakGlassRole, Rules
from core.notifications.models import Notification
from tenants.models import Council
from tests.conftest import host_of, sign_in
from tests.core.clients.conftest import Team, practitioner, search, text_of
from tests.core.governance.rulebook import council_rules_in_force
from tests.core.notifications.helpers import outbox_table

pytestmark = pytest.mark.council_side

MASH = BreakGlassRole(key="mash", name="MASH duty team")
RISK = "Immediate risk of significant harm to a child"
ORIGIN = Origin(ip_address="192.0.2.10", user_agent="test", path="/", base_url="https://alpha.example")
BANNER = "You have emergency (break-glass) access to a client's team until"
LINK = "Open in an emergency (break-glass)"


@dataclass(frozen=True)
class Emergency:
    team: Team
    opener: Practitioner
    officers: list[Practitioner]


def rules_in_force(council: Council, **rules: Any) -> Rules:
    """Put a new version of the council's rulebook in force (the newest version is the one that applies)."""
    return council_rules_in_force(council, Rules(**rules))


def emergency_set_up(council_a: Council, team: Team) -> Emergency:
    """The council's rules hold a MASH duty team role, for 90 minutes; Otto has it; two privacy officers."""
    rules_in_force(council_a, break_glass_roles=(MASH,), break_glass_minutes=90)
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=team.outsider.pk).update(break_glass_role=MASH.key)
        opener = Practitioner.objects.select_related("user", "agency").get(pk=team.outsider.pk)
        officers = [
            practitioner(team.school, "Paula", "Privacy", is_privacy_officer=True),
            practitioner(team.children, "Owen", "Officer", is_privacy_officer=True),
        ]
    return Emergency(team=team, opener=opener, officers=officers)


@pytest.fixture
def emergency(council_a: Council, team: Team) -> Emergency:
    return emergency_set_up(council_a, team)


def open_access(council: Council, who: Practitioner, client_id: object, **overrides: Any) -> BreakGlassAccess:
    values = {"reason": RISK, "explanation": "Police called: child found alone at night", "found_in_last_search": True}
    with schema_context(council.schema_name):
        return break_glass_open(actor=who, client_id=client_id, origin=ORIGIN, **values | overrides)


def accesses(council: Council) -> list[BreakGlassAccess]:
    with schema_context(council.schema_name):
        return list(BreakGlassAccess.objects.all())


def events(council: Council, action: str, outcome: str = AuditOutcome.SUCCESS) -> list[AuditEvent]:
    with schema_context(council.schema_name):
        return list(AuditEvent.objects.filter(action=action, outcome=outcome))


def open_page(team: Team) -> str:
    return f"/clients/{team.client.pk}/break-glass/"


def signed_in(council: Council, who: Practitioner) -> Browser:
    browser = Browser(HTTP_HOST=host_of(council))
    sign_in(browser, who.user, council)
    return browser


# --- Who may open a team, and which ----------------------------------------------------------------------


def test_a_practitioner_without_a_role_in_the_rules_in_force_is_refused_and_the_refusal_recorded(
    council_a: Council, emergency: Emergency
) -> None:
    rules_in_force(council_a)  # the council has since taken the MASH role out of its rules
    with pytest.raises(PermissionDenied):
        open_access(council_a, emergency.opener, emergency.team.client.pk)
    with schema_context(council_a.schema_name):
        petra = Practitioner.objects.select_related("user").get(pk=emergency.team.recovery_colleague.pk)
    with pytest.raises(PermissionDenied):  # and someone never given a role
        open_access(council_a, petra, emergency.team.client.pk)
    assert accesses(council_a) == []
    denied = events(council_a, AuditAction.BREAK_GLASS_OPENED, AuditOutcome.DENIED)
    assert {event.actor_id for event in denied} == {emergency.opener.user_id, petra.user_id}
    assert all(event.object_id == str(emergency.team.client.pk) for event in denied)
    with schema_context(council_a.schema_name):
        assert not Alert.objects.exists()


def test_an_unverified_practitioner_is_refused(council_a: Council, emergency: Emergency) -> None:
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=emergency.opener.pk).update(verified_at=None)
        opener = Practitioner.objects.select_related("user").get(pk=emergency.opener.pk)
    with pytest.raises(PermissionDenied):
        open_access(council_a, opener, emergency.team.client.pk)
    assert accesses(council_a) == []


def test_a_client_the_last_search_did_not_find_is_not_found_whether_or_not_it_exists(
    council_a: Council, emergency: Emergency
) -> None:
    for client_id in (emergency.team.client.pk, "6a0e54c4-3f53-4e0e-9a53-5d1f1d1c0c11"):
        with pytest.raises(Http404):
            open_access(council_a, emergency.opener, client_id, found_in_last_search=False)
    with pytest.raises(Http404):  # found by a search, but no such client (any more)
        open_access(council_a, emergency.opener, "6a0e54c4-3f53-4e0e-9a53-5d1f1d1c0c11")
    assert accesses(council_a) == []
    assert len(events(council_a, AuditAction.BREAK_GLASS_OPENED, AuditOutcome.DENIED)) == 3


def test_the_reason_must_be_one_of_the_councils_and_the_explanation_is_required(
    council_a: Council, emergency: Emergency
) -> None:
    with pytest.raises(ValidationError) as refused:
        open_access(council_a, emergency.opener, emergency.team.client.pk, reason="I was curious")
    assert refused.value.message_dict == {"reason": ["Choose the reason from the council's list"]}
    with pytest.raises(ValidationError) as refused:
        open_access(council_a, emergency.opener, emergency.team.client.pk, explanation=" \n\t ")
    assert list(refused.value.message_dict) == ["explanation"]
    with pytest.raises(ValidationError) as refused:
        open_access(council_a, emergency.opener, emergency.team.client.pk, explanation="x" * 501)
    assert list(refused.value.message_dict) == ["explanation"]
    assert accesses(council_a) == []


def test_a_member_of_the_team_needs_no_emergency_access(council_a: Council, emergency: Emergency) -> None:
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=emergency.team.member.pk).update(break_glass_role=MASH.key)
        member = Practitioner.objects.select_related("user", "agency").get(pk=emergency.team.member.pk)
    with pytest.raises(ValidationError):
        open_access(council_a, member, emergency.team.client.pk)
    assert accesses(council_a) == []


# --- Opening ---------------------------------------------------------------------------------------------


def test_opening_records_the_access_for_the_councils_time_limit_audits_it_and_raises_one_alert(
    council_a: Council, emergency: Emergency
) -> None:
    access = open_access(
        council_a, emergency.opener, emergency.team.client.pk, explanation="Child\nfound\x00 alone\x1b at night  "
    )
    assert access.role == "MASH duty team"
    assert access.reason == RISK
    assert access.explanation == "Child found alone at night"  # one line, control characters removed
    assert access.expires_at - access.opened_at == datetime.timedelta(minutes=90)
    assert access.review == BreakGlassAccess.Review.PENDING
    (opened,) = events(council_a, AuditAction.BREAK_GLASS_OPENED)
    assert opened.actor_id == emergency.opener.user_id
    assert opened.object_id == str(emergency.team.client.pk)
    assert opened.reason == RISK
    assert opened.ip_address == "192.0.2.10"
    with schema_context(council_a.schema_name):
        (alert,) = Alert.objects.all()
    assert alert.kind == AlertKind.BREAK_GLASS
    assert alert.practitioner_id == emergency.opener.pk
    assert (alert.period_start, alert.period_end) == (access.opened_at, access.expires_at)
    assert alert.evidence == {
        "break_glass_id": str(access.pk),
        "client_id": str(emergency.team.client.pk),
        "reason": RISK,
    }
    assert "Jade" not in alert.summary
    assert "Hughes" not in alert.summary


def test_a_running_access_is_reused_not_opened_twice(council_a: Council, emergency: Emergency) -> None:
    first = open_access(council_a, emergency.opener, emergency.team.client.pk)
    again = open_access(council_a, emergency.opener, emergency.team.client.pk, explanation="Still needed")
    assert again.pk == first.pk
    assert len(accesses(council_a)) == 1
    assert len(events(council_a, AuditAction.BREAK_GLASS_OPENED)) == 1
    with schema_context(council_a.schema_name):
        assert Alert.objects.count() == 1


def test_every_privacy_officer_is_emailed_at_once_without_anything_about_the_client(
    council_a: Council, emergency: Emergency, django_capture_on_commit_callbacks: Any
) -> None:
    with schema_context(council_a.schema_name):
        retired = practitioner(emergency.team.school, "Rita", "Retired", is_privacy_officer=True)
        retired.user.is_active = False
        retired.user.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        officer.user.email for officer in emergency.officers
    )
    for message in mail.outbox:
        assert message.subject == "Emergency access to a client's team: review needed"
        assert message.body.startswith("Otto Outsider (MASH duty team, Alpha Children's Services) opened the team")
        assert f"https://alpha.example/break-glass/reviews/{access.pk}/" in message.body
        assert RISK in message.body
        for personal in ("Jade", "Hughes", "2014", "WS13", "9434765919", "found alone", str(emergency.team.client.pk)):
            assert personal not in message.body, personal
    for row in outbox_table(council_a.schema_name):
        for personal in ("Jade", "Hughes", "found alone"):
            assert personal not in row


def test_the_access_expires_and_an_ended_one_stays_ended(council_a: Council, emergency: Emergency) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    with schema_context(council_a.schema_name):
        assert [running.pk for running in break_glass_current(viewer=emergency.opener)] == [access.pk]
        past = timezone.now() - datetime.timedelta(hours=3)
        BreakGlassAccess.objects.filter(pk=access.pk).update(
            opened_at=past, expires_at=past + datetime.timedelta(minutes=90)
        )
        assert break_glass_current(viewer=emergency.opener) == []
        expired = BreakGlassAccess.objects.get(pk=access.pk)
        assert break_glass_end(actor=emergency.opener, access=expired, origin=ORIGIN).ended_at is None
    assert events(council_a, AuditAction.BREAK_GLASS_ENDED) == []
    reopened = open_access(council_a, emergency.opener, emergency.team.client.pk)  # a new emergency: a new access
    assert reopened.pk != access.pk
    with schema_context(council_a.schema_name):
        ended = break_glass_end(actor=emergency.opener, access=reopened, origin=ORIGIN)
        assert ended.ended_at is not None
        assert break_glass_current(viewer=emergency.opener) == []
    (event,) = events(council_a, AuditAction.BREAK_GLASS_ENDED)
    assert event.actor_id == emergency.opener.user_id


def test_only_the_practitioner_ends_their_own_access(council_a: Council, emergency: Emergency) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    with schema_context(council_a.schema_name), pytest.raises(PermissionDenied):
        break_glass_end(actor=emergency.officers[0], access=access, origin=ORIGIN)
    with schema_context(council_a.schema_name):
        assert BreakGlassAccess.objects.get(pk=access.pk).ended_at is None


# --- The pages -------------------------------------------------------------------------------------------


def test_search_hits_offer_emergency_access_only_to_a_role_held_in_the_rules_in_force(
    council_a: Council, emergency: Emergency
) -> None:
    otto = signed_in(council_a, emergency.opener)
    page = text_of(search(otto, surname="Hughes", dob="2/6/2014"))
    assert LINK in page
    assert f'href="{open_page(emergency.team)}"' in page
    petra = signed_in(council_a, emergency.team.recovery_colleague)  # no break-glass role
    assert LINK not in text_of(search(petra, surname="Hughes", dob="2/6/2014"))
    maya = signed_in(council_a, emergency.team.member)  # in the team: the team is one click away already
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=emergency.team.member.pk).update(break_glass_role=MASH.key)
    assert LINK not in text_of(search(maya, surname="Hughes", dob="2/6/2014"))
    rules_in_force(council_a)  # the role is taken out of the rules
    assert LINK not in text_of(search(otto, surname="Hughes", dob="2/6/2014"))


def test_the_page_warns_offers_the_councils_reasons_and_keeps_what_was_typed_on_an_error(
    council_a: Council, emergency: Emergency
) -> None:
    otto = signed_in(council_a, emergency.opener)
    search(otto, surname="Hughes", dob="2/6/2014")
    page = text_of(otto.get(open_page(emergency.team)))
    assert "Open the team around Jade Hughes" in page
    assert "Every page you view is recorded" in page
    assert "privacy officer is alerted at once" in page
    for reason in Rules().break_glass_reasons:
        assert f'value="{reason}"' in page
    assert "Maya" not in page  # the team stays closed until it is opened
    response = otto.post(open_page(emergency.team), {"reason": "", "explanation": "Child alone at night"})
    assert response.status_code == 200
    page = text_of(response)
    assert "<title>Error:" in page
    assert '<a href="#id_reason_0">Choose the reason</a>' in page  # the summary leads to the first radio
    assert 'id="id_reason_0"' in page
    assert "Choose the reason" in page
    assert "Child alone at night</textarea>" in page
    response = otto.post(open_page(emergency.team), {"reason": "I was curious", "explanation": "Curious"})
    assert "Choose the reason from the council&#x27;s list" in text_of(response)
    assert accesses(council_a) == []


def test_opening_from_the_page_leads_to_the_team_page(council_a: Council, emergency: Emergency) -> None:
    otto = signed_in(council_a, emergency.opener)
    search(otto, surname="Hughes", dob="2/6/2014")
    response = otto.post(open_page(emergency.team), {"reason": RISK, "explanation": "Child alone at night"})
    assert response.status_code == 302
    assert response.url == f"/clients/{emergency.team.client.pk}/"
    (access,) = accesses(council_a)
    assert access.practitioner_id == emergency.opener.pk
    (opened,) = events(council_a, AuditAction.BREAK_GLASS_OPENED)
    assert opened.path == open_page(emergency.team)
    assert otto.get(open_page(emergency.team)).status_code == 302  # running: straight to the team


def test_the_page_is_not_found_without_a_recent_search_hit_and_forbidden_without_a_role(
    council_a: Council, emergency: Emergency
) -> None:
    otto = signed_in(council_a, emergency.opener)
    assert otto.get(open_page(emergency.team)).status_code == 404  # nobody browses clients by id
    assert otto.post(open_page(emergency.team), {"reason": RISK, "explanation": "x"}).status_code == 404
    assert otto.get("/clients/not-a-uuid/break-glass/").status_code == 404
    petra = signed_in(council_a, emergency.team.recovery_colleague)
    search(petra, surname="Hughes", dob="2/6/2014")
    assert petra.get(open_page(emergency.team)).status_code == 403
    assert petra.post(open_page(emergency.team), {"reason": RISK, "explanation": "x"}).status_code == 403
    assert accesses(council_a) == []
    with schema_context(council_a.schema_name):
        denied = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED)
        assert denied.filter(actor_id=emergency.opener.user_id, object_id=str(emergency.team.client.pk)).exists()
        assert denied.filter(actor_id=emergency.team.recovery_colleague.user_id).exists()


def test_a_banner_on_every_page_while_the_access_runs_in_the_councils_time(
    council_a: Council, emergency: Emergency
) -> None:
    # 12:00 UTC on 1 July is 13:00 in England (BST): 90 minutes later is 14:30 on the council's clock.
    with time_machine.travel(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        otto = signed_in(council_a, emergency.opener)
        assert BANNER not in text_of(otto.get("/"))
        search(otto, surname="Hughes", dob="2/6/2014")
        otto.post(open_page(emergency.team), {"reason": RISK, "explanation": "Child alone at night"})
        (access,) = accesses(council_a)
        with schema_context(council_a.schema_name):  # the privacy officers' emails speak the council's time too
            emails = Notification.objects.filter(subject__startswith="Emergency access")
            assert emails.count() == len(emergency.officers)
            for email in emails:
                assert "at 13:00 on 1 July 2026, until 14:30 on 1 July 2026." in email.body
        for path in ("/", "/directory/", "/clients/search/", "/account/sessions/"):
            page = text_of(otto.get(path))
            assert f"{BANNER} 14:30. Everything you view is recorded and reviewed." in page, path
            assert f'href="/clients/{emergency.team.client.pk}/">See the team' in page
            assert f'action="/break-glass/{access.pk}/end/"' in page
            assert "Jade" not in page.split("Emergency access</h2>")[1].split("</form>")[0]
        maya = signed_in(council_a, emergency.team.member)  # nobody else sees it
        assert BANNER not in text_of(maya.get("/"))


def test_ending_the_access_from_the_banner_takes_the_banner_away(council_a: Council, emergency: Emergency) -> None:
    otto = signed_in(council_a, emergency.opener)
    search(otto, surname="Hughes", dob="2/6/2014")
    otto.post(open_page(emergency.team), {"reason": RISK, "explanation": "Child alone at night"})
    (access,) = accesses(council_a)
    assert otto.get(f"/break-glass/{access.pk}/end/").status_code == 405  # a POST only
    response = otto.post(f"/break-glass/{access.pk}/end/")
    assert response.status_code == 302
    page = text_of(otto.get(response.url))
    assert "Your emergency access has ended." in page
    assert BANNER not in page
    assert accesses(council_a)[0].ended_at is not None
    assert len(events(council_a, AuditAction.BREAK_GLASS_ENDED)) == 1


def test_the_banner_goes_when_the_access_expires(council_a: Council, emergency: Emergency) -> None:
    otto = signed_in(council_a, emergency.opener)
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    assert BANNER in text_of(otto.get("/directory/"))
    with schema_context(council_a.schema_name):
        past = timezone.now() - datetime.timedelta(hours=2)
        BreakGlassAccess.objects.filter(pk=access.pk).update(
            opened_at=past, expires_at=past + datetime.timedelta(hours=1)
        )
    assert BANNER not in text_of(otto.get("/directory/"))


def test_nobody_ends_someone_elses_access(council_a: Council, emergency: Emergency) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    petra = signed_in(council_a, emergency.team.recovery_colleague)
    assert petra.post(f"/break-glass/{access.pk}/end/").status_code == 404
    assert petra.post("/break-glass/not-a-uuid/end/").status_code == 404
    assert accesses(council_a)[0].ended_at is None
    with schema_context(council_a.schema_name):
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED,
            actor_id=emergency.team.recovery_colleague.user_id,
            object_id=str(access.pk),
        ).exists()


def test_another_councils_practitioner_cannot_end_or_open_council_a_accesses(
    council_a: Council, council_b: Council, emergency: Emergency
) -> None:
    from tests.factories import AgencyFactory

    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    rules_in_force(council_b, break_glass_roles=(MASH,))
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["beta-family.example"])
        beata = practitioner(agency, "Beata", "Beta", break_glass_role=MASH.key)
    browser = signed_in(council_b, beata)
    assert browser.post(f"/break-glass/{access.pk}/end/").status_code == 404
    assert browser.get(f"/clients/{emergency.team.client.pk}/break-glass/").status_code == 404
    assert browser.post(f"/clients/{emergency.team.client.pk}/break-glass/", {"reason": RISK}).status_code == 404
    assert accesses(council_a)[0].ended_at is None
    assert len(accesses(council_a)) == 1
    assert accesses(council_b) == []


def test_the_team_opens_while_the_access_runs_and_each_view_is_shown_to_the_privacy_officer(
    council_a: Council, emergency: Emergency
) -> None:
    team_page = f"/clients/{emergency.team.client.pk}/"
    otto = signed_in(council_a, emergency.opener)
    assert otto.get(team_page).status_code == 404  # closed before
    search(otto, surname="Hughes", dob="2/6/2014")
    otto.post(open_page(emergency.team), {"reason": RISK, "explanation": "Child alone at night"})
    page = text_of(otto.get(team_page))
    assert "Maya Member" in page
    assert BANNER in page
    (access,) = accesses(council_a)
    paula = signed_in(council_a, emergency.officers[0])
    views = text_of(paula.get(f"/break-glass/reviews/{access.pk}/")).split("Views of the team</dt>")[1]
    assert views.split("</dd>")[0].count("<li>") == 1
    otto.post(f"/break-glass/{access.pk}/end/")
    assert otto.get(team_page).status_code == 404  # closed again
