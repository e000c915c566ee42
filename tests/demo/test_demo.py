"""The demo populate: realistic volumes, fictional contact details, valid identifiers, teams within the rules."""

import datetime
import re
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Count, Q
from django_tenants.utils import schema_context

from core.accounts.models import User
from core.clients.identifiers import validate_nhs_number, validate_unique_pupil_number
from core.clients.models import Client, ClientAlias, Family, FamilyMember, Involvement
from core.directory.models import Agency, AgencyType, ApprovalState, Practitioner
from core.directory.phones import validate_e164_phone
from core.governance.models import LegalBasis
from demo.populate import TODAY, DemoSummary, council_demo_populate
from tenants.models import Council
from tests.factories import AgencyFactory

pytestmark = pytest.mark.council_side

PASSWORD = "demo-password-123"

# Agencies' switchboards as written; practitioners' numbers in E.164, as Patchwork stores them.
UK_PHONE = re.compile(r"^(07700 900 \d{3}|01632 960 \d{3}|\+447700900\d{3}|\+441632960\d{3})$")
AU_MOBILE_DIGITS = (
    "570006 570156 570157 570158 570159 570110 570313 570737 571266 571491 571804 572549 572665 572983 "
    "573770 573087 574118 574632 575254 575789 576398 576801 577426 577644 578957 578148 578888 579212 "
    "579760 579455"
)
AU_FICTIONAL_MOBILES = {f"0491 {digits[:3]} {digits[3:]}" for digits in AU_MOBILE_DIGITS.split()} | {
    f"+61491{digits}" for digits in AU_MOBILE_DIGITS.split()
}
AU_LANDLINE = re.compile(r"^(\(03\) 5550 \d{4}|\+6135550\d{4})$")
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$")
STAFFORDSHIRE_DISTRICTS = {"WS7", "WS13", "WS14", "WS15", "ST16", "ST17", "DE13"}
YARRA_POSTCODES = {"3065", "3066", "3067", "3068", "3121"}


@pytest.fixture(scope="module")
def password_hash() -> str:
    return make_password(PASSWORD)


@pytest.fixture
def staffordshire(council_a: Council, password_hash: str) -> Iterator[DemoSummary]:
    """Council A (England) populated as Staffordshire; the test runs inside its schema."""
    with schema_context(council_a.schema_name):
        yield council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)


@pytest.fixture
def yarra(council_b: Council, password_hash: str) -> Iterator[DemoSummary]:
    """Council B (Victoria) populated as the City of Yarra; the test runs inside its schema."""
    with schema_context(council_b.schema_name):
        yield council_demo_populate(place="yarra", jurisdiction="victoria", password_hash=password_hash)


def is_valid_nhs_number(number: str) -> bool:
    """Modulus 11, written out independently of the code under test."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    remainder = sum(int(digit) * (10 - position) for position, digit in enumerate(number[:9])) % 11
    check = (11 - remainder) % 11
    return check != 10 and check == int(number[9])


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def all_phone_numbers() -> list[str]:
    numbers = list(Agency.objects.values_list("contact_phone", flat=True))
    for mobile, landline in Practitioner.objects.values_list("mobile", "landline"):
        numbers += [number for number in (mobile, landline) if number]
    return numbers


# Volumes and agencies --------------------------------------------------------------------------------------------


def test_populate_creates_a_council_sized_demo(staffordshire: DemoSummary) -> None:
    assert staffordshire.created is True
    assert 12 <= staffordshire.agencies <= 16
    assert 45 <= staffordshire.practitioners <= 60
    assert 280 <= staffordshire.clients <= 320
    assert 50 <= staffordshire.families <= 70
    assert staffordshire.agencies == Agency.objects.count()
    assert staffordshire.clients == Client.objects.count()
    assert staffordshire.involvements == Involvement.objects.count()
    assert User.objects.count() == Practitioner.objects.count() == staffordshire.practitioners


def test_every_agency_type_is_present_approved_and_staffed(staffordshire: DemoSummary) -> None:
    assert set(Agency.objects.values_list("agency_type", flat=True)) == set(AgencyType.values)
    assert not Agency.objects.exclude(approval_state=ApprovalState.APPROVED).exists()
    staffed = Agency.objects.annotate(staff=Count("practitioners"))
    assert min(agency.staff for agency in staffed) >= 2
    for agency in Agency.objects.all():
        assert all((agency.services, agency.contact_email, agency.contact_phone))
        assert len(agency.email_domains) == 1


def test_a_sensitive_agency_has_a_gateway_contact_and_real_caseload(staffordshire: DemoSummary) -> None:
    sensitive = list(Agency.objects.filter(is_sensitive=True))
    assert sensitive
    for agency in sensitive:
        assert re.search(r"01632 960 \d{3}", agency.gateway_contact)
        current = Involvement.objects.filter(practitioner__agency=agency, ended_on__isnull=True)
        assert current.count() >= 10


def test_practitioners_have_jobs_contacts_and_are_verified(staffordshire: DemoSummary) -> None:
    for practitioner in Practitioner.objects.select_related("user", "agency"):
        assert all((practitioner.job_title, practitioner.availability, practitioner.expertise))
        assert practitioner.mobile or practitioner.landline
        assert practitioner.verified_at is not None
        assert practitioner.verified_at.tzinfo is not None
        domain = practitioner.agency.email_domains[0]
        assert practitioner.user.email.endswith(f"@{domain}")
        assert practitioner.user.email == practitioner.user.email.lower()
    assert Practitioner.objects.filter(is_agency_manager=True).count() >= Agency.objects.count()


# Fictional contact details ---------------------------------------------------------------------------------------


def test_every_email_address_and_domain_is_fictional(staffordshire: DemoSummary) -> None:
    emails = list(User.objects.values_list("email", flat=True))
    emails += list(Agency.objects.values_list("contact_email", flat=True))
    assert emails
    assert all(email.endswith(".example") for email in emails)
    domains = [domain for agency in Agency.objects.all() for domain in agency.email_domains]
    assert all(domain.endswith(".example") for domain in domains)
    assert len(set(domains)) == len(domains)


def test_every_english_phone_number_is_in_the_range_reserved_for_drama(staffordshire: DemoSummary) -> None:
    numbers = all_phone_numbers()
    assert len(numbers) > staffordshire.practitioners
    assert [number for number in numbers if not UK_PHONE.match(number)] == []


def test_every_australian_phone_number_is_in_the_acma_fictional_ranges(yarra: DemoSummary) -> None:
    numbers = all_phone_numbers()
    assert len(numbers) > yarra.practitioners
    assert [n for n in numbers if n not in AU_FICTIONAL_MOBILES and not AU_LANDLINE.match(n)] == []


@pytest.mark.parametrize("place", ["staffordshire", "yarra"])
def test_every_practitioners_number_is_stored_as_the_profile_page_stores_it(
    place: str, db: None, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(place)
    numbers = [number for pair in Practitioner.objects.values_list("mobile", "landline") for number in pair if number]
    assert numbers
    for number in numbers:
        validate_e164_phone(number)


# Clients ----------------------------------------------------------------------------------------------------------


def test_every_clients_identifiers_pass_the_councils_checks(staffordshire: DemoSummary) -> None:
    rows = list(Client.objects.values_list("nhs_number", "unique_pupil_number"))
    assert any(nhs for nhs, _ in rows)
    assert any(upn for _, upn in rows)
    for nhs, upn in rows:
        validate_nhs_number(nhs)
        validate_unique_pupil_number(upn)


def test_english_clients_have_local_postcodes_and_valid_identifiers(staffordshire: DemoSummary) -> None:
    clients = list(Client.objects.all())
    for client in clients:
        assert UK_POSTCODE.match(client.postcode), client.postcode
        assert client.postcode.split()[0] in STAFFORDSHIRE_DISTRICTS
        assert client.address_line
        assert client.town
        if client.nhs_number:
            assert is_valid_nhs_number(client.nhs_number), client.nhs_number
        if client.unique_pupil_number:
            assert re.fullmatch(r"[A-Z]\d{12}", client.unique_pupil_number)
            assert 4 <= age_on(client.date_of_birth, TODAY) < 18
        if client.local_case_id:
            assert re.fullmatch(r"LCS-\d{6}", client.local_case_id)
    with_nhs = sum(bool(client.nhs_number) for client in clients) / len(clients)
    assert 0.6 <= with_nhs <= 0.8
    nhs_numbers = [client.nhs_number for client in clients if client.nhs_number]
    assert len(set(nhs_numbers)) == len(nhs_numbers)
    school_age = [client for client in clients if 5 <= age_on(client.date_of_birth, TODAY) < 18]
    with_upn = sum(bool(client.unique_pupil_number) for client in school_age) / len(school_age)
    assert 0.45 <= with_upn <= 0.75
    with_case_id = sum(bool(client.local_case_id) for client in clients) / len(clients)
    assert 0.4 <= with_case_id <= 0.6


def test_clients_are_mostly_children_with_common_surnames_common(staffordshire: DemoSummary) -> None:
    clients = list(Client.objects.all())
    ages = [age_on(client.date_of_birth, TODAY) for client in clients]
    assert all(0 <= age < 100 for age in ages)
    assert sum(age < 18 for age in ages) / len(ages) >= 0.75
    assert all(client.date_of_birth < TODAY for client in clients)
    surnames = Counter(client.surname for client in clients)
    assert surnames.most_common(1)[0][1] >= 5  # several "Smith"s: search must disambiguate
    assert len(surnames) >= 60  # and a long tail
    aliases = ClientAlias.objects.count()
    assert 0.02 * len(clients) <= aliases <= 0.1 * len(clients)


def test_consent_records_say_who_consented_and_when(staffordshire: DemoSummary) -> None:
    consent = Client.objects.filter(legal_basis__requires_consent=True)
    share = consent.count() / Client.objects.count()
    assert 0.3 <= share <= 0.5
    givers = set(consent.values_list("consent_given_by", flat=True))
    assert givers <= {"the client", "mother", "father", "carer"}
    assert not consent.filter(Q(consent_given_on__isnull=True) | Q(consent_given_on__gte=TODAY)).exists()
    statutory = Client.objects.filter(legal_basis__requires_consent=False)
    assert not statutory.exclude(consent_given_by="").exists()
    assert set(Client.objects.values_list("legal_basis", flat=True)) <= set(
        LegalBasis.objects.values_list("pk", flat=True)
    )
    assert not Client.objects.filter(created_by__isnull=True).exists()


def test_families_are_households_of_adults_and_children(staffordshire: DemoSummary) -> None:
    Relationship = FamilyMember.Relationship
    adult_roles = {Relationship.PARENT, Relationship.CARER, Relationship.PARTNER, Relationship.GRANDPARENT}
    shared_surname = 0
    for family in Family.objects.prefetch_related("members__client"):
        members = list(family.members.all())
        adults = [m for m in members if m.relationship in adult_roles]
        children = [m for m in members if m.relationship in {Relationship.CHILD, Relationship.SIBLING}]
        assert 1 <= len(adults) <= 2
        assert 1 <= len(children) <= 4
        assert all(age_on(m.client.date_of_birth, TODAY) >= 18 for m in adults)
        assert all(age_on(m.client.date_of_birth, TODAY) < 18 for m in children)
        surname = family.name.removesuffix(" household")
        shared_surname += sum(m.client.surname == surname for m in children) / len(children)
    assert shared_surname / Family.objects.count() >= 0.7


# Teams ------------------------------------------------------------------------------------------------------------


def test_teams_keep_one_current_lead_and_one_current_involvement_per_practitioner(staffordshire: DemoSummary) -> None:
    current = Involvement.objects.filter(ended_on__isnull=True)
    assert not current.values("client").annotate(leads=Count("pk", filter=Q(is_lead=True))).filter(leads__gt=1)
    assert not current.values("client", "practitioner").annotate(n=Count("pk")).filter(n__gt=1)
    assert current.filter(is_lead=True).count() >= 100


def test_every_involvement_says_why_the_practitioner_joined(staffordshire: DemoSummary) -> None:
    involvements = Involvement.objects.all()
    assert involvements.exists()
    assert not involvements.filter(join_reason="").exists()
    assert involvements.values("join_reason").distinct().count() >= 5


def test_involvement_dates_are_consistent_around_today(staffordshire: DemoSummary) -> None:
    involvements = Involvement.objects.select_related("client")
    ended = involvements.filter(ended_on__isnull=False)
    assert 0.15 <= ended.count() / involvements.count() <= 0.35
    for involvement in involvements:
        assert involvement.started_on >= involvement.client.date_of_birth
        assert involvement.started_on < TODAY
        if involvement.ended_on:
            assert involvement.started_on <= involvement.ended_on <= TODAY
            assert involvement.next_contact_on is None
        if involvement.last_contact_on:
            assert involvement.started_on <= involvement.last_contact_on < TODAY
        if involvement.next_contact_on:
            assert involvement.next_contact_on > TODAY
    current = involvements.filter(ended_on__isnull=True)
    planned = current.filter(next_contact_on__isnull=False).count() / current.count()
    assert 0.35 <= planned <= 0.65


def test_children_have_small_teams_and_a_few_have_big_ones(staffordshire: DemoSummary) -> None:
    adulthood = TODAY.replace(year=TODAY.year - 18)
    children = Client.objects.filter(date_of_birth__gt=adulthood).annotate(
        team=Count("involvements", filter=Q(involvements__ended_on__isnull=True))
    )
    sizes = [child.team for child in children]
    assert sum(1 <= size <= 6 for size in sizes) / len(sizes) >= 0.8
    assert 2 <= sum(10 <= size <= 15 for size in sizes) <= 8
    assert max(sizes) <= 15


# Demo accounts ----------------------------------------------------------------------------------------------------


def test_demo_accounts_exist_and_sign_in_with_the_given_password(staffordshire: DemoSummary) -> None:
    assert 4 <= len(staffordshire.accounts) <= 6
    for account in staffordshire.accounts:
        user = User.objects.get(email=account.email)
        assert check_password(PASSWORD, user.password)
        assert user.check_password(PASSWORD)
        assert account.name == user.full_name
        assert account.description
    practitioners = [
        Practitioner.objects.select_related("agency").get(user__email=account.email)
        for account in staffordshire.accounts
    ]
    assert any(practitioner.is_council_admin for practitioner in practitioners)
    assert any(practitioner.is_agency_manager and not practitioner.is_council_admin for practitioner in practitioners)
    assert any(practitioner.agency.is_sensitive for practitioner in practitioners)

    def teams(practitioner: Practitioner, **filters: object) -> int:
        return practitioner.involvements.filter(ended_on__isnull=True, **filters).count()

    social_worker = next(p for p in practitioners if p.job_title == "Social worker")
    assert teams(social_worker) >= 8
    assert teams(social_worker, is_lead=True) >= 1
    police = next(p for p in practitioners if p.agency.agency_type == AgencyType.POLICE)
    assert teams(police) >= 3


def test_every_demo_user_has_the_given_password_hash(staffordshire: DemoSummary, password_hash: str) -> None:
    assert set(User.objects.values_list("password", flat=True)) == {password_hash}


# Idempotence and determinism --------------------------------------------------------------------------------------


def test_a_second_run_writes_nothing_and_still_lists_the_accounts(
    staffordshire: DemoSummary, password_hash: str
) -> None:
    again = council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
    assert again.created is False
    assert again == DemoSummary(
        created=False,
        agencies=staffordshire.agencies,
        practitioners=staffordshire.practitioners,
        clients=staffordshire.clients,
        families=staffordshire.families,
        involvements=staffordshire.involvements,
        accounts=staffordshire.accounts,
    )


def test_a_council_that_already_has_agencies_is_left_alone(council_a: Council, password_hash: str) -> None:
    with schema_context(council_a.schema_name):
        AgencyFactory(name="Lichfield Foodbank")
        summary = council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash)
        assert summary.created is False
        assert (summary.agencies, summary.clients, summary.accounts) == (1, 0, ())
        assert Agency.objects.count() == 1


def test_the_same_seed_gives_the_same_demo(council_a: Council, password_hash: str) -> None:
    def snapshot() -> list[tuple[object, ...]]:
        clients = Client.objects.values_list("first_name", "surname", "date_of_birth", "postcode", "nhs_number")
        teams = Involvement.objects.values_list(
            "client__surname", "practitioner__user__email", "role", "is_lead", "started_on", "ended_on"
        )
        return sorted(clients) + sorted(teams, key=repr)

    with schema_context(council_a.schema_name):
        with transaction.atomic():
            council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash, seed=7)
            first = snapshot()
            transaction.set_rollback(True)
        assert not Agency.objects.exists()
        council_demo_populate(place="staffordshire", jurisdiction="england", password_hash=password_hash, seed=7)
        assert snapshot() == first


def test_populate_takes_well_under_ten_seconds(council_b: Council, password_hash: str) -> None:
    with schema_context(council_b.schema_name):
        started = time.perf_counter()
        council_demo_populate(place="yarra", jurisdiction="victoria", password_hash=password_hash)
        assert time.perf_counter() - started < 10


def test_the_place_must_be_in_the_councils_jurisdiction(council_b: Council, password_hash: str) -> None:
    with schema_context(council_b.schema_name), pytest.raises(ValueError, match="england"):
        council_demo_populate(place="brighton-hove", jurisdiction="victoria", password_hash=password_hash)
    with schema_context(council_b.schema_name), pytest.raises(ValueError, match="Unknown demo place"):
        council_demo_populate(place="atlantis", jurisdiction="victoria", password_hash=password_hash)


# Other places -----------------------------------------------------------------------------------------------------


def test_a_victorian_demo_has_an_australian_flavour(yarra: DemoSummary) -> None:
    assert yarra.created is True
    assert 280 <= yarra.clients <= 320
    assert not Client.objects.exclude(nhs_number="").exists()
    assert not Client.objects.exclude(unique_pupil_number="").exists()
    assert set(Client.objects.values_list("postcode", flat=True)) <= YARRA_POSTCODES
    assert set(Agency.objects.values_list("agency_type", flat=True)) == set(AgencyType.values)
    names = set(Agency.objects.values_list("name", flat=True))
    assert any(name.startswith("Victoria Police") for name in names)
    assert any("Maternal and Child Health" in name for name in names)
    assert Agency.objects.filter(is_sensitive=True).exclude(gateway_contact="").exists()
    assert set(LegalBasis.objects.filter(clients__isnull=False).values_list("code", flat=True)) <= {
        "consent",
        "cwsa-2005-part-6a",
        "pdp-act-2014",
    }
    assert 4 <= len(yarra.accounts) <= 6


def test_brighton_and_hove_uses_its_own_postcodes_and_agencies(council_a: Council, password_hash: str) -> None:
    with schema_context(council_a.schema_name):
        summary = council_demo_populate(place="brighton-hove", jurisdiction="england", password_hash=password_hash)
        assert summary.created is True
        districts = {postcode.split()[0] for postcode in Client.objects.values_list("postcode", flat=True)}
        assert districts <= {"BN1", "BN2", "BN3", "BN41"}
        assert Agency.objects.filter(name__startswith="Sussex Police").exists()
        assert set(Agency.objects.values_list("agency_type", flat=True)) == set(AgencyType.values)


@pytest.mark.parametrize(("place", "jurisdiction"), [("staffordshire", "england"), ("yarra", "victoria")])
def test_the_demos_postcodes_and_dates_of_birth_pass_the_councils_own_rules(
    council_a: Council, council_b: Council, password_hash: str, place: str, jurisdiction: str
) -> None:
    from core.clients.dates_of_birth import date_of_birth_check
    from core.clients.postcodes import postcode_clean

    council = council_a if jurisdiction == "england" else council_b
    with schema_context(council.schema_name):
        council_demo_populate(place=place, jurisdiction=jurisdiction, password_hash=password_hash)
        rows = list(Client.objects.values_list("postcode", "date_of_birth"))
    assert rows
    for postcode, born in rows:
        assert postcode_clean(postcode, jurisdiction=jurisdiction) == postcode
        assert date_of_birth_check(born) == born
