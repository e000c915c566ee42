"""The privacy officer reviews every emergency (break-glass) access: who, in which role, when, until when, why,
for which client and what they viewed; accepted, or challenged with a note; once. Nobody else reaches it."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from core.audit.models import AuditAction, AuditEvent, AuditOutcome
from core.audit.services.events import audit_record
from core.clients.break_glass import BreakGlassAlreadyReviewed, break_glass_review
from core.clients.models import BreakGlassAccess
from core.directory.models import Practitioner
from tenants.models import Council
from tests.core.clients.conftest import Team, practitioner, text_of
from tests.core.clients.test_break_glass import (
    MASH,
    ORIGIN,
    Emergency,
    emergency_set_up,
    events,
    open_access,
    rules_in_force,
    signed_in,
)
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side


@pytest.fixture
def emergency(council_a: Council, team: Team) -> Emergency:
    return emergency_set_up(council_a, team)


def review_page(access: BreakGlassAccess) -> str:
    return f"/break-glass/reviews/{access.pk}/"


def reloaded(council: Council, access: BreakGlassAccess) -> BreakGlassAccess:
    with schema_context(council.schema_name):
        return BreakGlassAccess.objects.get(pk=access.pk)


def viewed(council: Council, who: Practitioner, client_id: object, at: datetime.datetime | None = None) -> None:
    """A successful view of the client's team in the audit trail (now, or at a given moment)."""
    with schema_context(council.schema_name):
        if at is None:
            audit_record(
                action=AuditAction.CLIENT_VIEWED,
                outcome=AuditOutcome.SUCCESS,
                actor_id=who.user_id,
                object_type="client",
                object_id=client_id,
            )
        else:
            AuditEvent.objects.create(
                occurred_at=at,
                actor_id=who.user_id,
                council=council.schema_name,
                action=AuditAction.CLIENT_VIEWED,
                outcome=AuditOutcome.SUCCESS,
                object_type="client",
                object_id=str(client_id),
            )


def test_the_privacy_officer_sees_the_access_and_the_views_made_under_it(
    council_a: Council, emergency: Emergency
) -> None:
    client_id = emergency.team.client.pk
    viewed(council_a, emergency.opener, client_id, at=timezone.now() - datetime.timedelta(days=1))  # before: not it
    access = open_access(council_a, emergency.opener, client_id)
    viewed(council_a, emergency.opener, client_id)
    viewed(council_a, emergency.opener, client_id)
    viewed(council_a, emergency.team.member, client_id)  # someone else's view: not this access's
    paula = signed_in(council_a, emergency.officers[0])
    page = text_of(paula.get(review_page(access)))
    assert "Otto Outsider" in page
    assert "MASH duty team" in page
    assert "Immediate risk of significant harm to a child" in page
    assert "Police called: child found alone at night" in page
    assert "Jade Hughes" in page
    assert str(client_id) in page
    assert f'href="/privacy-officer/clients/{client_id}/">Who accessed this client' in page
    assert "(still running)" in page
    views = page.split("Views of the team</dt>")[1].split("</dd>")[0]
    assert views.count("<li>") == 2
    assert 'name="decision"' in page
    with schema_context(council_a.schema_name):  # reading it is recorded: it shows who the client is
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_REPORT_VIEWED, actor_id=emergency.officers[0].user_id, object_id=str(access.pk)
        ).exists()


def test_the_list_shows_those_waiting_for_review_first(council_a: Council, emergency: Emergency) -> None:
    reviewed = open_access(council_a, emergency.opener, emergency.team.client.pk)
    with schema_context(council_a.schema_name):
        break_glass_review(actor=emergency.officers[0], access=reviewed, decision="accepted", note="", origin=ORIGIN)
        BreakGlassAccess.objects.filter(pk=reviewed.pk).update(ended_at=timezone.now())
    waiting = open_access(council_a, emergency.opener, emergency.team.client.pk)  # newer, waiting
    paula = signed_in(council_a, emergency.officers[0])
    page = text_of(paula.get("/break-glass/reviews/"))
    assert page.index(review_page(waiting)) < page.index(review_page(reviewed))
    assert "Waiting for review" in page
    assert "Accepted" in page
    assert "Jade" not in page  # the list names no client


def test_the_list_costs_the_same_queries_for_one_access_or_many(council_a: Council, emergency: Emergency) -> None:
    paula = signed_in(council_a, emergency.officers[0])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert paula.get("/break-glass/reviews/").status_code == 200
        return len(captured)

    open_access(council_a, emergency.opener, emergency.team.client.pk)
    queries()  # warm: what a process reads once (the session's compiled query, cached rules) is not counted
    one = queries()
    with schema_context(council_a.schema_name):
        for index in range(8):
            other = practitioner(emergency.team.children, "Duty", f"Worker{index}", break_glass_role=MASH.key)
            opened = timezone.now() - datetime.timedelta(hours=index + 1)
            BreakGlassAccess.objects.create(
                client=emergency.team.client,
                practitioner=other,
                role=MASH.name,
                reason="Out-of-hours emergency placement",
                explanation="Placement at night",
                opened_at=opened,
                expires_at=opened + datetime.timedelta(minutes=30),
            )
    assert queries() == one


def test_accepting_records_the_review_once(council_a: Council, emergency: Emergency) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    paula = signed_in(council_a, emergency.officers[0])
    mail.outbox.clear()
    response = paula.post(review_page(access), {"decision": "accepted", "note": ""})
    assert response.status_code == 302
    assert response.url == "/break-glass/reviews/"
    done = reloaded(council_a, access)
    assert done.review == BreakGlassAccess.Review.ACCEPTED
    assert done.reviewed_by_id == emergency.officers[0].pk
    assert done.reviewed_at is not None
    (event,) = events(council_a, AuditAction.BREAK_GLASS_REVIEWED)
    assert event.actor_id == emergency.officers[0].user_id
    assert event.object_id == str(access.pk)
    assert mail.outbox == []  # an accepted access is not news to the practitioner
    # A second review, by the same or another officer, is refused and changes nothing.
    owen = signed_in(council_a, emergency.officers[1])
    response = owen.post(review_page(access), {"decision": "challenged", "note": "Not an emergency"})
    assert response.status_code == 409
    assert "This access has already been reviewed" in text_of(response)
    assert reloaded(council_a, access).review == BreakGlassAccess.Review.ACCEPTED
    assert reloaded(council_a, access).reviewed_by_id == emergency.officers[0].pk
    assert len(events(council_a, AuditAction.BREAK_GLASS_REVIEWED)) == 1
    assert 'name="decision"' not in text_of(owen.get(review_page(access)))


def test_the_service_refuses_a_second_review(council_a: Council, emergency: Emergency) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    with schema_context(council_a.schema_name):
        break_glass_review(actor=emergency.officers[0], access=access, decision="accepted", note="", origin=ORIGIN)
        with pytest.raises(BreakGlassAlreadyReviewed):
            break_glass_review(
                actor=emergency.officers[1], access=access, decision="challenged", note="Why?", origin=ORIGIN
            )
    assert reloaded(council_a, access).review == BreakGlassAccess.Review.ACCEPTED


def test_a_challenge_needs_a_note_and_the_practitioner_is_emailed_without_the_client_or_the_note(
    council_a: Council, emergency: Emergency, django_capture_on_commit_callbacks: Any
) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    paula = signed_in(council_a, emergency.officers[0])
    response = paula.post(review_page(access), {"decision": "challenged", "note": "   "})
    assert response.status_code == 200
    page = text_of(response)
    assert "Say why you challenge this access" in page
    assert 'value="challenged" checked' in page
    assert reloaded(council_a, access).review == BreakGlassAccess.Review.PENDING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = paula.post(
            review_page(access), {"decision": "challenged", "note": "The school had already placed Jade safely"}
        )
    assert response.status_code == 302
    done = reloaded(council_a, access)
    assert done.review == BreakGlassAccess.Review.CHALLENGED
    assert done.review_note == "The school had already placed Jade safely"
    (message,) = mail.outbox
    assert message.to == [emergency.opener.user.email]
    assert "challenged" in message.body
    assert emergency.officers[0].user.email in message.body
    for personal in ("Jade", "Hughes", "placed", "found alone"):
        assert personal not in message.body
        assert personal not in message.subject


def test_nobody_but_a_privacy_officer_reviews_and_each_refusal_is_recorded(
    council_a: Council, emergency: Emergency
) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    for who in (emergency.opener, emergency.team.member):
        browser = signed_in(council_a, who)
        assert browser.get("/break-glass/reviews/").status_code == 403
        assert browser.get(review_page(access)).status_code == 403
        assert browser.post(review_page(access), {"decision": "accepted"}).status_code == 403
    assert reloaded(council_a, access).review == BreakGlassAccess.Review.PENDING
    with schema_context(council_a.schema_name):
        denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, outcome=AuditOutcome.DENIED)
        assert denied.filter(actor_id=emergency.opener.user_id).count() == 3
        assert denied.filter(actor_id=emergency.team.member.user_id).count() == 3
        with pytest.raises(PermissionDenied):
            break_glass_review(actor=emergency.team.member, access=access, decision="accepted", note="", origin=ORIGIN)
    assert events(council_a, AuditAction.BREAK_GLASS_REVIEWED, AuditOutcome.DENIED)
    assert events(council_a, AuditAction.BREAK_GLASS_REVIEWED) == []


def test_a_privacy_officer_does_not_review_their_own_access(council_a: Council, emergency: Emergency) -> None:
    with schema_context(council_a.schema_name):
        Practitioner.objects.filter(pk=emergency.opener.pk).update(is_privacy_officer=True)
        opener = Practitioner.objects.select_related("user", "agency").get(pk=emergency.opener.pk)
    access = open_access(council_a, opener, emergency.team.client.pk)
    browser = signed_in(council_a, opener)
    assert "another privacy officer must review it" in text_of(browser.get(review_page(access)))
    assert browser.post(review_page(access), {"decision": "accepted"}).status_code == 403
    assert reloaded(council_a, access).review == BreakGlassAccess.Review.PENDING


def test_unknown_malformed_and_another_councils_ids_are_not_found(
    council_a: Council, council_b: Council, emergency: Emergency
) -> None:
    access = open_access(council_a, emergency.opener, emergency.team.client.pk)
    paula = signed_in(council_a, emergency.officers[0])
    assert paula.get("/break-glass/reviews/6a0e54c4-3f53-4e0e-9a53-5d1f1d1c0c11/").status_code == 404
    assert paula.get("/break-glass/reviews/not-a-uuid/").status_code == 404
    rules_in_force(council_b, break_glass_roles=(MASH,))
    with schema_context(council_b.schema_name):
        agency = AgencyFactory(name="Beta Family Services", email_domains=["beta-family.example"])
        bella = practitioner(agency, "Bella", "Beta", is_privacy_officer=True)
    beta = signed_in(council_b, bella)  # council B's privacy officer, at council B's site
    assert beta.get(review_page(access)).status_code == 404
    assert beta.post(review_page(access), {"decision": "challenged", "note": "Not yours"}).status_code == 404
    assert "Otto" not in text_of(beta.get("/break-glass/reviews/"))
    assert reloaded(council_a, access).review == BreakGlassAccess.Review.PENDING
    with schema_context(council_b.schema_name):
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, actor_id=bella.user_id, object_id=str(access.pk)
        ).exists()
