"""The council site's home page. Until the practitioner journeys exist it proves where you are."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.home.selectors import council_overview


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home/home.html", {"overview": council_overview(user=request.user)})
