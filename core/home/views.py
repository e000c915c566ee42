"""The council site's home page: the practitioner's dashboard (journey 1)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.council.selectors import council_support_contact, setting_up_by
from core.home.selectors import home_page_for


def home(request: HttpRequest) -> HttpResponse:
    if setting_up_by(council=request.council, user=request.user):  # type: ignore[attr-defined]
        return redirect("council-setup")  # an administrator of a configuring council starts with the checklist
    page = home_page_for(user=request.user, today=timezone.localdate())
    if page.practitioner is not None:
        request.user.practitioner = page.practitioner  # the navigation reads it: no second query
    context = {"page": page, "today": timezone.localdate(), "support_contact": council_support_contact()}
    return render(request, "home/home.html", context)
