"""Demo accounts' second factor: a known authenticator key and a reusable-looking backup code.

Demo only (the demo command refuses to run with production settings): every demo account gets the
same authenticator key, printed by the demo command, and a stock of one-time backup codes that all
read the same, so a newcomer can sign in without a phone. Running the demo again tops them up.
"""

import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from core.accounts.models import BackupCode, BackupCodeDevice, User, backup_code_digest

DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238's published test key
DEMO_BACKUP_CODE = "demo2fa"
DEMO_BACKUP_STOCK = 50


def demo_totp_key_base32() -> str:
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode()


def demo_second_factor_install(*, user: User) -> None:
    TOTPDevice.objects.get_or_create(
        user=user, name="Demo authenticator", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
    )
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, name="Demo backup codes", defaults={"confirmed": True}
    )
    missing = DEMO_BACKUP_STOCK - device.codes.count()
    digest = backup_code_digest(device_id=device.pk, code=DEMO_BACKUP_CODE)
    BackupCode.objects.bulk_create(BackupCode(device=device, digest=digest) for _ in range(max(missing, 0)))
