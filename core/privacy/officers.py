"""Who may use the privacy officer's pages (access reports, alerts, subject access, retention and erasure)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.directory.models import Practitioner


def privacy_officer_of(request: HttpRequest) -> Practitioner:
    """The signed-in practitioner if they are an active privacy officer of this council; refused otherwise."""
    officer = Practitioner.objects.select_related("user", "agency").filter(user=request.user).first()
    if officer is None or not officer.is_privacy_officer or not officer.user.is_active:
        raise PermissionDenied("Only the council's privacy officers use these pages.")
    return officer
