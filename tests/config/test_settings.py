"""Settings: production refuses to start without its secrets; local defaults are safe for a laptop."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
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
    "PLATFORM_DOMAIN": "patchwork.example",
}


def _settings(module: str, env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    unset = {*PRODUCTION_ENV, "SENTRY_DSN", "DATABASE_OWNER_URL", "DATABASE_APP_USER"}
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    code = (
        "import sys; sys.path[:0] = ['.', 'platform']; import django; django.setup(); "
        f"from django.conf import settings; print(repr(({expression})))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | env | {"DJANGO_SETTINGS_MODULE": module},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV.keys() - {"PLATFORM_DOMAIN"}))
def test_production_refuses_to_start_without_a_required_setting(missing: str) -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = _settings("config.settings.production", env, "settings.SECRET_KEY")
    assert result.returncode != 0
    assert f"{missing} must be set in the environment" in result.stderr


def test_production_settings_are_strict_when_complete() -> None:
    expression = (
        "settings.DEBUG, settings.DATABASES['default']['OPTIONS']['sslmode'], settings.SESSION_COOKIE_NAME, "
        "settings.STORAGES['default']['BACKEND'], settings.EMAIL_BACKEND, settings.AWS_SES_REGION_NAME, "
        "settings.CELERY_TASK_ALWAYS_EAGER"
    )
    result = _settings("config.settings.production", PRODUCTION_ENV, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "(False, 'verify-full', '__Host-patchwork-session', 'storages.backends.s3.S3Storage', "
        "'django_ses.SESBackend', 'eu-west-2', False)"
    )


def test_local_settings_write_email_to_files_and_run_tasks_in_process() -> None:
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused"}
    result = _settings(
        "config.settings.local",
        env,
        "settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH.name, "
        "settings.CELERY_TASK_ALWAYS_EAGER, settings.DATABASES['default']['ENGINE']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "('django.core.mail.backends.filebased.EmailBackend', 'mail', True, 'tenants.postgresql_backend')"
    )


def test_a_broker_url_sends_tasks_through_the_broker() -> None:
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused", "CELERY_BROKER_URL": "redis://x:6379/0"}
    result = _settings("config.settings.local", env, "settings.CELERY_TASK_ALWAYS_EAGER")
    assert result.stdout.strip() == "False"


def test_production_refuses_an_application_url_that_names_the_owner_role() -> None:
    env = PRODUCTION_ENV | {"DATABASE_OWNER_URL": "postgresql://patchwork:secret@db.internal:5432/patchwork"}
    result = _settings("config.settings.production", env, "settings.DATABASE_OWNER")
    assert result.returncode != 0
    assert "DATABASE_URL must name the application's own role" in result.stderr


def test_production_without_the_owner_url_cannot_migrate_or_provision() -> None:
    result = _settings("config.settings.production", PRODUCTION_ENV, "settings.DATABASE_OWNER")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


def test_locally_one_url_is_the_owner_and_the_application_connects_as_its_own_role() -> None:
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused"}
    result = _settings("config.settings.local", env, "settings.DATABASES['default']['USER'], settings.DATABASE_OWNER")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('patchwork_app', {'USER': 'postgres', 'PASSWORD': ''})"


def test_private_documents_have_their_own_storage_outside_media_everywhere() -> None:
    """Data-sharing agreements: a private S3 prefix in production; locally a folder beside, not inside, media."""
    expression = (
        "settings.STORAGES['private']['BACKEND'], settings.STORAGES['private']['OPTIONS']['location'], "
        "settings.STORAGES['private']['OPTIONS'].get('default_acl'), "
        "settings.STORAGES['private']['OPTIONS']['querystring_auth']"
    )
    production = _settings("config.settings.production", PRODUCTION_ENV, expression)
    assert production.returncode == 0, production.stderr
    # No ACL: the bucket has ACLs disabled (owner enforced), and S3 refuses an upload that names one.
    assert production.stdout.strip() == "('storages.backends.s3.S3Storage', 'private', None, True)"


def test_every_upload_in_production_names_the_cells_kms_key_and_no_acl() -> None:
    expression = "{name: storage.get('OPTIONS') for name, storage in settings.STORAGES.items()}"
    result = _settings("config.settings.production", PRODUCTION_ENV, expression)
    assert result.returncode == 0, result.stderr
    options = ast.literal_eval(result.stdout.strip())
    buckets = {name: option for name, option in options.items() if option and "bucket_name" in option}
    assert set(buckets) == {"default", "private", "audit_archive"}
    for name, option in buckets.items():
        assert option["object_parameters"]["ServerSideEncryption"] == "aws:kms", name
        assert option["object_parameters"]["SSEKMSKeyId"] == PRODUCTION_ENV["AWS_S3_KMS_KEY_ID"], name
        assert "default_acl" not in option, name


def test_production_refuses_to_start_without_the_cells_kms_key() -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "AWS_S3_KMS_KEY_ID"}
    result = _settings("config.settings.production", env, "settings.STORAGES")
    assert result.returncode != 0
    assert "AWS_S3_KMS_KEY_ID must be set in the environment" in result.stderr

    local = _settings(
        "config.settings.local",
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused"},
        "str(settings.STORAGES['private']['OPTIONS']['location'].relative_to(settings.VAR_DIR)), "
        "settings.MEDIA_ROOT.relative_to(settings.VAR_DIR).as_posix()",
    )
    assert local.returncode == 0, local.stderr
    assert local.stdout.strip() == "('private', 'media')"
