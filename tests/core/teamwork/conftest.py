"""Fixtures for the team's messages and meetings: the team around Jade Hughes (tests/core/clients/conftest.py)."""

from tests.core.clients.conftest import browser_as, team  # noqa: F401 -- fixtures
