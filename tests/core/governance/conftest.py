"""The client-page fixtures (a team around Jade Hughes), shared with tests/core/clients."""

from tests.core.clients.conftest import browser_as, team  # noqa: F401 -- fixtures
