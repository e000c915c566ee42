"""What an API client may be allowed to do, and which API routes each permission opens.

A client is refused every route not listed here (adding or correcting clients, invitations, the practitioner's
own account…): deny by default, as for pages.
"""

TEAMS_READ = "teams:read"
INVOLVEMENTS_WRITE = "involvements:write"

SCOPES = {
    TEAMS_READ: "Read the teams around clients, search for clients and read the directory",
    INVOLVEMENTS_WRITE: "Start, update and end the involvements of the agency's own practitioners",
}
SCOPE_CHOICES = list(SCOPES.items())

# The name of each /api/v1/ route (namespace "api-v1") an API client may call, and the scope it needs.
ROUTE_SCOPES = {
    "client-search": TEAMS_READ,
    "client-team": TEAMS_READ,
    "client-fhir-care-team": TEAMS_READ,
    "practitioner-list": TEAMS_READ,
    "practitioner-detail": TEAMS_READ,
    "agency-list": TEAMS_READ,
    "client-involvement-start": INVOLVEMENTS_WRITE,
    "client-involvement-mine": INVOLVEMENTS_WRITE,
    "client-involvement-mine-end": INVOLVEMENTS_WRITE,
}
# Routes any client may read whatever its scopes: the API's own description.
ANY_SCOPE_ROUTES = {"schema"}


def scope_for_route(url_name: str | None) -> str | None:
    """The scope a route needs of an API client; None when API clients may not use it at all."""
    return ROUTE_SCOPES.get(url_name or "")
