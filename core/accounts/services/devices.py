"""Second factors: an authenticator app (TOTP, enrolled with a QR code) and single-use backup codes.

No SMS (SECURITY.md AUTH-2). WebAuthn devices can join later as another django-otp device class.
"""

import secrets

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.accounts.models import BackupCode, BackupCodeDevice, User, backup_code_digest
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record

BACKUP_CODE_COUNT = 10
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are read off paper


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up for this user (made if there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_qr_code_data_uri(*, device: TOTPDevice) -> str:
    """The QR code an authenticator app scans, as a data: URI for an <img> (no inline SVG or script)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_secret_for_typing(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for people who type it into the app."""
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str, origin: Origin) -> list[str] | None:
    """Confirm the app with a code from it. Returns fresh backup codes, or None if the code is wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token.replace(" ", "").strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()  # one authenticator at a time
    audit_record(
        action=AuditAction.DEVICE_ENROLLED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="device",
        object_id=device.persistent_id,
    )
    return backup_codes_issue(user=user, origin=origin)


@transaction.atomic
def backup_codes_issue(*, user: User, origin: Origin) -> list[str]:
    """Replace the user's backup codes with new single-use ones, shown once and never stored in clear."""
    device, _ = BackupCodeDevice.objects.get_or_create(user=user, name="Backup codes", defaults={"confirmed": True})
    device.codes.all().delete()
    codes = ["".join(secrets.choice(BACKUP_ALPHABET) for _ in range(8)) for _ in range(BACKUP_CODE_COUNT)]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=backup_code_digest(device_id=device.pk, code=code)) for code in codes
    )
    audit_record(
        action=AuditAction.BACKUP_CODES_ISSUED,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=user.pk,
        object_type="device",
        object_id=device.persistent_id,
    )
    return codes
