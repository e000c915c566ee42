"""A cell knows its jurisdiction and region, and says when it, a council or Sentry would take data elsewhere.

Without ``PATCHWORK_JURISDICTION`` (development, these tests' own settings) there is no cell and no residency
rule; with it, the system checks (tenants/checks.py) name what does not belong.
"""

import pytest
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from tenants.cell import Cell, residency_problem, this_cell
from tenants.jurisdictions import DataRegion, Jurisdiction, data_regions_for
from tenants.models import Council

ENGLAND_CELL = {"PATCHWORK_JURISDICTION": "england", "AWS_REGION": "eu-west-2"}
VICTORIA_CELL = {"PATCHWORK_JURISDICTION": "victoria", "AWS_REGION": "ap-southeast-4"}


def _errors(check_id: str, *, databases: list[str] | None = None) -> list[str]:
    return [message.msg for message in run_checks(databases=databases) if message.id == check_id]


# --- Jurisdictions and their regions ------------------------------------------------------------


def test_a_victorian_councils_data_is_held_in_melbourne_by_default() -> None:
    assert data_regions_for(Jurisdiction.VICTORIA)[0] == DataRegion.MELBOURNE == "ap-southeast-4"
    assert set(data_regions_for(Jurisdiction.VICTORIA)) == {"ap-southeast-4", "ap-southeast-2"}


def test_an_english_councils_data_is_held_only_in_london() -> None:
    assert data_regions_for(Jurisdiction.ENGLAND) == ("eu-west-2",)


# --- The cell -------------------------------------------------------------------------------------


@override_settings(PATCHWORK_JURISDICTION="")
def test_without_a_jurisdiction_there_is_no_cell_and_every_council_belongs() -> None:
    assert this_cell() is None
    assert residency_problem(jurisdiction="victoria", data_region="eu-west-2") is None


@override_settings(**VICTORIA_CELL)
def test_the_cell_is_read_from_the_settings() -> None:
    assert this_cell() == Cell(jurisdiction="victoria", region="ap-southeast-4")


@override_settings(**ENGLAND_CELL)
def test_a_council_of_another_jurisdiction_does_not_belong_in_the_cell() -> None:
    assert residency_problem(jurisdiction="england", data_region="eu-west-2") is None
    problem = residency_problem(jurisdiction="victoria", data_region="ap-southeast-4")
    assert problem == (
        "This installation serves councils in England only; a council in Victoria, Australia belongs in that "
        "jurisdiction's own installation."
    )


@override_settings(**VICTORIA_CELL)
def test_a_council_with_its_data_in_another_region_does_not_belong_in_the_cell() -> None:
    assert residency_problem(jurisdiction="victoria", data_region="ap-southeast-4") is None
    problem = residency_problem(jurisdiction="victoria", data_region="ap-southeast-2")
    assert problem is not None
    assert "holds its councils' data in AWS ap-southeast-4 (Melbourne)" in problem
    assert "AWS ap-southeast-2 (Sydney)" in problem


# --- patchwork.E001: the cell's own description ------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "region"),
    [("england", "eu-west-2"), ("victoria", "ap-southeast-4"), ("victoria", "ap-southeast-2"), ("", "")],
)
def test_a_cell_in_one_of_its_jurisdictions_regions_passes_the_check(jurisdiction: str, region: str) -> None:
    with override_settings(PATCHWORK_JURISDICTION=jurisdiction, AWS_REGION=region):
        assert _errors("patchwork.E001") == []


@pytest.mark.parametrize(
    ("jurisdiction", "region", "expected"),
    [
        ("victoria", "eu-west-2", "a Victoria, Australia cell must run in ap-southeast-4 or ap-southeast-2"),
        ("england", "ap-southeast-4", "AWS_REGION is 'ap-southeast-4', but a England cell must run in eu-west-2"),
        ("england", "", "AWS_REGION is ''"),
        ("scotland", "eu-west-2", "PATCHWORK_JURISDICTION is 'scotland', which is not a jurisdiction"),
    ],
)
def test_a_cell_outside_its_jurisdictions_regions_fails_the_check(
    jurisdiction: str, region: str, expected: str
) -> None:
    with override_settings(PATCHWORK_JURISDICTION=jurisdiction, AWS_REGION=region):
        [error] = _errors("patchwork.E001")
    assert expected in error


# --- patchwork.E002: every council in the database belongs in the cell ------------------------------
# The test database holds alpha (England, London) and beta (Victoria, Melbourne).


@pytest.mark.platform_side
@override_settings(**ENGLAND_CELL)
def test_the_database_check_names_a_victorian_council_in_the_england_cell(db: None) -> None:
    [error] = _errors("patchwork.E002", databases=["default"])
    assert error.startswith("Council beta does not belong in this cell: This installation serves councils in England")
    assert "alpha" not in error


@pytest.mark.platform_side
@override_settings(**VICTORIA_CELL)
def test_the_database_check_names_an_english_council_in_the_victoria_cell(db: None) -> None:
    [error] = _errors("patchwork.E002", databases=["default"])
    assert error.startswith("Council alpha does not belong in this cell")


@pytest.mark.platform_side
@override_settings(**VICTORIA_CELL)
def test_the_database_check_names_a_victorian_council_whose_data_is_in_another_region(db: None) -> None:
    Council.objects.filter(slug="alpha").update(jurisdiction="victoria", data_region="ap-southeast-4")
    Council.objects.filter(slug="beta").update(data_region="eu-west-2")
    [error] = _errors("patchwork.E002", databases=["default"])
    assert error.startswith("Council beta does not belong in this cell: This installation holds its councils' data")


@pytest.mark.platform_side
@override_settings(**ENGLAND_CELL)
def test_the_database_check_passes_when_every_council_belongs_in_the_cell(db: None) -> None:
    Council.objects.filter(slug="beta").update(jurisdiction="england", data_region="eu-west-2")
    assert _errors("patchwork.E002", databases=["default"]) == []


@pytest.mark.platform_side
@override_settings(PATCHWORK_JURISDICTION="")
def test_the_database_check_passes_without_a_cell(db: None) -> None:
    assert Council.objects.filter(slug="beta", jurisdiction="victoria").exists()
    assert _errors("patchwork.E002", databases=["default"]) == []


@pytest.mark.platform_side
@override_settings(**ENGLAND_CELL)
def test_the_database_check_runs_only_when_asked_to_look_at_the_database(db: None) -> None:
    assert _errors("patchwork.E002") == []
    assert [message.id for message in run_checks(tags=[Tags.database], databases=["default"])] == ["patchwork.E002"]


@pytest.mark.platform_side
@override_settings(**ENGLAND_CELL)
def test_manage_py_check_with_the_database_fails_on_a_council_outside_the_cell(db: None) -> None:
    with pytest.raises(SystemCheckError, match=r"patchwork\.E002.*Council beta does not belong"):
        call_command("check", "--database", "default")


# --- patchwork.E003: Sentry only at an allowed host -------------------------------------------------

DSN = "https://0123456789abcdef@o42.ingest.de.sentry.io/7"


@pytest.mark.parametrize(
    ("dsn", "allowed"),
    [
        ("", []),
        ("", ["o42.ingest.de.sentry.io"]),
        (DSN, ["o42.ingest.de.sentry.io"]),
        (DSN, ["O42.Ingest.DE.sentry.io"]),
    ],
)
def test_no_dsn_or_one_at_an_allowed_host_passes_the_sentry_check(dsn: str, allowed: list[str]) -> None:
    with override_settings(SENTRY_DSN=dsn, SENTRY_ALLOWED_HOSTS=allowed):
        assert _errors("patchwork.E003") == []


@pytest.mark.parametrize(
    "allowed",
    [[], ["sentry.patchwork.example"], ["ingest.de.sentry.io"], ["o42.ingest.de.sentry.io.attacker.example"]],
)
def test_a_dsn_at_a_host_not_allowed_fails_the_sentry_check(allowed: list[str]) -> None:
    with override_settings(SENTRY_DSN=DSN, SENTRY_ALLOWED_HOSTS=allowed):
        [error] = _errors("patchwork.E003")
    assert "'o42.ingest.de.sentry.io', which is not in SENTRY_ALLOWED_HOSTS" in error
    assert "0123456789abcdef" not in error  # the DSN's key is a secret


@override_settings(SENTRY_DSN="not a dsn", SENTRY_ALLOWED_HOSTS=["sentry.patchwork.example"])
def test_a_dsn_without_a_host_fails_the_sentry_check() -> None:
    [error] = _errors("patchwork.E003")
    assert "'no host'" in error
