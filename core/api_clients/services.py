"""Create, rotate and revoke an agency's API client: a council administrator's acts, each audited.

The secret exists in clear only in what these services return: django-oauth-toolkit stores its hash, so the
page that shows it once is the only copy.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application, RefreshToken

from core.api_clients.models import ApiClient
from core.api_clients.scopes import SCOPES
from core.audit.models import AuditAction, AuditOutcome
from core.audit.origin import Origin
from core.audit.services.events import audit_record
from core.directory.models import Agency, Practitioner


@dataclass(frozen=True)
class IssuedCredentials:
    """What the administrator copies into the agency's system: shown once, never stored in clear."""

    api_client: ApiClient
    client_id: str
    client_secret: str


def _administrator_check(*, actor: Practitioner, origin: Origin, object_id: object) -> None:
    if not actor.is_council_admin:
        audit_record(
            action=AuditAction.ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            origin=origin,
            actor_id=actor.user_id,
            object_type="api_client",
            object_id=object_id,
            reason="only council administrators manage API clients",
        )
        raise PermissionDenied("Only council administrators manage API clients.")


def _tokens_delete(application: Application) -> int:
    """Every token of the client stops working at once (refresh tokens first: they point at access tokens)."""
    RefreshToken.objects.filter(application=application).delete()
    deleted, _ = AccessToken.objects.filter(application=application).delete()
    return deleted


def api_client_create(
    *, actor: Practitioner, agency: Agency, name: str, scopes: list[str], origin: Origin
) -> IssuedCredentials:
    """A new client for the agency's system, with the scopes it needs (a subset of ``SCOPES``)."""
    _administrator_check(actor=actor, origin=origin, object_id=agency.pk)
    name = name.strip()
    chosen = sorted(set(scopes))
    if not name:
        raise ValidationError({"name": ["Enter the name of the system."]})
    if not chosen or not set(chosen) <= set(SCOPES):
        raise ValidationError({"scopes": ["Choose what the system may do."]})
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application.objects.create(
            name=f"{agency.name}: {name}"[:255],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        api_client = ApiClient.objects.create(
            agency=agency, name=name, scopes=chosen, application=application, created_by=actor
        )
        audit_record(
            action=AuditAction.API_CLIENT_CREATED,
            outcome=AuditOutcome.SUCCESS,
            origin=origin,
            actor_id=actor.user_id,
            object_type="api_client",
            object_id=api_client.pk,
            related_ids=[agency.pk],
            changes={"name": {"old": None, "new": name}, "scopes": {"old": None, "new": chosen}},
        )
    return IssuedCredentials(api_client=api_client, client_id=application.client_id, client_secret=secret)


@transaction.atomic
def _secret_replaced(*, actor: Practitioner, api_client: ApiClient, secret: str, action: str, origin: Origin) -> None:
    """The client's secret replaced (hashed by django-oauth-toolkit) and every token ended, in one transaction, with
    its audit row: what rotating and revoking share."""
    application = Application.objects.select_for_update().get(pk=api_client.application_id)
    application.client_secret = secret
    application.save(update_fields=["client_secret", "updated"])
    tokens = _tokens_delete(application)
    if action == AuditAction.API_CLIENT_REVOKED:
        api_client.revoked_at = timezone.now()
        api_client.save(update_fields=["revoked_at"])
    else:
        api_client.rotated_at = timezone.now()
        api_client.save(update_fields=["rotated_at"])
    audit_record(
        action=action,
        outcome=AuditOutcome.SUCCESS,
        origin=origin,
        actor_id=actor.user_id,
        object_type="api_client",
        object_id=api_client.pk,
        related_ids=[api_client.agency_id],
        reason=f"{tokens} access token(s) ended",
    )


def api_client_rotate(*, actor: Practitioner, api_client: ApiClient, origin: Origin) -> IssuedCredentials:
    """A new secret: the old one, and every token issued with it, stop working now."""
    _administrator_check(actor=actor, origin=origin, object_id=api_client.pk)
    if api_client.is_revoked:
        raise ValidationError("A revoked API client cannot be given a new secret.")
    secret = generate_client_secret()
    _secret_replaced(
        actor=actor, api_client=api_client, secret=secret, action=AuditAction.API_CLIENT_ROTATED, origin=origin
    )
    client_id = Application.objects.values_list("client_id", flat=True).get(pk=api_client.application_id)
    return IssuedCredentials(api_client=api_client, client_id=client_id, client_secret=secret)


def api_client_revoke(*, actor: Practitioner, api_client: ApiClient, origin: Origin) -> ApiClient:
    """The client is refused from now on: its tokens are deleted and its secret replaced by one nobody knows."""
    _administrator_check(actor=actor, origin=origin, object_id=api_client.pk)
    if api_client.is_revoked:
        return api_client
    _secret_replaced(  # hashed and forgotten: nobody holds the new secret
        actor=actor,
        api_client=api_client,
        secret=generate_client_secret(),
        action=AuditAction.API_CLIENT_REVOKED,
        origin=origin,
    )
    return api_client


EXPIRED_TOKENS_KEPT_FOR = datetime.timedelta(hours=1)


def api_client_tokens_expired_clear() -> int:
    """Delete access tokens that expired over an hour ago (they open nothing; they only fill the table). Client
    credentials have no refresh tokens. How many were deleted."""
    deleted, _ = AccessToken.objects.filter(expires__lt=timezone.now() - EXPIRED_TOKENS_KEPT_FOR).delete()
    return deleted
