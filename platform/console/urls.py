from django.urls import path

from console.views import council_status_change, councils

urlpatterns = [
    path("", councils, name="home"),
    path("councils/<slug:slug>/<slug:action>/", council_status_change, name="council-status-change"),
]
