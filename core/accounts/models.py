"""A person who signs in, identified by their work email, within one schema (council or platform)."""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django_otp.models import Device


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("A user needs a work email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None → unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Signs in with a work email, a password and a second factor (django-otp)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("work email", max_length=254, unique=True, help_text="Stored in lower case.")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField("surname", max_length=100)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin (platform staff only).")
    date_joined = models.DateTimeField(auto_now_add=True)
    failed_sign_ins = models.PositiveSmallIntegerField(
        default=0, help_text="Consecutive failed attempts, at the password or the second-factor step."
    )
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name


class UserSession(models.Model):
    """A signed-in session, so that people can see theirs and end the others (SECURITY.md SES-3)."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"Session of {self.user_id}"


class BackupCodeDevice(Device):
    """Single-use backup codes for when the phone is not to hand (a django-otp device).

    Codes are stored only as keyed hashes (HMAC-SHA256 with the site's secret and the device), so a
    copy of the database or of a backup gives no working second factor.
    """

    class Meta:
        verbose_name = "backup codes"

    def verify_token(self, token: str) -> bool:
        """Use up one matching code. A code counts only for the request whose DELETE removed its row: two
        simultaneous sign-ins with the same code both find it, but the second DELETE waits for the first
        and then removes nothing, so exactly one of them succeeds."""
        digests = backup_code_digests(device_id=self.pk, code=token)
        matching = self.codes.filter(digest__in=digests).values_list("pk", flat=True).first()
        if matching is None:
            return False
        removed, _ = BackupCode.objects.filter(pk=matching, device_id=self.pk, digest__in=digests).delete()
        return removed == 1


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return "Backup code"


def backup_code_digest(*, device_id: int, code: str, key: str | None = None) -> str:
    message = f"{device_id}:{code.strip().lower()}".encode()
    return hmac.new((key or settings.SECRET_KEY).encode(), message, hashlib.sha256).hexdigest()


def backup_code_digests(*, device_id: int, code: str) -> list[str]:
    """The code's digest under the site's secret and under each secret it replaced (SECRET_KEY_FALLBACKS), so that
    rotating the secret leaves people's printed backup codes working until they are next replaced."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [backup_code_digest(device_id=device_id, code=code, key=key) for key in keys]
