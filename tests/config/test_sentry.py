"""Sentry is off without a DSN or at a host nobody allowed, and events never carry personal data."""

import logging

import pytest
import sentry_sdk

from config.sentry import REDACTED, scrub_event, scrub_text, sentry_host_allowed, sentry_init

DSN = "https://0123456789abcdef@o42.ingest.us.sentry.io/7"


def test_sentry_is_not_started_without_a_dsn() -> None:
    assert sentry_init(dsn="", environment="test") is False


@pytest.mark.parametrize("allowed", [(), ("sentry.patchwork.example",), ("ingest.us.sentry.io",)])
def test_sentry_refuses_to_start_for_a_dsn_whose_host_is_not_allowed(
    allowed: tuple[str, ...], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="config.sentry"):
        assert sentry_init(dsn=DSN, environment="test", allowed_hosts=allowed) is False
    assert not sentry_sdk.get_client().is_active()  # nothing could be sent
    assert "'o42.ingest.us.sentry.io' is not in SENTRY_ALLOWED_HOSTS" in caplog.text
    assert "0123456789abcdef" not in caplog.text  # the DSN's key is a secret


def test_only_a_dsn_at_an_allowed_host_may_start_sentry() -> None:
    assert sentry_host_allowed(dsn=DSN, allowed_hosts=["o42.ingest.us.sentry.io"])
    assert sentry_host_allowed(dsn=DSN, allowed_hosts=[" O42.ingest.us.sentry.io "])
    assert not sentry_host_allowed(dsn=DSN, allowed_hosts=[])
    assert not sentry_host_allowed(
        dsn="https://key@o42.ingest.us.sentry.io.evil.example/7", allowed_hosts=["o42.ingest.us.sentry.io"]
    )
    assert not sentry_host_allowed(dsn="not a dsn", allowed_hosts=["", "o42.ingest.us.sentry.io"])


def test_personal_data_is_removed_from_text() -> None:
    text = "Lookup failed for jo.bloggs@staffs-police.example, 07700 900 123, WS13 6YY, NHS 943 476 5919, 14/03/2015"
    scrubbed = scrub_text(text)
    for personal in ["jo.bloggs@staffs-police.example", "07700 900 123", "WS13 6YY", "943 476 5919", "14/03/2015"]:
        assert personal not in scrubbed
    assert scrubbed.startswith("Lookup failed for")
    assert scrubbed.count(REDACTED) == 5


def test_event_keeps_what_debugging_needs_and_drops_the_rest() -> None:
    event = {
        "message": "Client search failed for jo@example.org",
        "request": {
            "method": "POST",
            "url": "https://alpha.patchwork.example/clients/search/?surname=Bloggs",
            "data": {"surname": "Bloggs", "date_of_birth": "2015-03-14"},
            "cookies": {"__Host-patchwork-session": "abc"},
            "headers": {"User-Agent": "x"},
            "query_string": "surname=Bloggs",
        },
        "user": {"id": "0b5d", "email": "sam@alpha.example", "username": "sam"},
        "extra": {"client": "Jo Bloggs"},
        "exception": {
            "values": [
                {
                    "value": "No client with date of birth 2015-03-14",
                    "stacktrace": {"frames": [{"function": "client_search", "vars": {"surname": "Bloggs"}}]},
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {
                    "message": "SELECT ... WHERE surname = 'x' AND email = 'jo@example.org'",
                    "data": {"params": ["Bloggs"]},
                }
            ]
        },
    }
    scrubbed = scrub_event(event, None)
    assert scrubbed["request"] == {"method": "POST", "url": "https://alpha.patchwork.example/clients/search/"}
    assert scrubbed["user"] == {"id": "0b5d"}
    assert "extra" not in scrubbed
    assert "jo@example.org" not in scrubbed["message"]
    assert "2015-03-14" not in scrubbed["exception"]["values"][0]["value"]
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    crumb = scrubbed["breadcrumbs"]["values"][0]
    assert "data" not in crumb
    assert "jo@example.org" not in crumb["message"]
    # Names cannot be recognised in free text, so they must never be put there: the structured parts
    # that could hold them (request data, query string, local variables, breadcrumb data) are dropped.
    assert "Bloggs" not in repr(scrubbed)
