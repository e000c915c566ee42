"""The council's own billing pages (its site, ``/administration/billing/``): its invoices and usage."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
