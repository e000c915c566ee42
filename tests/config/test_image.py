"""The application image's supply chain, read from infra/Dockerfile and its ignore file (no Docker needed).

Everything the build takes from outside is pinned by a digest or checked against a SHA-256 written in the
repository; the image holds nothing that only development needs.
"""

import datetime
import fnmatch
import hashlib
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "infra" / "Dockerfile"
DOCKERIGNORE = ROOT / "infra" / "Dockerfile.dockerignore"
UV_REQUIREMENTS = ROOT / "infra" / "requirements-uv.txt"
RDS_BUNDLE = ROOT / "infra" / "certs" / "rds-global-bundle.pem"
SHA256 = re.compile(r"\b[0-9a-f]{64}\b")
# Anything in a RUN that reaches the network for a file (pip and uv are checked on their own).
DOWNLOAD = re.compile(r"\b(curl|wget|urlretrieve|urlopen|httpx|requests\.get)\b|https?://")


@dataclass
class Instruction:
    keyword: str
    arguments: str
    stage: str


def _instructions() -> list[Instruction]:
    """Each instruction with its continuation lines joined and comments left out, and the stage it is in."""
    joined: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        joined.append(pending + stripped)
        pending = ""
    instructions = []
    stage = "(global)"
    for text in joined:
        keyword, _, arguments = text.partition(" ")
        if keyword.upper() == "FROM":
            stage = arguments.split()[-1] if " AS " in arguments.upper() else arguments
        instructions.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return instructions


def _global_args() -> dict[str, str]:
    values = {}
    for instruction in _instructions():
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, value = instruction.arguments.partition("=")
            values[name] = value
    return values


def _runs(stage: str | None = None) -> list[str]:
    return [i.arguments for i in _instructions() if i.keyword == "RUN" and stage in (None, i.stage)]


def _args() -> dict[str, str]:
    return {
        name: value
        for name, _, value in (i.arguments.partition("=") for i in _instructions() if i.keyword == "ARG")
        if value
    }


# --- Base images ---------------------------------------------------------------------------------


def test_every_base_image_is_pinned_by_its_sha256_digest() -> None:
    arguments = _global_args()
    stages = set()
    sources = []
    for instruction in _instructions():
        if instruction.keyword != "FROM":
            continue
        image = instruction.arguments.split()[0]
        image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: arguments[m.group(1) or m.group(2)], image)
        if image not in stages:
            sources.append(image)
        stages.add(instruction.stage)
    assert len(sources) == 2  # build and runtime
    for image in sources:
        assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", image), image


def test_both_stages_start_from_the_same_image_digest_given_once() -> None:
    froms = [i.arguments.split()[0] for i in _instructions() if i.keyword == "FROM"]
    assert froms == ["python:3.11-slim-bookworm@${PYTHON_IMAGE_DIGEST}"] * 2
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", _global_args()["PYTHON_IMAGE_DIGEST"])


# --- What the build installs and downloads -------------------------------------------------------


def test_pip_installs_nothing_without_checking_hashes() -> None:
    installs = [run for run in _runs() if re.search(r"\bpip3?\s+install\b", run)]
    assert installs, "uv is installed by pip"
    for run in installs:
        assert "--require-hashes" in run, run
        assert "--no-deps" in run, run
        assert " -r " in run, run


def test_uv_is_pinned_to_dev_py_version_with_a_hash_for_each_linux_wheel() -> None:
    text = UV_REQUIREMENTS.read_text()
    requirement = " ".join(line.rstrip("\\") for line in text.splitlines() if not line.startswith("#"))
    dev_version = re.search(r'^UV_VERSION = "([^"]+)"', (ROOT / "dev.py").read_text(), re.MULTILINE).group(1)
    assert requirement.split()[0] == f"uv=={dev_version}"
    hashes = re.findall(r"--hash=sha256:([0-9a-f]+)", requirement)
    assert len(hashes) == 3  # manylinux x86_64, manylinux_2_17 and manylinux_2_28 aarch64
    assert all(len(digest) == 64 for digest in hashes)
    assert len(set(hashes)) == 3


def test_uv_is_installed_in_the_build_stage_only() -> None:
    assert [run for run in _runs("build") if "pip install" in run]
    assert not [run for run in _runs("runtime") if "pip install" in run or "uv " in run]


def test_nothing_fetched_from_the_network_is_piped_into_a_shell() -> None:
    for run in _runs():
        assert not re.search(r"\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(ba|z|da)?sh\b", run), run
        assert not re.search(r"\b(ba)?sh\s+-c\s+\"?\$\((curl|wget)", run), run


def test_every_download_in_a_run_is_checked_against_a_sha256_in_the_dockerfile() -> None:
    arguments = _args()
    for run in _runs():
        if not DOWNLOAD.search(run):
            continue
        assert "sha256sum" in run or "hashlib.sha256" in run, f"not checked: {run}"
        expected = [name for name, value in arguments.items() if SHA256.fullmatch(value) and f"${{{name}}}" in run]
        assert expected or SHA256.search(run), f"no expected SHA-256 in the Dockerfile for: {run}"
    for instruction in _instructions():
        if instruction.keyword == "ADD" and re.search(r"https?://", instruction.arguments):
            assert re.search(r"--checksum=sha256:[0-9a-f]{64}", instruction.arguments), instruction.arguments


def test_the_rds_certificate_bundle_is_copied_from_the_repository_and_checked_against_its_pin() -> None:
    pin = _args()["RDS_CA_BUNDLE_SHA256"]
    assert pin == hashlib.sha256(RDS_BUNDLE.read_bytes()).hexdigest()
    [check] = [run for run in _runs("build") if "rds-global-bundle.pem" in run]
    assert "sha256sum --check --strict" in check
    assert "${RDS_CA_BUNDLE_SHA256}  /app/infra/certs/rds-global-bundle.pem" in check
    assert not DOWNLOAD.search(check)
    [installed] = [i.arguments for i in _instructions() if i.keyword == "COPY" and "/etc/ssl/certs/" in i.arguments]
    assert installed == "--from=build /app/infra/certs/rds-global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem"


def test_the_rds_bundle_holds_only_amazon_rds_root_authorities_valid_for_each_cell_region() -> None:
    certificates = x509.load_pem_x509_certificates(RDS_BUNDLE.read_bytes())
    now = datetime.datetime.now(tz=datetime.UTC)
    names = set()
    for certificate in certificates:
        subject = certificate.subject.rfc4514_string()
        assert "O=Amazon Web Services\\, Inc." in subject
        assert "OU=Amazon RDS" in subject
        assert certificate.issuer == certificate.subject
        certificate.verify_directly_issued_by(certificate)  # self-signed: its signature checks with its own key
        assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert certificate.not_valid_before_utc < now < certificate.not_valid_after_utc
        names.add(certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)
    for region in ("eu-west-2", "ap-southeast-2", "ap-southeast-4"):
        assert f"Amazon RDS {region} Root CA RSA2048 G1" in names
        assert f"Amazon RDS {region} Root CA ECC384 G1" in names


# --- Nothing development-only in the image -------------------------------------------------------


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` (or a folder above it) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns:
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(candidate.split("/")[-1], pattern[3:])
            ):
                return True
    return False


def _ignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not [pattern for pattern in patterns if pattern.startswith("!")], "no exceptions: keep the list simple"
    return patterns


@pytest.mark.parametrize(
    "path",
    [".git", ".venv", ".tools", ".semgrep", "var", "tests", "docs", "node_modules", "terraform", ".ci", ".env"],
)
def test_the_ignore_file_keeps_development_paths_out_of_the_image(path: str) -> None:
    assert _ignored(path, _ignore_patterns())
    assert _ignored(f"{path}/anything/inside", _ignore_patterns())


def test_node_modules_are_kept_out_wherever_they_are() -> None:
    assert _ignored("infra/frontend/node_modules/govuk-frontend/package.json", _ignore_patterns())
    assert _ignored("platform/config/static/node_modules/x.js", _ignore_patterns())


def test_the_ignore_file_keeps_everything_the_application_needs_at_run_time() -> None:
    patterns = _ignore_patterns()
    needed = ["manage.py", "pyproject.toml", "uv.lock", "infra/gunicorn.conf.py", "infra/requirements-uv.txt"]
    needed.append("infra/certs/rds-global-bundle.pem")
    for package in ("core", "tenants", "onboarding", "billing", "platform"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                needed.append(path.relative_to(ROOT).as_posix())
    assert any("/templates/" in path for path in needed)
    assert any("/static/" in path for path in needed)
    assert [path for path in needed if _ignored(path, patterns)] == []


def test_the_runtime_stage_removes_pip_setuptools_and_wheel() -> None:
    [removal] = [run for run in _runs("runtime") if "pip uninstall" in run]
    words = shlex.split(removal.split("&&")[0])
    assert {"--yes", "pip", "setuptools", "wheel"} <= set(words)
    assert "ensurepip/_bundled" in removal
    assert '! python -c "import pip"' in removal


def test_uv_sync_installs_from_the_lock_without_development_or_demo_groups() -> None:
    syncs = [run for run in _runs() if "uv sync" in run]
    assert len(syncs) == 2
    for run in syncs:
        assert "--locked" in run
        assert "--no-dev" in run
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    # --no-dev leaves out every group only if none but dev is installed by default, and demo comes only through dev.
    assert "default-groups" not in pyproject["tool"]["uv"]
    groups = pyproject["dependency-groups"]
    assert {"include-group": "demo"} in groups["dev"]
    assert [name for name, members in groups.items() if {"include-group": "demo"} in members] == ["dev"]


def test_collectstatic_runs_with_build_only_placeholders_including_the_jurisdiction() -> None:
    [collect] = [run for run in _runs("build") if "collectstatic" in run]
    assert "PATCHWORK_JURISDICTION=england" in collect
    # Every variable production settings require, or collectstatic (which loads them) fails the build.
    production = (ROOT / "platform" / "config" / "settings" / "production.py").read_text()
    required = re.findall(r'env_required\("([A-Z0-9_]+)"\)', production)
    assert "AWS_S3_KMS_KEY_ID" in required
    assert [name for name in required if f"{name}=" not in collect] == []
    assert "SECRET_KEY=build-only-placeholder-not-a-secret" in collect
    assert not [i for i in _instructions() if i.keyword in ("ENV", "ARG") and "SECRET_KEY" in i.arguments]


def test_the_web_process_health_check_is_healthz() -> None:
    [healthcheck] = [i.arguments for i in _instructions() if i.keyword == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/healthz" in healthcheck


def test_the_runtime_stage_runs_as_the_unprivileged_user() -> None:
    users = [i.arguments for i in _instructions() if i.keyword == "USER"]
    assert users == ["10001:10001"]
    assert _instructions()[-1].stage == "runtime"
