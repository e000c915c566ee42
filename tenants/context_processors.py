"""What every page needs to know about the site it is on: the platform, or which council."""

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    council = getattr(request, "council", None)
    if council is None:
        return {"council": None, "service_name": "Patchwork", "brand_colour": "#1d70b8"}
    return {"council": council, "service_name": council.name, "brand_colour": council.brand_colour}
