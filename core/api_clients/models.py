"""An agency's case-management system, allowed to keep its practitioners' teams current (OAuth 2.0).

The credentials are django-oauth-toolkit's ``Application`` (client credentials, confidential, its secret
hashed); this row says whose system it is, what it may do, and whether it still may.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.api_clients.scopes import SCOPE_CHOICES


class ApiClient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(max_length=120, help_text='Which system this is, e.g. "Mosaic (children\'s services)".')
    scopes = ArrayField(models.CharField(max_length=40, choices=SCOPE_CHOICES))
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    created_by = models.ForeignKey(
        "directory.Practitioner", on_delete=models.PROTECT, related_name="api_clients_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"API client {self.name} ({self.agency.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def client_id(self) -> str:
        return self.application.client_id
