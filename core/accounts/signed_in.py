"""Who is signed in, with which second factor, read in one query (docs/adr/0012).

Django's ``AuthenticationMiddleware`` reads the user (one query) and django-otp's ``OTPMiddleware`` then
reads the device that verified them (a second); most pages then read the user's practitioner (a third).
Here the device named in the session is read with its user and, in a council's schema, the user's
practitioner and agency, in one query — and then handed to Django's own ``auth.get_user``, which does every check it
always does (the session's backend, the password-hash check that ends sessions when the password changes,
an inactive account refused), through ``SignedInBackend.get_user`` below. django-otp's own rules follow: the
device must belong to that user and be confirmed, or the session is not verified and forgets the device.

When the session names no device (between the password and the second factor), or the device has gone,
the user is read on its own, as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from core.compiled_queries import CompiledQuery

BACKEND = "core.accounts.signed_in.SignedInBackend"

_read_with_device: ContextVar[Any] = ContextVar("patchwork_user_read_with_device", default=None)


class SignedInBackend(ModelBackend):
    """Django's ModelBackend, whose ``get_user`` takes the user already read with the session's device."""

    def get_user(self, user_id: Any) -> Any:
        user = _read_with_device.get()
        if user is None or str(user.pk) != str(user_id):
            user = self._user_with_practitioner(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_with_practitioner(user_id: Any) -> Any:
        users = auth.get_user_model()._default_manager.filter(pk=user_id)
        if _practitioners_here():
            users = users.select_related("practitioner__agency")
        return users.first()


class SignedInMiddleware(OTPMiddleware):
    """django-otp's middleware, reading the user and their device together (in place of two queries)."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        device = _device_with_user(request.session.get(DEVICE_ID_SESSION_KEY))
        with _user_read(device.user if device is not None else None):
            user = auth.get_user(request)  # every check of Django's; the backend takes the user just read
        self._init_user_fields(user)
        if user.is_authenticated:
            user.otp_device = self._finalize_device(request, user, device)
        return user


def _device_with_user(persistent_id: str | None) -> Device | None:
    """The device named in the session, with its user (and practitioner); django-otp's own lookup, one join more,
    compiled once per kind of device (ADR 0013): building this four-table query took about 1 ms of Python on
    every signed-in request, for a statement PostgreSQL answers in a tenth of that."""
    if not persistent_id:
        return None
    persistent_id = OTPMiddleware._normalize_persistent_id(persistent_id)
    try:
        devices = Device._filter_persistent_id(persistent_id)  # django-otp's parsing and checks
        device_id = int(persistent_id.rsplit("/", 1)[1])
    except (ValueError, LookupError):
        return None
    if devices is None or not BIGINT_MIN <= device_id <= BIGINT_MAX:
        return None
    model = devices.model
    query = _DEVICE_READS.get(model)
    if query is None:
        compiled = CompiledQuery(partial(_device_queryset, model), device_id=model._meta.pk)
        query = _DEVICE_READS.setdefault(model, compiled)
    found = query.rows(shape=(_practitioners_here(),), device_id=device_id)
    return found[0] if found else None


def _device_queryset(model: type[Device], practitioners_here: bool, *, device_id: Any) -> QuerySet[Device]:
    related = ["user", "user__practitioner__agency"] if practitioners_here else ["user"]
    return model.objects.filter(pk=device_id).select_related(*related).order_by("pk")[:1]


BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1  # a device id beyond these is no device (and no query)
_DEVICE_READS: dict[type[Device], CompiledQuery] = {}


@contextmanager
def _user_read(user: Any) -> Iterator[None]:
    token = _read_with_device.set(user)
    try:
        yield
    finally:
        _read_with_device.reset(token)


def _practitioners_here() -> bool:
    """Practitioners live in councils' schemas; the platform's schema (its staff) has none."""
    return connection.schema_name != "public"
