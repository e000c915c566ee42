"""How each thing that refers to a client appears in the subject access export.

One ``Section`` per model that refers to a client (core/subject_access/coverage.py finds them): its title,
the fields shown (every field, in the model's order, unless listed), those deliberately left out and why.
Two fields need no entry: the row's own key and the key that points at this client. A related row is shown
by its name, never its id (a practitioner as "Name (Agency)", an agency, a legal basis, a family by name).

Adding a model is one line — ``Section("retention.LegalHold", "Legal holds")`` shows every field — and the
coverage test fails until it is added. ``FREE_FORM`` says, for every field elsewhere that could hold a
client's id without being a key, whether it does and how the export finds those rows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from core.subject_access.coverage import CLIENT, model_fields

KEY = "the row's own internal reference"
THIS_CLIENT = "it is this client"


@dataclass(frozen=True)
class Section:
    model: str
    title: str
    about: str = ""
    show: tuple[str, ...] | None = None  # None: every field not left out, in the model's order
    left_out: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    order_by: tuple[str, ...] = ("pk",)
    # An extra column computed for the client in one query: (label, client_id -> (row -> value)).
    extra: tuple[str, Callable[[object], Callable[[models.Model], Any]]] | None = None

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def automatic(self, model: type[models.Model]) -> dict[str, str]:
        """Fields every section leaves out without saying: the primary key, and a key pointing at the client."""
        out = {}
        for item in model_fields(model):
            if item.primary_key and self.model != CLIENT:
                out[item.name] = KEY
            elif item.is_relation and item.related_model is apps.get_model(CLIENT):
                out[item.name] = THIS_CLIENT
        return out

    def shown(self, model: type[models.Model]) -> list[models.Field]:
        by_name = {item.name: item for item in model_fields(model)}
        if self.show is not None:
            return [by_name[name] for name in self.show if name in by_name]
        hidden = set(self.left_out) | set(self.automatic(model))
        return [item for item in by_name.values() if item.name not in hidden]

    def classified_fields(self, model: type[models.Model]) -> set[str]:
        """Every field this section says something about (shown, or left out with a reason)."""
        if self.show is None:
            return {item.name for item in model_fields(model)} | set(self.left_out)
        return set(self.show) | set(self.left_out) | set(self.automatic(model))

    def label_of(self, item: models.Field) -> str:
        if item.name in self.labels:
            return self.labels[item.name]
        text = str(item.verbose_name)
        return text[:1].upper() + text[1:]


def _family_others(client_id: object) -> Callable[[models.Model], Any]:
    """The other members of each family the client belongs to: "Kai Hughes (Sibling)" (one query)."""
    from core.clients.models import FamilyMember

    others: dict[object, list[str]] = {}
    members = (
        FamilyMember.objects.filter(family__members__client_id=client_id)
        .exclude(client_id=client_id)
        .select_related("client")
        .order_by("client__surname", "client__first_name")
    )
    for member in members:
        others.setdefault(member.family_id, []).append(f"{member.client} ({member.get_relationship_display()})")
    return lambda row: others.get(row.family_id, [])  # type: ignore[attr-defined]


EXPORT_OWN = "where this export's own files are kept, and their checks: not information about the client"

SECTIONS: dict[str, Section] = {
    section.model: section
    for section in (
        Section(
            "clients.Client",
            "The client's record",
            "The details that identify the client, and the basis on which the council holds them.",
            labels={"id": "Client reference", "legal_basis": "Legal basis", "created_by": "Added by"},
        ),
        Section("clients.ClientAlias", "Previous names and other names", order_by=("surname", "first_name", "pk")),
        Section(
            "clients.FamilyMember",
            "Family and household",
            "The families the client belongs to, their relationship, and who else is in each family.",
            extra=("Others in the family", _family_others),
            order_by=("family__name", "pk"),
        ),
        Section(
            "clients.Involvement",
            "The team around the client",
            "Every practitioner who is or was involved, including services whose involvement is sensitive: "
            "this export is the council's own record, not a practitioner's view of it.",
            order_by=("started_on", "created_at", "pk"),
        ),
        Section("clients.TeamActivity", "Changes in the team", order_by=("occurred_at", "pk")),
        Section("clients.TeamInvitation", "Colleagues invited to the team", order_by=("created_at", "pk")),
        Section(
            "clients.Consent",
            "Consent",
            "Consent given to share the involvement of services the council shows only with consent.",
            order_by=("given_on", "recorded_at", "pk"),
        ),
        Section("clients.JoinRequest", "Requests to join the team", order_by=("requested_at", "pk")),
        Section(
            "clients.BreakGlassAccess",
            "Emergency (break-glass) access to the team",
            order_by=("opened_at", "pk"),
        ),
        Section(
            "teamwork.TeamMessage",
            "Messages to the team",
            "Short messages practitioners sent to the team around the client, and to whom.",
            order_by=("sent_at", "pk"),
        ),
        Section("teamwork.Meeting", "Team meetings", order_by=("starts_at", "pk")),
        Section(
            "teamwork.MeetingInvitation",
            "Who was invited to each meeting, and their replies",
            order_by=("meeting__starts_at", "pk"),
        ),
        Section("teamwork.TeamTask", "Tasks in the team", order_by=("created_at", "pk")),
        Section(
            "teamwork.InvolvementCheck",
            "Asking practitioners whether they were still involved",
            order_by=("asked_at", "pk"),
        ),
        Section(
            "subject_access.SubjectAccessRequest",
            "Subject access requests",
            "Requests for this information, this one included.",
            left_out={
                "files": EXPORT_OWN,
                "download_nonce": "the download link's single-use secret",
                "error": "the export's own progress",
                "steps_done": "the export's own progress",
                "steps_total": "the export's own progress",
            },
            order_by=("received_on", "recorded_at", "pk"),
        ),
        Section(
            "subject_access.SubjectAccessExtension",
            "Extensions of the time to answer",
            order_by=("extended_at", "pk"),
        ),
        Section(
            "retention.LegalHold",
            "Legal holds",
            "Holds that keep the record whatever the retention schedule says, for example during proceedings.",
            order_by=("placed_at", "pk"),
        ),
        Section(
            "retention.ErasureRequest",
            "Requests for erasure",
            "Requests to erase the record, and the council's decision on each.",
            left_out={"client_reference": THIS_CLIENT},
            order_by=("received_on", "recorded_at", "pk"),
        ),
    )
}


@dataclass(frozen=True)
class FreeForm:
    """A field that could hold a client's id without being a key: whether it does, and how, or why not."""

    holds_client_ids: bool
    how: str


FREE_FORM: dict[str, FreeForm] = {
    "audit.AuditEvent.object_id": FreeForm(
        True,
        "the client, or one of its involvements, consents, join requests, break-glass accesses or invitations: "
        "the access history (core/privacy/selectors.py client_access_events)",
    ),
    "audit.AuditEvent.related_ids": FreeForm(
        True, "a search's results, a family member's team view: the access history"
    ),
    "audit.AuditEvent.changes": FreeForm(
        True, "a correction's old and new values, on an event whose object is the client: shown in the access history"
    ),
    "audit.AuditEvent.actor_id": FreeForm(False, "the account that acted: a practitioner, shown by name"),
    "governance.Alert.evidence": FreeForm(
        True, "client_ids (an anomaly) and client_id (a break-glass): the alerts section"
    ),
    "inbox.Notice.client_id": FreeForm(
        True, "what practitioners were told in the app about the client's team: the notices section"
    ),
    "notifications.Notification.attachment_text": FreeForm(
        True, "a meeting's calendar invitation, which links to the client's team page: the emails section"
    ),
    "notifications.Notification.idempotency_key": FreeForm(False, "a random key that identifies one delivery"),
    "notifications.Notification.body": FreeForm(
        True, "links to the client's pages in emails sent to practitioners: the emails section"
    ),
    "governance.LegalBasis.description": FreeForm(False, "the council's wording of a legal basis"),
    "governance.RulebookVersion.rules": FreeForm(False, "the council's rules: agencies and thresholds, no clients"),
    "governance.RulebookVersion.changes": FreeForm(False, "the council's rule changes, in words"),
    "directory.Agency.email_domains": FreeForm(False, "an agency's work-email domains"),
    "directory.ImportJob.csv_text": FreeForm(False, "an import of agencies or practitioners, never of clients"),
    "directory.ImportProblem.values": FreeForm(False, "a row of an import of agencies or practitioners"),
    "retention.RetentionItem.object_uuid": FreeForm(
        True, "a client, or one of its ended involvements, listed by a retention run: the retention section"
    ),
    "retention.RetentionRun.periods": FreeForm(False, "the retention schedule a run was made under: years per kind"),
    "retention.RetentionRun.cutoffs": FreeForm(False, "per kind of record, the date before which records were due"),
    "retention.RetentionRun.counts": FreeForm(False, "per kind of record, how many were listed"),
    "retention.RetentionRun.erased": FreeForm(False, "per kind of record, how many were erased"),
    "sessions.Session.session_data": FreeForm(
        False, "sessions are kept in the cache (SESSION_ENGINE), this table stays empty; a session holds no client"
    ),
    # Signing in: passkeys, agencies' identity providers and API clients hold keys and settings of the people and
    # systems that sign in, never anything about a client. (An OAuth "client" is a system, not a person helped.)
    "django_otp_webauthn.WebAuthnCredential.transports": FreeForm(
        False, "how a passkey talks to the browser (usb, nfc…)"
    ),
    **{
        f"oauth2_provider.{field}": FreeForm(False, "an API client's credentials, tokens and their scopes")
        for field in (
            "AccessToken.resource",
            "AccessToken.scope",
            "AccessToken.token",
            "Application.allowed_origins",
            "Application.client_id",
            "Application.post_logout_redirect_uris",
            "Application.redirect_uris",
            "DeviceGrant.client_id",
            "DeviceGrant.scope",
            "Grant.claims",
            "Grant.redirect_uri",
            "Grant.resource",
            "Grant.scope",
            "IDToken.jti",
            "IDToken.scope",
            "RefreshToken.resource",
            "RefreshToken.token",
            "RefreshToken.token_family",
        )
    },
    "api_clients.ApiClient.scopes": FreeForm(False, "what an agency's system may do: teams:read, involvements:write"),
    **{
        f"sso.IdentityProvider.{field}": FreeForm(False, "an agency's identity provider: its settings and secret")
        for field in (
            "client_id",
            "client_secret_encrypted",
            "mfa_acr_values",
            "mfa_amr_values",
            "saml_certificate",
            "saml_entity_id",
            "saml_mfa_contexts",
        )
    },
}
