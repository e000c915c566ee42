"""The infrastructure code parses (python-hcl2) and is laid out as ``terraform fmt`` leaves it.

checkov scans it in CI (``.ci/run``); this test keeps a broken file from reaching that far.
"""

import importlib.util
from pathlib import Path

import pytest

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"
TF_FILES = sorted(TERRAFORM.rglob("*.tf"))


def _checker():  # terraform/check.py is a script, not a package: load it from its path
    spec = importlib.util.spec_from_file_location("terraform_check", TERRAFORM / "check.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_is_a_cell_per_jurisdiction() -> None:
    assert {path.parent.name for path in TERRAFORM.glob("cells/*/main.tf")} == {"uk-london", "au-melbourne"}
    assert len(TF_FILES) > 10


@pytest.mark.parametrize("path", TF_FILES, ids=lambda path: str(path.relative_to(TERRAFORM)))
def test_terraform_file_parses_and_is_formatted(path: Path) -> None:
    assert _checker().problems_in(path) == []


def test_the_checker_reports_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_s3_bucket" "x" {\n\tbucket = "x"  \n')
    problems = _checker().problems_in(broken)
    assert any(problem.startswith("does not parse") for problem in problems)
    assert "line 2: indented with a tab" in problems
    assert "line 2: trailing whitespace" in problems


def _cell_locals() -> dict:
    """Every ``locals`` block of the cell module, merged (python-hcl2 keeps expressions as strings)."""
    import hcl2

    merged: dict = {}
    for path in sorted((TERRAFORM / "modules" / "cell").glob("*.tf")):
        with path.open() as handle:
            for block in hcl2.load(handle).get("locals", []):
                merged.update(block)
    return merged


def test_the_database_owner_url_is_the_master_user_and_the_app_url_is_not() -> None:
    values = _cell_locals()["secret_values"]
    assert "aws_db_instance.main.username" in values["DATABASE_OWNER_URL"]
    assert "random_password.database.result" in values["DATABASE_OWNER_URL"]
    assert "aws_db_instance.main.username" not in values["DATABASE_URL"]
    assert "random_password.database.result" not in values["DATABASE_URL"]
    assert "random_password.database_app.result" in values["DATABASE_URL"]


def test_web_and_beat_never_receive_the_master_credentials_only_release_and_worker_do() -> None:
    cell = _cell_locals()
    assert [name.strip('"') for name in cell["owner_secret_names"]] == ["DATABASE_OWNER_URL"]
    assert "if !contains(local.owner_secret_names, name)" in cell["app_secrets"]
    secrets_of = {name: process["secrets"] for name, process in cell["processes"].items()}
    assert secrets_of["web"] == secrets_of["beat"] == "${local.app_secrets}"
    assert secrets_of["release"] == secrets_of["worker"] == "${local.owner_secrets}"
    compute = (TERRAFORM / "modules" / "cell" / "compute.tf").read_text()
    assert "secrets                = each.value.secrets" in compute
