"""The audit archive's storage (docs/adr/0031): in production its own bucket, named by the environment, never
overwritten and encrypted with KMS; locally a folder of its own under var/; the nightly task scheduled after midnight.

Read through a fresh interpreter (tests/config/test_settings.py): production settings are never imported here.
"""

import ast

from tests.config.test_settings import PRODUCTION_ENV, _settings

STORAGE = "settings.STORAGES['audit_archive']"


def test_production_archives_to_the_bucket_named_by_the_environment_never_overwriting() -> None:
    env = PRODUCTION_ENV | {"AWS_AUDIT_ARCHIVE_BUCKET_NAME": "patchwork-audit-archive-test"}
    result = _settings("config.settings.production", env, STORAGE)
    assert result.returncode == 0, result.stderr
    storage = ast.literal_eval(result.stdout.strip())
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "patchwork-audit-archive-test",
            "region_name": "eu-west-2",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {
                "ServerSideEncryption": "aws:kms",
                "SSEKMSKeyId": PRODUCTION_ENV["AWS_S3_KMS_KEY_ID"],
                "ChecksumAlgorithm": "SHA256",
            },
        },
    }


def test_production_refuses_to_start_without_the_archive_bucket() -> None:
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "AWS_AUDIT_ARCHIVE_BUCKET_NAME"}
    result = _settings("config.settings.production", env, STORAGE)
    assert result.returncode != 0
    assert "AWS_AUDIT_ARCHIVE_BUCKET_NAME must be set in the environment" in result.stderr


def test_locally_the_archive_is_a_folder_of_its_own_under_var() -> None:
    result = _settings(
        "config.settings.local",
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused"},
        f"{STORAGE}['BACKEND'], {STORAGE}['OPTIONS']['location'].relative_to(settings.VAR_DIR).as_posix()",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('django.core.files.storage.FileSystemStorage', 'audit-archive')"


def test_the_archive_runs_nightly_at_a_quarter_to_one_utc() -> None:
    result = _settings(
        "config.settings.local",
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused"},
        "settings.CELERY_BEAT_SCHEDULE['audit-archive']['task'], "
        "sorted(settings.CELERY_BEAT_SCHEDULE['audit-archive']['schedule'].hour), "
        "sorted(settings.CELERY_BEAT_SCHEDULE['audit-archive']['schedule'].minute), settings.CELERY_TIMEZONE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('audit.archive_all', [0], [45], 'UTC')"
