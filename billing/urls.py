"""The council's own billing pages (its site, ``/administration/billing/``): its invoices and usage."""

from django.urls import path

from billing.views import council_billing, council_invoice_document

urlpatterns = [
    path("", council_billing, name="council-billing"),
    path(
        "invoices/<uuid:invoice_id>/document.<slug:kind>",
        council_invoice_document,
        name="council-billing-invoice-document",
    ),
]
