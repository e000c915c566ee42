"""The council site's home page: the practitioner's dashboard (journey 1)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.home.selectors import home_page_for


def home(request: HttpRequest) -> HttpResponse:
    page = home_page_for(user=request.user, today=timezone.localdate())
    if page.practitioner is not None:
        request.user.practitioner = page.practitioner  # the navigation reads it: no second query
    return render(request, "home/home.html", {"page": page, "today": timezone.localdate()})
