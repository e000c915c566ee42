"""In production the export goes to the private S3 bucket, encrypted with KMS, under the council's prefix, and
is deleted after the download.

S3 is the outside world: it is played by ``moto`` (``mock_aws``), the only thing faked here. The storage is set
exactly as ``platform/config/settings/production.py`` sets ``STORAGES["private"]``.
"""

from collections.abc import Iterator

import boto3
import pytest
from django.test import Client as Browser
from django_tenants.utils import schema_context
from moto import mock_aws

from core.subject_access.models import SubjectAccessRequest
from core.subject_access.services.exports import download_token
from tenants.models import Council
from tests.core.subject_access.conftest import Held
from tests.core.subject_access.test_export import exported

BUCKET = "patchwork-eu-west-2-private"
REGION = "eu-west-2"


@pytest.fixture
def s3(settings: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {  # type: ignore[attr-defined]
            **settings.STORAGES,  # type: ignore[attr-defined]
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": REGION,
                    "location": "private",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                    "object_parameters": {"ServerSideEncryption": "aws:kms"},
                },
            },
        }
        yield client


def _keys(s3: object) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="private/subject-access/")  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_the_export_is_written_encrypted_under_the_council_and_deleted_after_download(
    s3: object, as_officer: Browser, council_a: Council, held: Held, django_capture_on_commit_callbacks: object
) -> None:
    sar = exported(held, council_a)
    assert sar.state == SubjectAccessRequest.State.READY
    keys = _keys(s3)
    prefix = f"private/subject-access/{council_a.schema_name}/{sar.pk}/"
    assert len(keys) == 3
    assert all(key.startswith(prefix) for key in keys)
    for key in keys:
        head = s3.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
        assert head["ServerSideEncryption"] == "aws:kms"
        acl = s3.get_object_acl(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
        assert all(grant["Grantee"].get("URI") is None for grant in acl["Grants"])  # no public grant

    with schema_context(council_a.schema_name):
        link = f"/privacy-officer/subject-access/download/{download_token(sar)}/"
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = as_officer.post(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert _keys(s3) == []
