"""The demo and benchmark tooling is an app of its own: development and test settings install it,
production settings do not (unless run as a demo environment), and the product apps hold none of it."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
TOOLING_COMMANDS = [
    "bench_anomalies",
    "bench_clients",
    "bench_import",
    "bench_provisioning",
    "council_generate_large",
    "demo",
]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 50,
    "SSO_SECRET_KEYS": "Jk9bWbGN3VQ8zH0yq3m0F6VQ9xv3jv1mX2lY4c7hR2E=",  # a Fernet key made for the test
    "DATABASE_URL": "postgresql://patchwork@db.internal:5432/patchwork",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "CACHE_URL": "redis://cache.internal:6379/1",
    "PATCHWORK_JURISDICTION": "england",
    "AWS_REGION": "eu-west-2",
    "AWS_STORAGE_BUCKET_NAME": "patchwork-media",
    "AWS_AUDIT_ARCHIVE_BUCKET_NAME": "patchwork-audit-archive",
    "AWS_S3_KMS_KEY_ID": "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-0000-0000-000000000000",
}


def _commands(env: dict[str, str]) -> set[str]:
    """The command names ``manage.py help --commands`` lists with these settings (nothing is connected to)."""
    clean = {key: value for key, value in os.environ.items() if key not in {"SENTRY_DSN", "PATCHWORK_DEMO"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "help", "--commands"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_demo_and_benchmark_commands_come_from_the_demo_app() -> None:
    commands = get_commands()
    assert {name: commands.get(name) for name in TOOLING_COMMANDS} == dict.fromkeys(TOOLING_COMMANDS, "demo")
    assert commands["council_provision"] == "onboarding"


def test_the_product_apps_hold_no_demo_or_benchmark_code() -> None:
    assert not (ROOT / "core" / "demo").exists()
    onboarding_commands = sorted(path.stem for path in (ROOT / "onboarding/management/commands").glob("*.py"))
    assert onboarding_commands == ["__init__", "council_provision"]


def test_local_settings_offer_the_demo_and_benchmark_commands() -> None:
    commands = _commands(
        {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": "postgresql://postgres@127.0.0.1/unused"}
    )
    assert set(TOOLING_COMMANDS) <= commands


def test_production_settings_do_not_load_the_demo_and_benchmark_tooling() -> None:
    commands = _commands(PRODUCTION_ENV)
    assert "council_provision" in commands
    assert commands.isdisjoint(TOOLING_COMMANDS)


def test_a_demo_environment_on_production_settings_keeps_the_demo_command() -> None:
    assert set(TOOLING_COMMANDS) <= _commands(PRODUCTION_ENV | {"PATCHWORK_DEMO": "1"})
