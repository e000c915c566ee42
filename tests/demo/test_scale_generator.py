"""The large-council generator (demo.scale), at a small size: exact volumes, the database's rules, realistic
names and contact details, the same data for the same seed; and the command that runs it."""

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.clients.models import Client, ClientAlias, Family, FamilyMember, Involvement, TeamActivity
from core.directory.models import Agency, AgencyType, ApprovalState, Practitioner
from demo.scale import DISTRICTS, council_generate_large
from tenants.models import Council

pytestmark = pytest.mark.council_side

SIZES = {"clients": 2000, "practitioners": 200, "involvements": 6000, "families": 300}
TINY = {"clients": 300, "practitioners": 40, "involvements": 900, "families": 50}

# Agencies' switchboards as written; practitioners' numbers in E.164, as Patchwork stores them.
UK_PHONE = re.compile(r"^(07700 900 \d{3}|01632 960 \d{3}|\+447700900\d{3}|\+441632960\d{3})$")
POSTCODE_DISTRICTS = {district for area in DISTRICTS for town in area.towns for district in town.districts}


@pytest.fixture
def generated(council_a: Council) -> Iterator[dict[str, int]]:
    """Council A filled at a small size; the test runs inside its schema."""
    with schema_context(council_a.schema_name):
        yield council_generate_large(**SIZES, seed=7)


def is_valid_nhs_number(number: str) -> bool:
    """Modulus 11, written out independently of the code under test."""
    if len(number) != 10 or not number.isdigit():
        return False
    remainder = sum(int(digit) * (10 - position) for position, digit in enumerate(number[:9])) % 11
    check = (11 - remainder) % 11
    return check != 10 and check == int(number[9])


def test_exact_volumes(generated: dict[str, int]) -> None:
    assert Client.objects.count() == SIZES["clients"] == generated[Client._meta.db_table]
    assert Practitioner.objects.count() == SIZES["practitioners"] == generated[Practitioner._meta.db_table]
    assert User.objects.count() == SIZES["practitioners"] == generated[User._meta.db_table]
    assert Involvement.objects.count() == SIZES["involvements"] == generated[Involvement._meta.db_table]
    assert Family.objects.count() == SIZES["families"] == generated[Family._meta.db_table]
    assert FamilyMember.objects.count() == generated[FamilyMember._meta.db_table]
    assert ClientAlias.objects.count() == generated[ClientAlias._meta.db_table]
    assert Agency.objects.count() == generated[Agency._meta.db_table] >= len(AgencyType.values)
    # Team activity: each client added, each involvement joined, each ended one left.
    ended = SIZES["involvements"] // 4
    assert TeamActivity.objects.count() == SIZES["clients"] + SIZES["involvements"] + ended
    assert generated[TeamActivity._meta.db_table] == TeamActivity.objects.count()
    kinds = Counter(TeamActivity.objects.values_list("kind", flat=True))
    assert kinds == {
        TeamActivity.Kind.CLIENT_ADDED: SIZES["clients"],
        TeamActivity.Kind.JOINED: SIZES["involvements"],
        TeamActivity.Kind.LEFT: ended,
    }


def test_families_of_two_to_six_each_client_in_one(generated: dict[str, int]) -> None:
    sizes = Counter(Family.objects.annotate(n=Count("members")).values_list("n", flat=True))
    assert min(sizes) >= 2
    assert max(sizes) <= 6
    assert len(sizes) >= 4  # a spread of sizes, not one
    assert not FamilyMember.objects.values("client").annotate(n=Count("id")).filter(n__gt=1).exists()
    with_surname = Family.objects.filter(name__endswith=" household").count()
    assert with_surname == SIZES["families"]


def test_involvements_keep_the_rules(generated: dict[str, int]) -> None:
    current = Involvement.objects.filter(ended_on__isnull=True)
    two_leads = current.filter(is_lead=True).values("client").annotate(n=Count("id")).filter(n__gt=1)
    assert not two_leads.exists()
    twice = current.values("client", "practitioner").annotate(n=Count("id")).filter(n__gt=1)
    assert not twice.exists()
    assert not Involvement.objects.filter(ended_on__lt=F("started_on")).exists()
    ended = Involvement.objects.filter(ended_on__isnull=False).count()
    assert 0.24 <= ended / SIZES["involvements"] <= 0.26
    assert current.filter(is_lead=True).count() > SIZES["clients"] // 10  # many teams have a lead professional

    # Every involvement's client and practitioner exist (the foreign keys were checked, but say so).
    assert not Involvement.objects.exclude(client_id__in=Client.objects.values("id")).exists()
    assert not Involvement.objects.exclude(practitioner_id__in=Practitioner.objects.values("id")).exists()
    assert not Client.objects.exclude(created_by_id__in=Practitioner.objects.values("id")).exists()
    # Whoever added a client is in their team (now, or earlier).
    assert (
        not Client.objects.exclude(involvements__practitioner_id=F("created_by_id"))
        .filter(involvements__isnull=False)
        .exists()
    )


def test_team_sizes_mostly_one_to_six_with_a_long_tail(generated: dict[str, int]) -> None:
    teams = Counter(
        Client.objects.annotate(n=Count("involvements", filter=Q(involvements__ended_on__isnull=True))).values_list(
            "n", flat=True
        )
    )
    one_to_six = sum(count for size, count in teams.items() if 1 <= size <= 6)
    assert one_to_six / SIZES["clients"] >= 0.75
    assert max(teams) <= 50
    assert max(teams) > 6  # the long tail


def test_common_surnames_are_common(generated: dict[str, int]) -> None:
    surnames = Counter(Client.objects.values_list("surname", flat=True))
    (top, count), *_ = surnames.most_common(1)
    assert 0.01 <= count / SIZES["clients"] <= 0.03, (top, count)
    assert top in {"Smith", "Jones", "Williams", "Brown", "Taylor"}
    assert len(surnames) > SIZES["clients"] // 5  # and a long tail of rarer ones


def test_fabricated_contact_details_and_identifiers(generated: dict[str, int]) -> None:
    for client in Client.objects.select_related("legal_basis"):
        assert client.postcode.split(" ")[0] in POSTCODE_DISTRICTS
        assert not client.nhs_number or (client.nhs_number.startswith("999") and is_valid_nhs_number(client.nhs_number))
        assert client.date_of_birth is not None
        assert client.legal_basis.is_accepted
        assert bool(client.consent_given_by) == client.legal_basis.requires_consent
    nhs_numbers = [number for number in Client.objects.values_list("nhs_number", flat=True) if number]
    assert len(nhs_numbers) == len(set(nhs_numbers))
    for practitioner in Practitioner.objects.select_related("user", "agency"):
        email = practitioner.user.email
        assert email == email.lower()
        assert email.split("@")[1] in practitioner.agency.email_domains
        assert email.endswith(".example")
        assert not practitioner.mobile or UK_PHONE.match(practitioner.mobile)
        assert not practitioner.landline or UK_PHONE.match(practitioner.landline)
        assert not practitioner.user.has_usable_password()  # fabricated accounts nobody signs in to


def test_agencies_all_approved_with_one_domain(generated: dict[str, int]) -> None:
    agencies = list(Agency.objects.all())
    assert {agency.agency_type for agency in agencies} == set(AgencyType.values)
    for agency in agencies:
        assert agency.approval_state == ApprovalState.APPROVED
        assert len(agency.email_domains) == 1
        assert agency.email_domains[0].endswith(".example")
        assert UK_PHONE.match(agency.contact_phone)
        assert bool(agency.gateway_contact) == agency.is_sensitive
    assert any(agency.is_sensitive for agency in agencies)
    assert Practitioner.objects.filter(is_agency_manager=True).count() == len(agencies)
    assert Practitioner.objects.filter(is_council_admin=True).exists()


def _snapshot(seed: int) -> tuple[list[tuple], ...]:
    """What the generator writes for ``seed``, then undone."""
    with transaction.atomic():
        council_generate_large(**TINY, seed=seed)
        snapshot = (
            list(Agency.objects.order_by("id").values_list("id", "name", "email_domains")),
            list(User.objects.order_by("id").values_list("id", "email", "first_name", "last_name", "password")),
            list(Practitioner.objects.order_by("id").values_list("id", "user_id", "agency_id", "job_title", "mobile")),
            list(
                Client.objects.order_by("id").values_list(
                    "id", "first_name", "surname", "date_of_birth", "address_line", "postcode", "nhs_number"
                )
            ),
            list(FamilyMember.objects.order_by("family_id", "client_id").values_list("family_id", "client_id")),
            list(
                Involvement.objects.order_by("id").values_list(
                    "id", "client_id", "practitioner_id", "is_lead", "started_on", "ended_on"
                )
            ),
        )
        transaction.set_rollback(True)
    return snapshot


def test_deterministic_for_a_seed(council_a: Council) -> None:
    with schema_context(council_a.schema_name):
        first = _snapshot(7)
        again = _snapshot(7)
        other = _snapshot(8)
    assert first == again
    assert all(first)  # every table has rows
    assert first[3] != other[3]
    assert first[5] != other[5]


def test_refuses_the_platform_schema(db: None) -> None:
    with pytest.raises(RuntimeError, match="council's schema"):
        council_generate_large(**TINY)


def test_refuses_sizes_that_cannot_fit(council_a: Council) -> None:
    with schema_context(council_a.schema_name), pytest.raises(ValueError, match="families"):
        council_generate_large(clients=10, practitioners=5, involvements=10, families=6)


def test_command_fills_an_empty_council_and_refuses_a_full_one(
    council_a: Council, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = [f"--{name}={value}" for name, value in TINY.items()]
    call_command("council_generate_large", council_a.slug, *sizes)
    output = capsys.readouterr().out
    assert f"Council {council_a.slug} ({council_a.schema_name}) generated in" in output
    assert re.search(r"clients_involvement\s+900 rows", output)
    with schema_context(council_a.schema_name):
        assert Client.objects.count() == TINY["clients"]
    with pytest.raises(CommandError, match=r"already has 300 clients: nothing generated"):
        call_command("council_generate_large", council_a.slug, *sizes)
