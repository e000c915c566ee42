"""Guard: ``platform/`` is an import root, never a package that shadows the standard library."""

import importlib.util
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = ["config", "console", "core", "tenants", "onboarding", "billing", "support", "demo", "tests"]


def test_platform_folder_is_not_a_package() -> None:
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_no_loose_python_files_in_platform() -> None:
    assert sorted(path.name for path in (ROOT / "platform").glob("*.py")) == []


def test_platform_resolves_to_the_standard_library() -> None:
    spec = importlib.util.find_spec("platform")
    assert spec is not None
    assert spec.origin is not None
    assert Path(spec.origin).parent == Path(sysconfig.get_paths()["stdlib"])


def test_first_party_packages_do_not_shadow_standard_library_names() -> None:
    top_level = {path.name for path in ROOT.iterdir() if (path / "__init__.py").exists()}
    top_level |= {path.name for path in (ROOT / "platform").iterdir() if (path / "__init__.py").exists()}
    assert set(FIRST_PARTY) <= top_level | {"tests"}
    assert top_level & set(sys.stdlib_module_names) == set()


def test_design_card_folders_exist() -> None:
    for folder in [
        "platform/config",
        "platform/console",
        "platform/support",
        "tenants",
        "core",
        "billing",
        "onboarding",
        "infra",
        "terraform",
        "tests",
    ]:
        assert (ROOT / folder).is_dir(), folder
