"""Fixtures for council-side tests of administration (tests/core/administration.py), shared by the directory
and council set-up tests; a module that needs other people or agencies defines its own."""

from tests.core.administration import admin, as_admin, home_agency, police  # noqa: F401 -- fixtures
