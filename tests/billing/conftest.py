"""The council administrator, its agency and police, as the council's administration tests have them
(tests/core/administration.py): the council's billing page is one of its administration pages."""

from tests.core.administration import admin, as_admin, home_agency, police  # noqa: F401 -- fixtures
