"""The team around Jade Hughes (tests/core/clients/conftest.py), reused: Maya (lead), Nia (school nurse), Rory (a
sensitive recovery service, a placeholder to other agencies); Petra (the same service, not in the team) and Otto
(Maya's agency, in no team)."""

from tests.core.clients.conftest import Team, browser_as, team, text_of

__all__ = ["Team", "browser_as", "team", "text_of"]
