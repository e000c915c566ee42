"""Pages every site has, on the platform and in each council: accessibility statement, privacy."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")
