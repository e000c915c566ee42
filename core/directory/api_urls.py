"""Directory API routes under /api/v1/: find colleagues, a colleague's profile, the agencies."""

from django.urls import path

from core.directory.apis import AgencyListApi, PractitionerDetailApi, PractitionerListApi

urlpatterns = [
    path("practitioners/", PractitionerListApi.as_view(), name="practitioner-list"),
    path("practitioners/<uuid:practitioner_id>/", PractitionerDetailApi.as_view(), name="practitioner-detail"),
    path("agencies/", AgencyListApi.as_view(), name="agency-list"),
]
