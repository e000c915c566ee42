"""The council's side of support access (its site, ``/administration/support/``): requests, grants, history."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
