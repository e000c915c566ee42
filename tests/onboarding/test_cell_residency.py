"""A cell creates, provisions and sells only councils of its own jurisdiction, with their data in its region.

A council that belongs elsewhere is refused before anything is written: no council row, no schema, no web
address. Without a cell (development, the demo) every jurisdiction is served, as the other onboarding tests show.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from core.accounts.models import User
from core.audit.origin import NO_ORIGIN
from onboarding.models import Order, OrderStatus
from onboarding.services.approval import DecisionRefused, order_approve
from onboarding.services.provisioning import ProvisioningRefused, council_create, council_provision
from tenants.models import Council, CouncilStatus, Domain
from tenants.schema_state import schema_exists
from tests.factories import UserFactory
from tests.onboarding.ordering import order_placed

# Provisioning creates schemas: the owner role's work (docs/adr/0008).
pytestmark = [pytest.mark.platform_side, pytest.mark.database_owner]

ENGLAND_CELL = {"PATCHWORK_JURISDICTION": "england", "AWS_REGION": "eu-west-2"}
VICTORIA_CELL = {"PATCHWORK_JURISDICTION": "victoria", "AWS_REGION": "ap-southeast-4"}


def _nothing_written(slug: str) -> None:
    assert not Council.objects.filter(slug=slug).exists()
    assert not schema_exists(Council.schema_name_for(slug))
    assert not Domain.objects.filter(domain__startswith=f"{slug}.").exists()


# --- council_create -------------------------------------------------------------------------------


@override_settings(**ENGLAND_CELL)
def test_the_england_cell_refuses_to_create_a_victorian_council_and_writes_nothing(db: None) -> None:
    with pytest.raises(ProvisioningRefused, match="serves councils in England only; a council in Victoria"):
        council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    _nothing_written("kingston")


@override_settings(**VICTORIA_CELL)
def test_the_victoria_cell_refuses_a_council_with_its_data_in_london_and_writes_nothing(db: None) -> None:
    with pytest.raises(ProvisioningRefused, match=r"holds its councils' data in AWS ap-southeast-4 \(Melbourne\)"):
        council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria", data_region="eu-west-2")
    _nothing_written("kingston")


@override_settings(**VICTORIA_CELL)
def test_the_victoria_cell_refuses_an_english_council_and_writes_nothing(db: None) -> None:
    with pytest.raises(ProvisioningRefused, match="serves councils in Victoria, Australia only"):
        council_create(name="Lichfield District Council", slug="lichfield", jurisdiction="england")
    _nothing_written("lichfield")


@override_settings(PATCHWORK_JURISDICTION="victoria", AWS_REGION="ap-southeast-2")
def test_a_new_councils_data_region_is_the_cells_region(db: None) -> None:
    council = council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    assert council.data_region == "ap-southeast-2"  # the cell's, not Victoria's default (Melbourne)


@override_settings(PATCHWORK_JURISDICTION="")
def test_without_a_cell_a_new_councils_data_region_is_its_jurisdictions_default(db: None) -> None:
    assert council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria").data_region == (
        "ap-southeast-4"
    )
    assert council_create(name="Lichfield District Council", slug="lichfield", jurisdiction="england").data_region == (
        "eu-west-2"
    )


# --- council_provision ------------------------------------------------------------------------------


def test_the_england_cell_refuses_to_provision_a_victorian_council_and_changes_nothing(db: None) -> None:
    with override_settings(PATCHWORK_JURISDICTION=""):
        council = council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    with override_settings(**ENGLAND_CELL), pytest.raises(ProvisioningRefused, match="cannot be provisioned here"):
        council_provision(council_id=council.pk)
    council.refresh_from_db()
    assert (council.status, council.provisioning_step, council.provisioning_progress) == (CouncilStatus.ORDERED, "", 0)
    assert not schema_exists(council.schema_name)
    assert not Domain.objects.filter(tenant=council).exists()


def test_the_victoria_cell_refuses_to_provision_a_council_with_its_data_in_london(db: None) -> None:
    with override_settings(PATCHWORK_JURISDICTION=""):
        council = council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    Council.objects.filter(pk=council.pk).update(data_region="eu-west-2")
    with override_settings(**VICTORIA_CELL), pytest.raises(ProvisioningRefused, match="AWS eu-west-2 \\(London\\)"):
        council_provision(council_id=council.pk)
    assert Council.objects.get(pk=council.pk).status == CouncilStatus.ORDERED
    assert not schema_exists(council.schema_name)


@override_settings(**VICTORIA_CELL)
def test_the_victoria_cell_provisions_its_own_council(db: None) -> None:
    council = council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    council_provision(council_id=council.pk)
    assert Council.objects.get(pk=council.pk).status == CouncilStatus.LIVE
    assert schema_exists(council.schema_name)


@override_settings(**ENGLAND_CELL)
def test_approving_an_order_for_another_jurisdiction_is_refused_and_the_order_stays_undecided(db: None) -> None:
    operator: User = UserFactory(email="ops@patchwork.example", is_staff=True)
    with override_settings(PATCHWORK_JURISDICTION=""):
        order = order_placed(jurisdiction="victoria")  # placed before this installation became a cell
    with pytest.raises(DecisionRefused, match="serves councils in England only"):
        order_approve(order_id=order.pk, actor=operator, origin=NO_ORIGIN)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ORDERED
    _nothing_written("kingston")


# --- the council_provision command ----------------------------------------------------------------------


@override_settings(**ENGLAND_CELL)
def test_the_command_creates_a_council_of_the_cells_jurisdiction_by_default(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("council_provision", "lichfield", name="Lichfield District Council", configuring=True)
    council = Council.objects.get(slug="lichfield")
    assert (council.jurisdiction, council.data_region, council.status) == ("england", "eu-west-2", "configuring")
    assert "Lichfield District Council is configuring" in capsys.readouterr().out


@override_settings(**VICTORIA_CELL)
def test_the_command_in_the_victoria_cell_makes_a_victorian_council_in_melbourne(db: None) -> None:
    call_command("council_provision", "kingston", name="Kingston City Council", configuring=True)
    council = Council.objects.get(slug="kingston")
    assert (council.jurisdiction, council.data_region) == ("victoria", "ap-southeast-4")


@override_settings(PATCHWORK_JURISDICTION="")
def test_without_a_cell_the_command_needs_the_jurisdiction(db: None) -> None:
    with pytest.raises(CommandError, match="PATCHWORK_JURISDICTION is not set\\): give --jurisdiction"):
        call_command("council_provision", "lichfield", name="Lichfield District Council")
    _nothing_written("lichfield")


@override_settings(**ENGLAND_CELL)
def test_the_command_refuses_another_jurisdiction_than_the_cells_and_writes_nothing(db: None) -> None:
    with pytest.raises(CommandError, match="Council kingston cannot be created here"):
        call_command("council_provision", "kingston", name="Kingston City Council", jurisdiction="victoria")
    _nothing_written("kingston")


def test_the_command_refuses_to_queue_a_council_that_belongs_in_another_cell(db: None) -> None:
    with override_settings(PATCHWORK_JURISDICTION=""):
        council = council_create(name="Kingston City Council", slug="kingston", jurisdiction="victoria")
    with override_settings(**ENGLAND_CELL), pytest.raises(CommandError, match="cannot be provisioned here"):
        call_command("council_provision", "kingston", background=True)
    assert Council.objects.get(pk=council.pk).status == CouncilStatus.ORDERED


# --- what the catalogue sells -------------------------------------------------------------------------


@override_settings(**ENGLAND_CELL)
def test_the_england_cells_catalogue_and_order_form_offer_only_england(platform_client: Client) -> None:
    service_page = platform_client.get("/").content.decode()
    assert "£4.50 ex VAT" in service_page
    assert "A$" not in service_page
    assert "ap-southeast" not in service_page
    order_page = platform_client.get("/order/").content.decode()
    assert "England (data held in AWS eu-west-2 (London))" in order_page
    assert 'value="victoria"' not in order_page
    assert "Victoria" not in order_page
    assert "Victoria" not in platform_client.get("/security/").content.decode()


@override_settings(**VICTORIA_CELL)
def test_the_victoria_cells_order_form_offers_victoria_with_its_data_in_melbourne_only(platform_client: Client) -> None:
    order_page = platform_client.get("/order/").content.decode()
    assert "Victoria, Australia (data held in AWS ap-southeast-4 (Melbourne))" in order_page
    assert "Sydney" not in order_page
    assert 'value="england"' not in order_page
    assert "£" not in order_page


@override_settings(**ENGLAND_CELL)
def test_an_order_for_another_jurisdiction_is_refused_by_the_form_and_nothing_is_recorded(
    platform_client: Client,
) -> None:
    response = platform_client.post(
        "/order/",
        {
            "council_name": "Kingston City Council",
            "jurisdiction": "victoria",
            "subdomain": "kingston",
            "plan": "standard",
            "expected_practitioners": "450",
            "purchase_order_number": "PO-77812",
            "billing_contact_name": "Priya Natarajan",
            "billing_contact_email": "accounts@kingston-council.example",
            "dpo_name": "Tom Okafor",
            "dpo_email": "dpo@kingston-council.example",
            "admin_name": "Leah Brennan",
            "admin_email": "leah.brennan@kingston-council.example",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 200
    assert "Select where the council is" in response.content.decode()
    assert not Order.objects.filter(requested_slug="kingston").exists()
