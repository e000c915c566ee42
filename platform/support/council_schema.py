"""The one place support access enters a council's schema from the platform's side (SECURITY.md TEN-5, AZ-4).

Platform staff have no account in any council and their requests are served in ``public``. Support access
reaches into a council's schema for two things only: to write that council's own audit trail (and tell its
administrators) when an operator asks, and to read a granted page once ``support.services.pages`` has checked
the grant. Both go through ``in_council_schema``; the semgrep rule on schema switching allows this module and
no other in the app, so any new reach into a council has to come through here and be seen.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django_tenants.utils import tenant_context

from tenants.models import Council


@contextmanager
def in_council_schema(council: Council) -> Iterator[None]:
    """Run the block in ``council``'s schema, with the council as the connection's tenant (its selectors read
    its jurisdiction from there); back to where the connection was afterwards."""
    with tenant_context(council):
        yield
