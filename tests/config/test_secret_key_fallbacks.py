"""Rotating SECRET_KEY in production: the keys it replaced, in SECRET_KEY_FALLBACKS, still open what they signed."""

from django.core import signing

from tests.config.test_settings import PRODUCTION_ENV, _settings

OLD_KEY, NEW_KEY = "o" * 50, "n" * 50


def _opens(token: str, env: dict[str, str]) -> str:
    result = _settings(
        "config.settings.production",
        PRODUCTION_ENV | env,
        f"__import__('django.core.signing').core.signing.loads({token!r}, salt='rotation')",
    )
    return result.stdout.strip() if result.returncode == 0 else result.stderr.strip().splitlines()[-1]


def test_a_signature_made_with_the_replaced_key_is_accepted_while_it_is_a_fallback() -> None:
    token = signing.dumps("still signed in", key=OLD_KEY, salt="rotation")

    assert _opens(token, {"SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": f"{OLD_KEY}, {'f' * 50}"}) == (
        "'still signed in'"
    )


def test_once_the_replaced_key_is_no_longer_a_fallback_its_signatures_are_refused() -> None:
    token = signing.dumps("still signed in", key=OLD_KEY, salt="rotation")

    assert "BadSignature" in _opens(token, {"SECRET_KEY": NEW_KEY})
    assert "BadSignature" in _opens(token, {"SECRET_KEY": NEW_KEY, "SECRET_KEY_FALLBACKS": ""})


def test_without_fallbacks_production_has_none() -> None:
    result = _settings("config.settings.production", PRODUCTION_ENV, "settings.SECRET_KEY_FALLBACKS")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
