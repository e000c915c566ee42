"""Asking a team member with no contact recorded for a while whether they are still involved.

The council's rulebook says after how many days (``Rules.still_involved``, the jurisdiction's default until the
administrator sets it): counted from the involvement's last contact, or from its start when none was recorded, or
from the member's last answer "still involved", whichever is latest. Every night (core/teamwork/jobs.py) each
current involvement past that point with no open check gets one (``InvolvementCheck``), and the practitioner is
told: a notice, and an email as they prefer carrying both answers to each question as signed links; their home
page shows each open check with the same two answers.

Each answer is a signed link (``still_involved_token``: the check and the answer, this module's own salt with the
council's schema in it, lasting ``LINK_DAYS``). Opening it needs the normal sign-in with the second factor, as the
very practitioner asked; a GET only shows a button confirming the answer (mail scanners follow links), the POST
records it, once (the check is locked while it is answered). "No longer involved" ends the involvement through the
clients app's ``involvement_end``, so the team is told as when anyone leaves; "still involved" starts the count
again. A member who records a contact meanwhile has answered in effect: the next run withdraws the question (and the
home page stops showing it at once).

With no answer after the rule's ``reminder_days``, the practitioner is reminded once; with none again as long after
the reminder, the team's lead professional is told. When there is none to tell — the practitioner is the lead
themself, the team has no lead, or the lead does not see the practitioner in full through the visibility policy (a
confidential service's practitioner, shown to them as a placeholder or not at all) — the managers of the
practitioner's own agency are told instead (they see their own agency's staff in full, and look after their
caseloads); an agency with no active manager means nobody else is told, and the check stays open on the
practitioner's home page. Notices never carry the client's details.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import reverse
from django.utils import timezone

from core.accounts.models import User
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.clients.models import Involvement
from core.clients.selectors import consent_covers
from core.clients.services import involvement_end
from core.directory.models import Practitioner
from core.governance.rules import Rules, StillInvolvedAsking
from core.governance.selectors import council_jurisdiction, rules_current, still_involved_in_force
from core.governance.visibility import NO_CONSENT, Detail, Policy
from core.inbox.models import NoticeKind
from core.inbox.services.notices import PersonalNotice, notices_send, notices_send_each
from core.teamwork.models import InvolvementCheck, StillInvolvedAnswer

SALT = "teamwork.still-involved"
LINK_DAYS = 28  # an emailed answer works this long: the check's whole course (asked, reminded, the lead told) and more
HOME_LINK = "/#still-involved"


class LinkRefused(Exception):
    """A link that does not work: expired, altered, or not a "still involved?" link of this council."""


class CheckNotFound(ObjectDoesNotExist):
    """No such check asked of this practitioner: the page says "not found"."""


def _salt() -> str:
    # The council's schema is in the salt: a link made in one council does not even verify in another.
    return f"{SALT}:{connection.schema_name}"


def still_involved_token(*, check_id: object, answer: str) -> str:
    """The signed link's token for one answer to one check."""
    return signing.dumps({"c": str(check_id), "a": str(answer)}, salt=_salt())


def still_involved_token_read(token: str) -> tuple[uuid.UUID, StillInvolvedAnswer]:
    """The check and the answer a token carries. ``LinkRefused`` when it has expired or does not verify."""
    try:
        data = signing.loads(token, salt=_salt(), max_age=datetime.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired as error:
        raise LinkRefused("This link has expired. Answer on your home page in Patchwork instead.") from error
    except signing.BadSignature as error:
        raise LinkRefused("This link does not work. Answer on your home page in Patchwork instead.") from error
    try:
        return uuid.UUID(str(data["c"])), StillInvolvedAnswer(data["a"])
    except (KeyError, TypeError, ValueError) as error:
        raise LinkRefused("This link does not work. Answer on your home page in Patchwork instead.") from error


def since_expression() -> Greatest:
    """An involvement's last sign of life: its last contact (or its start when none was recorded), or the
    member's last answer "still involved", whichever is later (PostgreSQL's GREATEST passes over a NULL)."""
    last_still = (
        InvolvementCheck.objects.filter(involvement=OuterRef("pk"), answer=StillInvolvedAnswer.STILL_INVOLVED)
        .order_by("-answered_at")
        .values("answered_at")[:1]
    )
    return Greatest(
        Coalesce(F("last_contact_on"), F("started_on")),
        TruncDate(Subquery(last_still, output_field=DateTimeField())),
    )


# The practitioner's own checks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckShown:
    """An open check, as the practitioner asked sees it on their home page, with its two answers' tokens."""

    id: uuid.UUID
    client_id: uuid.UUID
    client_name: str
    asked_at: datetime.datetime
    still_involved_token: str
    no_longer_involved_token: str


def involvement_checks_open_for(*, viewer: Practitioner) -> list[CheckShown]:
    """The viewer's unanswered checks on their current involvements, oldest first. One query."""
    checks = (
        InvolvementCheck.objects.filter(
            involvement__practitioner=viewer, involvement__ended_on__isnull=True, answered_at__isnull=True
        )
        .exclude(_moot())
        .select_related("involvement__client")
        .order_by("asked_at")
    )
    return [
        CheckShown(
            id=check.pk,
            client_id=check.involvement.client_id,
            client_name=f"{check.involvement.client.first_name} {check.involvement.client.surname}",
            asked_at=check.asked_at,
            still_involved_token=still_involved_token(check_id=check.pk, answer=StillInvolvedAnswer.STILL_INVOLVED),
            no_longer_involved_token=still_involved_token(
                check_id=check.pk, answer=StillInvolvedAnswer.NO_LONGER_INVOLVED
            ),
        )
        for check in checks
    ]


def involvement_check_asked_of(*, viewer: Practitioner, check_id: object) -> InvolvementCheck | None:
    """The check, with its involvement and client, if it was asked of the viewer; None for anyone else's."""
    return (
        InvolvementCheck.objects.select_related("involvement__client")
        .filter(pk=check_id, involvement__practitioner=viewer)
        .first()
    )


@transaction.atomic
def involvement_check_answer(*, actor: Practitioner, check_id: object, answer: str, origin: Origin) -> InvolvementCheck:
    """Record the practitioner's answer, once. "No longer involved" ends the involvement (the team is told).

    ``CheckNotFound`` for a check not asked of ``actor``; ValidationError when it was answered already, the
    involvement has ended meanwhile, or the answer is not one of the two."""
    check = (
        InvolvementCheck.objects.select_for_update(of=("self",))
        .select_related("involvement__client")
        .filter(pk=check_id, involvement__practitioner=actor)
        .first()
    )
    if check is None:
        raise CheckNotFound
    if answer not in StillInvolvedAnswer.values:
        raise ValidationError("Choose still involved, or no longer involved.")
    if check.answered_at is not None:
        raise ValidationError(f"You have already answered: {check.get_answer_display().lower()}.")
    involvement = check.involvement
    if involvement.ended_on is not None:
        raise ValidationError("You have already left this team: there is nothing to answer.")
    check.answered_at = timezone.now()
    check.answer = answer
    check.save(update_fields=["answered_at", "answer"])
    audit_record(
        action=AuditAction.STILL_INVOLVED_ANSWERED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="involvement_check",
        object_id=check.pk,
        reason=answer,
        related_ids=[involvement.client_id, involvement.pk],
    )
    if answer == StillInvolvedAnswer.NO_LONGER_INVOLVED:
        involvement_end(viewer=actor, involvement=involvement, origin=origin)
    return check


# The nightly run ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecksRun:
    asked: int
    reminded: int
    escalated: int  # checks whose lead professional (or agency managers) were told
    withdrawn: int = 0  # unanswered checks made moot: a contact was recorded since they were asked


def _moot() -> Q:
    """An unanswered check whose involvement has had a contact recorded on or after the day it was asked: the
    practitioner has shown they are still involved, so the question is withdrawn."""
    return Q(involvement__last_contact_on__gte=TruncDate("asked_at"))


def _ask(rule: StillInvolvedAsking, *, now: datetime.datetime, today: datetime.date, origin: Origin) -> int:
    """Open a check on each current involvement past the rule with none open, and tell each practitioner once."""
    open_check = InvolvementCheck.objects.filter(involvement=OuterRef("pk"), answered_at__isnull=True)
    due = list(
        Involvement.objects.filter(ended_on__isnull=True, practitioner__user__is_active=True)
        .annotate(since=since_expression())
        .filter(~Exists(open_check), since__lte=today - datetime.timedelta(days=rule.after_days))
        .select_related("practitioner__user")
    )
    if not due:
        return 0
    checks = InvolvementCheck.objects.bulk_create(InvolvementCheck(involvement_id=inv.pk, asked_at=now) for inv in due)
    _tell_asked(
        [(inv.practitioner.user, check) for inv, check in zip(due, checks, strict=True)],
        text=(
            f"No contact with one or more of your clients has been recorded in Patchwork for {rule.after_days} days. "
            "Are you still involved? Answer with one click, on your home page or with the links in the email."
        ),
        subject="Are you still involved with one of your clients?",
        origin=origin,
    )
    return len(due)


def _answer_links(checks: list[InvolvementCheck], origin: Origin) -> str:
    """The email's own lines: both answers to each check as signed links (who the client is shows once signed in)."""
    lines = ["Answer each question with one click (you will see which client it is about once you have signed in):"]
    for number, check in enumerate(checks, start=1):
        for answer, label in (
            (StillInvolvedAnswer.STILL_INVOLVED, "Still involved"),
            (StillInvolvedAnswer.NO_LONGER_INVOLVED, "No longer involved"),
        ):
            token = still_involved_token(check_id=check.pk, answer=answer)
            url = origin.absolute_url(reverse("still-involved-answer", kwargs={"token": token}))
            lines.append(f"{number}. {label}: {url}")
    return "\n".join(lines)


def _tell_asked(asked: list[tuple[User, InvolvementCheck]], *, text: str, subject: str, origin: Origin) -> None:
    """One notice a practitioner, however many questions; their email carries each question's two signed links.
    One insert of notices and one of emails, however many practitioners."""
    by_user: dict[object, tuple[User, list[InvolvementCheck]]] = {}
    for user, check in asked:
        by_user.setdefault(user.pk, (user, []))[1].append(check)
    notices_send_each(
        notices=[
            PersonalNotice(recipient=user, text=text, link=HOME_LINK, email_more=_answer_links(checks, origin))
            for user, checks in by_user.values()
        ],
        kind=NoticeKind.STILL_INVOLVED,
        subject=subject,
        origin=origin,
        email_holds_secret=True,
    )


def _remind(rule: StillInvolvedAsking, *, now: datetime.datetime, origin: Origin) -> int:
    """Remind, once, each practitioner who has not answered a check ``reminder_days`` after it was asked."""
    checks = list(
        InvolvementCheck.objects.select_for_update(of=("self",))
        .filter(
            answered_at__isnull=True,
            reminded_at__isnull=True,
            asked_at__lte=now - datetime.timedelta(days=rule.reminder_days),
            involvement__ended_on__isnull=True,
        )
        .select_related("involvement__practitioner__user")
    )
    if not checks:
        return 0
    InvolvementCheck.objects.filter(pk__in=[check.pk for check in checks]).update(reminded_at=now)
    _tell_asked(
        [(check.involvement.practitioner.user, check) for check in checks],
        text=(
            "A reminder: are you still involved with one or more of your clients? No contact has been recorded "
            "for a while. Answer with one click, on your home page or with the links in the email, or the lead "
            "professional will be told."
        ),
        subject="A reminder: are you still involved with one of your clients?",
        origin=origin,
    )
    return len(checks)


def _escalate(rule: StillInvolvedAsking, *, rules: Rules, now: datetime.datetime, origin: Origin) -> int:
    """Tell the lead professional (or the practitioner's agency managers: see the module's docstring) about each
    check still unanswered ``reminder_days`` after the reminder."""
    checks = list(
        InvolvementCheck.objects.select_for_update(of=("self",))
        .filter(
            answered_at__isnull=True,
            lead_told_at__isnull=True,
            reminded_at__lte=now - datetime.timedelta(days=rule.reminder_days),
            involvement__ended_on__isnull=True,
        )
        .select_related("involvement__practitioner__user", "involvement__practitioner__agency")
    )
    if not checks:
        return 0
    InvolvementCheck.objects.filter(pk__in=[check.pk for check in checks]).update(lead_told_at=now)
    client_ids = list({check.involvement.client_id for check in checks})
    leads = {
        lead.client_id: lead.practitioner
        for lead in Involvement.objects.filter(
            client_id__in=client_ids, ended_on__isnull=True, is_lead=True
        ).select_related("practitioner__user", "practitioner__agency")
    }
    managers: dict[object, list[Practitioner]] = {}
    for manager in Practitioner.objects.filter(
        agency_id__in={check.involvement.practitioner.agency_id for check in checks},
        is_agency_manager=True,
        user__is_active=True,
    ).select_related("user"):
        managers.setdefault(manager.agency_id, []).append(manager)
    covers = consent_covers(client_ids) if rules.sensitive_services else {}
    for check in checks:
        member = check.involvement.practitioner
        client_id = check.involvement.client_id
        lead = leads.get(client_id)
        named = None
        if lead is not None and lead.pk != member.pk:
            policy = Policy(viewer=lead, rules=rules)
            consent = covers.get(client_id, NO_CONSENT)
            if policy.practitioner_detail(member, consent) is Detail.FULL:  # a placeholder is no one to ask
                named = policy.practitioner_named(member, consent)
        if named is not None:
            notices_send(
                recipients=[lead.user],  # type: ignore[union-attr]
                kind=NoticeKind.STILL_INVOLVED,
                text=(
                    f"{named} has not said whether they are still involved in the team around one of your clients, "
                    "even after a reminder. You may want to ask them."
                ),
                link=reverse("client-team", kwargs={"client_id": client_id}),
                subject="A member of one of your teams has not said whether they are still involved",
                origin=origin,
                client_id=client_id,
            )
            continue
        told = [manager.user for manager in managers.get(member.agency_id, []) if manager.pk != member.pk]
        if told:
            notices_send(
                recipients=told,
                kind=NoticeKind.STILL_INVOLVED,
                text=(
                    f"{member.user.full_name} ({member.agency.name}) has not said whether they are still involved "
                    "in the team around one of their clients, even after a reminder, and the team has no other lead "
                    "professional to tell. You may want to ask them."
                ),
                link=reverse("directory-person", kwargs={"practitioner_id": member.pk}),
                subject="One of your agency's practitioners has not said whether they are still involved",
                origin=origin,
                client_id=client_id,
            )
    return len(checks)


def _one_run_at_a_time() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"still-involved:{connection.schema_name}"])


@transaction.atomic
def involvement_checks_run(*, origin: Origin) -> ChecksRun:
    """Tonight's asking, reminding and telling in the council the connection is in. Safe to run again: what was
    done is not done twice (one run at a time per council; each step only takes what has not had it yet).

    Asking and reminding cost the same few queries however many involvements there are; telling the lead costs a
    few more for each check whose lead is told (a handful a night at most)."""
    _one_run_at_a_time()
    rules = rules_current()
    rule = still_involved_in_force(rules, jurisdiction=council_jurisdiction())
    now, today = timezone.now(), timezone.localdate()
    withdrawn, _ = InvolvementCheck.objects.filter(_moot(), answered_at__isnull=True).delete()
    escalated = _escalate(rule, rules=rules, now=now, origin=origin)
    reminded = _remind(rule, now=now, origin=origin)
    asked = _ask(rule, now=now, today=today, origin=origin)
    return ChecksRun(asked=asked, reminded=reminded, escalated=escalated, withdrawn=withdrawn)


@transaction.atomic
def involvement_checks_remind(*, origin: Origin) -> int:
    """Only the nightly run's reminders (what is due for one, as the run would send them): for an operator who
    needs them sent again after a failed run, and for the end-to-end journey. Returns how many checks."""
    _one_run_at_a_time()
    rule = still_involved_in_force(rules_current(), jurisdiction=council_jurisdiction())
    return _remind(rule, now=timezone.now(), origin=origin)
