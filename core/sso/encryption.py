"""Providers' client secrets, encrypted at rest (Fernet; several keys so that a key can be rotated).

The keys come from ``settings.SSO_SECRET_KEYS`` (the environment; production refuses to start without
them). Where that is empty — development and tests — one key is derived from ``SECRET_KEY`` by HKDF,
so that nothing secret sits in the repository and a database copied elsewhere cannot be read with it.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_HKDF_INFO = b"patchwork single sign-on client secrets"


def _derived_key() -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(key)


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in getattr(settings, "SSO_SECRET_KEYS", []) if key.strip()]
    return MultiFernet([Fernet(key) for key in keys] if keys else [Fernet(_derived_key())])


def secret_encrypt(plain: str) -> str:
    """The secret as stored: a Fernet token under the first (newest) key."""
    return _fernet().encrypt(plain.encode()).decode()


def secret_decrypt(stored: str) -> str:
    """The plain secret, for the one request that sends it to the provider. Any of the keys may open it."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken as error:
        raise ValueError("The client secret cannot be decrypted with the configured keys.") from error
