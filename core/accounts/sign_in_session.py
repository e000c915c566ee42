"""What the browser's session holds while someone signs in, and the session's side of signing in.

Between the password and the second factor the session holds a *pending* sign-in (who, since when),
never a signed-in user. When both factors have passed, the session is signed in with a new key
and its clocks start; the database's side (counting, the session's row, the trail) is
``core.accounts.services.sign_in``.
"""

import datetime

import django_otp
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device

from core.accounts.models import User
from core.accounts.services.passkeys import is_passkey, passkey_required
from core.accounts.services.sign_in import is_locked, sign_in_recorded
from core.accounts.session_timeout import session_start_clock
from core.accounts.signed_in import BACKEND
from core.audit.origin import Origin

PENDING_USER_KEY = "patchwork_pending_user_id"
PENDING_SINCE_KEY = "patchwork_pending_since"
PENDING_FOR = datetime.timedelta(minutes=10)  # time allowed between the password and the code
# Signed in with a code by someone the council requires to use a passkey: until they add one, the passkeys
# page is the only page they reach (core.accounts.access).
PASSKEY_NEEDED_KEY = "patchwork_passkey_needed"


def sign_in_pending_start(*, request: HttpRequest, user: User) -> None:
    """The password (or an accepted invitation) is done: the second factor comes next."""
    request.session.cycle_key()  # a new session key at each sign-in step (SES-3)
    request.session[PENDING_USER_KEY] = str(user.pk)
    request.session[PENDING_SINCE_KEY] = timezone.now().isoformat()


def pending_user(request: HttpRequest) -> User | None:
    """The account that passed the password step in this session, if recent and still allowed in."""
    user_id = request.session.get(PENDING_USER_KEY)
    since = request.session.get(PENDING_SINCE_KEY)
    if not user_id or not since:
        return None
    if timezone.now() - datetime.datetime.fromisoformat(since) > PENDING_FOR:
        sign_in_abandon(request=request)
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or is_locked(user):
        return None
    return user


def sign_in_complete(*, request: HttpRequest, user: User, device: Device) -> None:
    """Both factors passed: a fresh session key, the user and the device recorded in it."""
    sign_in_abandon(request=request)
    auth.login(request, user, backend=BACKEND)  # rotates the key
    django_otp.login(request, device)
    request.session.cycle_key()
    session_start_clock(request)
    if request.session.session_key is None:
        request.session.save()
    sign_in_recorded(
        user=user, device=device, session_key=request.session.session_key, origin=Origin.from_request(request)
    )
    if not is_passkey(device) and passkey_required(user):
        request.session[PASSKEY_NEEDED_KEY] = True


def passkey_needed(request: HttpRequest) -> bool:
    """Whether this session must add a passkey before going anywhere else."""
    return bool(request.session.get(PASSKEY_NEEDED_KEY))


def passkey_now_held(request: HttpRequest) -> None:
    request.session.pop(PASSKEY_NEEDED_KEY, None)


def sign_in_abandon(*, request: HttpRequest) -> None:
    for key in (PENDING_USER_KEY, PENDING_SINCE_KEY):
        request.session.pop(key, None)
