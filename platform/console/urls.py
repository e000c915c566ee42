from django.urls import include, path

from console.views.audit import platform_audit
from console.views.backups import council_backup, council_backup_restore, council_backups, council_restore
from console.views.billing import billing_overview
from console.views.council import council_page
from console.views.councils import council_status_change, councils
from console.views.deliveries import council_delivery_retry, deliveries, platform_delivery_retry
from console.views.invoices import invoice_document, invoice_page, invoices_issue_page
from console.views.offboarding import council_offboarding, council_offboarding_certificate
from console.views.orders import order_approve_page, order_detail, order_reject_page, orders
from console.views.prices import prices
from console.views.provisioning import council_provisioning, council_provisioning_retry
from console.views.support import council_support, council_support_page, council_support_withdraw

# Named in the ``console`` namespace (``console:council``): the operator's pages of a council, its audit, billing
# and invoices.
console_patterns = [
    path("councils/<slug:slug>/", council_page, name="council"),
    path("audit/", platform_audit, name="audit"),
    path("billing/", billing_overview, name="billing"),
    path("invoices/<uuid:invoice_id>/", invoice_page, name="invoice"),
    path("invoices/<uuid:invoice_id>/document.<slug:kind>", invoice_document, name="invoice-document"),
    path("billing/issue/", invoices_issue_page, name="invoices-issue"),
]

urlpatterns = [
    path("", councils, name="home"),
    path("", include((console_patterns, "console"))),
    path("orders/", orders, name="orders"),
    path("orders/<slug:reference>/", order_detail, name="order"),
    path("orders/<slug:reference>/approve/", order_approve_page, name="order-approve"),
    path("orders/<slug:reference>/reject/", order_reject_page, name="order-reject"),
    path("billing/prices/", prices, name="prices"),
    path("deliveries/", deliveries, name="deliveries"),
    path("deliveries/platform/<int:notification_id>/retry/", platform_delivery_retry, name="platform-delivery-retry"),
    path(
        "deliveries/councils/<slug:slug>/<int:notification_id>/retry/",
        council_delivery_retry,
        name="council-delivery-retry",
    ),
    path("councils/<slug:slug>/provisioning/", council_provisioning, name="council-provisioning"),
    path("councils/<slug:slug>/provisioning/retry/", council_provisioning_retry, name="council-provisioning-retry"),
    path("councils/<slug:slug>/backups/", council_backups, name="council-backups"),
    path("councils/<slug:slug>/backups/<int:backup_id>/", council_backup, name="council-backup"),
    path(
        "councils/<slug:slug>/backups/<int:backup_id>/restore/", council_backup_restore, name="council-backup-restore"
    ),
    path("councils/<slug:slug>/restores/<int:restore_id>/", council_restore, name="council-restore"),
    path("councils/<slug:slug>/offboarding/", council_offboarding, name="council-offboarding"),
    path(
        "councils/<slug:slug>/offboarding/certificate.<slug:kind>",
        council_offboarding_certificate,
        name="council-offboarding-certificate",
    ),
    path("councils/<slug:slug>/support/", council_support, name="council-support"),
    path("councils/<slug:slug>/support/withdraw/", council_support_withdraw, name="council-support-withdraw"),
    path("councils/<slug:slug>/support/<slug:scope>/", council_support_page, name="council-support-page"),
    path("councils/<slug:slug>/<slug:action>/", council_status_change, name="council-status-change"),
]
