"""Pages every site has, on the platform and in each council: accessibility statement, privacy."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.accessibility import statement_for


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The statement for the site asked: a council's (its jurisdiction) or the platform's (every jurisdiction)."""
    council = getattr(request, "council", None)
    return render(request, "pages/accessibility.html", statement_for(council.jurisdiction if council else None))


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")
