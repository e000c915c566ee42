"""The demo's retention: a client whose whole team ended longer ago than the council keeps records, and the nightly
listing already made, so a list waits for the privacy officer (core/retention, ADR 0016).

The rest of the demo's history is recent (involvements started at most five years ago, activity in the last weeks,
the audit trail from today), so under England's six years the list holds that one client and nothing else.

Only where ``PAST_CLIENTS`` names one, and only once: a council that has had a retention list (waiting, approved,
erased or rejected) gets nothing, so approving the list in the demo does not bring the client back the next time
the demo is topped up.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.clients.models import Client, Involvement
from core.directory.models import Practitioner
from core.governance.models import LegalBasis
from core.retention.models import RetentionRun
from core.retention.services.runs import retention_run_prepare
from demo.places import Place
from demo.staff import demo_email


@dataclass(frozen=True)
class PastInvolvement:
    agency: str  # AgencySpec.key; the agency's first practitioner who is not a demo account
    role: str
    join_reason: str
    started_days_ago: int
    ended_days_ago: int
    is_lead: bool = False


@dataclass(frozen=True)
class PastClient:
    first_name: str
    surname: str
    born_days_ago: int
    nhs_number: str  # in the 999 range NHS England never issues (demo/identifiers.py)
    local_case_id: str
    address_line: str
    town: str
    postcode: str
    team: tuple[PastInvolvement, ...]


YEAR = 365

# A young man the council worked with from 14 to 17: his case closed seven years ago, past England's six.
PAST_CLIENTS = {
    "staffordshire": PastClient(
        first_name="Tyler",
        surname="Brindley",
        born_days_ago=24 * YEAR + 133,
        nhs_number="9994172638",
        local_case_id="LCS-318406",
        address_line="27 Netherstowe",
        town="Lichfield",
        postcode="WS13 6JP",
        team=(
            PastInvolvement(
                agency="social-care",
                role="Social worker",
                join_reason="Child in need assessment after a referral from his school",
                started_days_ago=10 * YEAR + 40,
                ended_days_ago=7 * YEAR + 95,
                is_lead=True,
            ),
            PastInvolvement(
                agency="youth",
                role="Youth worker",
                join_reason="Weekly sessions agreed at the child in need meeting",
                started_days_ago=9 * YEAR + 300,
                ended_days_ago=7 * YEAR + 60,
            ),
            PastInvolvement(
                agency="school-nursing",
                role="School nurse",
                join_reason="Health plan reviewed with his social worker",
                started_days_ago=9 * YEAR + 200,
                ended_days_ago=7 * YEAR + 150,
            ),
        ),
    ),
}


def council_retention_populate(*, place: Place, today: datetime.date) -> RetentionRun | None:
    """Plant ``place``'s past client and make the nightly list once, as the nightly task would. Returns the list
    waiting for the privacy officer, or None when there is nothing to do (or nothing was due)."""
    past = PAST_CLIENTS.get(place.key)
    if past is None or RetentionRun.objects.exists():
        return None
    planted = Client.objects.filter(nhs_number=past.nhs_number).exists()
    if not planted and _plant(past, place=place, today=today) is None:
        return None  # a council with its own data, not the demo's
    return retention_run_prepare()


def _plant(past: PastClient, *, place: Place, today: datetime.date) -> Client | None:
    demo_accounts = {demo_email(person, place) for person in place.people}
    names = {spec.key: spec.name for spec in place.agencies}
    team: list[tuple[PastInvolvement, Practitioner]] = []
    for spec in past.team:
        practitioner = (
            Practitioner.objects.filter(agency__name=names.get(spec.agency, ""))
            .exclude(user__email__in=demo_accounts)
            .order_by("user__email")
            .first()
        )
        if practitioner is None:
            return None
        team.append((spec, practitioner))
    legal_basis = (
        LegalBasis.objects.filter(is_accepted=True, requires_consent=False).order_by("position", "code").first()
    )
    if legal_basis is None:
        return None

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    first_spec, first_practitioner = max(team, key=lambda pair: pair[0].started_days_ago)
    client = Client.objects.create(
        first_name=past.first_name,
        surname=past.surname,
        date_of_birth=ago(past.born_days_ago),
        address_line=past.address_line,
        town=past.town,
        postcode=past.postcode,
        nhs_number=past.nhs_number,
        local_case_id=past.local_case_id,
        legal_basis=legal_basis,
        created_by=first_practitioner,
    )
    added = timezone.make_aware(datetime.datetime.combine(ago(first_spec.started_days_ago), datetime.time(11, 15)))
    Client.objects.filter(pk=client.pk).update(created_at=added, updated_at=added)  # added back then
    Involvement.objects.bulk_create(
        Involvement(
            client=client,
            practitioner=practitioner,
            role=spec.role,
            is_lead=spec.is_lead,
            started_on=ago(spec.started_days_ago),
            ended_on=ago(spec.ended_days_ago),
            last_contact_on=ago(spec.ended_days_ago + 9),
            join_reason=spec.join_reason,
        )
        for spec, practitioner in team
    )
    return client
