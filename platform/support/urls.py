"""The council's side of support access (its site, ``/administration/support/``): requests, grants, history.

Decisions carry the request's id in the form rather than the address: a council's own page is the only place they
are made from, and an id that is not this council's answers 404 (support/views.py).
"""

from django.urls import path

from support.views import support, support_end_page, support_grant_page, support_refuse_page

urlpatterns = [
    path("", support, name="support"),
    path("grant/", support_grant_page, name="support-grant"),
    path("refuse/", support_refuse_page, name="support-refuse"),
    path("end/", support_end_page, name="support-end"),
]
