"""The platform's public pages: what Patchwork is, for council buyers."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "onboarding/landing.html")
