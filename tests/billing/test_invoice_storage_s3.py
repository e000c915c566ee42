"""In production an invoice's documents go to the private S3 bucket, encrypted with KMS, under ``invoices/``, and are
read back from there for the console and the email; if S3 cannot take them, the invoice is not issued.

S3 is the outside world: it is played by ``moto`` (``mock_aws``), the only thing faked here. The storage is set
exactly as ``platform/config/settings/production.py`` sets ``STORAGES["private"]``.
"""

import hashlib
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from billing.documents import invoice_document_open
from billing.models import Invoice
from billing.services.invoices import invoice_issue
from core.notifications.models import Notification
from tenants.jurisdictions import Jurisdiction
from tests.billing.test_invoices import (
    NOVEMBER,
    Billed,
    billed,
    counted,
    operator,
    pdf_text,
    private_folder,
    series_last,
    today,
)

__all__ = ["billed", "operator", "private_folder", "today"]  # the fixtures, shared with test_invoices.py

pytestmark = pytest.mark.platform_side

BUCKET = "patchwork-eu-west-2-private"
REGION = "eu-west-2"


def _s3_private_storage(bucket: str) -> dict[str, object]:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "region_name": REGION,
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "aws:kms"},
        },
    }


@pytest.fixture
def s3(billed: Billed, settings: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
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
        client.put_public_access_block(
            Bucket=BUCKET,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        settings.STORAGES = {**settings.STORAGES, "private": _s3_private_storage(BUCKET)}  # type: ignore[attr-defined]
        yield client


def _keys(s3: object) -> list[str]:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="private/")  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_the_documents_are_stored_privately_encrypted_under_invoices_and_read_back_from_s3(
    s3: object, billed: Billed
) -> None:
    counted(billed.alpha, NOVEMBER, 142)

    invoice = invoice_issue(council=billed.alpha, period=NOVEMBER)

    assert _keys(s3) == [
        f"private/invoices/england/{invoice.number}.html",
        f"private/invoices/england/{invoice.number}.pdf",
    ]
    for key in _keys(s3):
        head = s3.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
        assert head["ServerSideEncryption"] == "aws:kms"
        acl = s3.get_object_acl(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
        assert all(grant["Grantee"].get("URI") is None for grant in acl["Grants"])  # no public or all-users grant
    stored = s3.get_object(Bucket=BUCKET, Key=f"private/{invoice.pdf_name}")["Body"].read()  # type: ignore[attr-defined]
    assert hashlib.sha256(stored).hexdigest() == invoice.pdf_sha256
    assert invoice_document_open(invoice=invoice, kind="pdf") == stored
    assert invoice.number in pdf_text(stored)
    [email] = Notification.objects.filter(subject__contains=invoice.number)
    assert bytes(email.attachment_data) == stored


def test_an_invoice_whose_documents_s3_refuses_is_not_issued_and_its_number_is_given_back(
    s3: object, billed: Billed, settings: object
) -> None:
    counted(billed.alpha, NOVEMBER, 142)
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "private": _s3_private_storage("a-bucket-that-does-not-exist"),
    }
    before = series_last(Jurisdiction.ENGLAND)

    with pytest.raises(Exception, match="NoSuchBucket"):
        invoice_issue(council=billed.alpha, period=NOVEMBER)

    assert series_last(Jurisdiction.ENGLAND) == before
    assert not Invoice.objects.filter(council=billed.alpha).exists()
    assert not Notification.objects.filter(to="accounts.payable@alpha.example").exists()
    assert _keys(s3) == []
