"""``{% consent_summary client as summary %}``: the client's consent in one line, for the team page."""

from django import template

from core.clients import consent
from core.clients.models import Client

register = template.Library()


@register.simple_tag
def consent_summary(client: Client) -> consent.ConsentSummary:
    return consent.consent_summary(client)
