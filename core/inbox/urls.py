"""The notification centre, on every council's site."""

from django.urls import path

from core.inbox import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/<uuid:notice_id>/", views.notification_open, name="notification-open"),
]
