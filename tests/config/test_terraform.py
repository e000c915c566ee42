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
