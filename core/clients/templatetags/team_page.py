"""The team page's repeated parts, rendered in Python: a member's card and the network diagram.

    {% load team_page %}
    {% member_card member placeholder_label %}
    {% network_diagram diagram client %}

Each card and each node of the diagram looks up a dozen or more values: in the template language that cost about
0.25 ms a card and 0.3 ms for the diagram (docs/benchmarks.md), which for a team of fifty was most of the page.
Here the same markup is built with ``format_html``, which escapes every value.
"""

import datetime
import functools
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.clients.diagram_text import fitted
from core.directory.phones import phone_national

register = template.Library()

_BREAK = SafeString("<br>")
DATE = "j F Y"


def _phones(member: Any) -> SafeString:
    parts = []
    if member.mobile:
        parts.append(
            format_html(
                '<a class="govuk-link" href="tel:{}">{}</a> (mobile)', member.mobile, phone_national(member.mobile)
            )
        )
    if member.landline:
        parts.append(
            format_html(
                '<a class="govuk-link" href="tel:{}">{}</a> (landline)',
                member.landline,
                phone_national(member.landline),
            )
        )
    if not parts:
        return SafeString("Not given")
    return format_html_join(_BREAK, "{}", ((part,) for part in parts))


def _contact_actions(member: Any) -> SafeString | str:
    """Call and Email as buttons big enough to tap on a phone (44 by 44 CSS pixels: patchwork.css), each naming
    the person for a screen reader. Call rings the first number shown: the mobile, else the landline. Not on the
    viewer's own card."""
    if member.is_viewer:
        return ""
    number = member.mobile or member.landline
    actions = []
    if number:
        actions.append(("tel:" + number, "Call", member.name))
    if member.email:
        actions.append(("mailto:" + member.email, "Email", member.name))
    if not actions:
        return ""
    links = format_html_join(
        "\n",
        '<a class="govuk-button govuk-button--secondary patchwork-contact-action" href="{}">'
        '{}<span class="govuk-visually-hidden"> {}</span></a>',
        actions,
    )
    return format_html('<div class="govuk-button-group patchwork-contact-actions">\n{}\n</div>', links)


def _tags(member: Any) -> SafeString | str:
    tags = [
        (colour, text)
        for shown, colour, text in (
            (member.is_viewer, "blue", "You"),
            (member.is_lead, "yellow", "Lead professional"),
            (member.agency_suspended, "red", "Agency suspended"),
        )
        if shown
    ]
    if not tags:
        return ""
    items = format_html_join(
        "\n",
        '<li class="govuk-summary-card__action"><strong class="govuk-tag govuk-tag--{}">{}</strong></li>',
        tags,
    )
    return format_html('<ul class="govuk-summary-card__actions">\n{}\n</ul>', items)


_ROW = (
    '<div class="govuk-summary-list__row">\n<dt class="govuk-summary-list__key">{}</dt>\n'
    '<dd class="govuk-summary-list__value">{{}}</dd>\n</div>'
)
# The whole card in one format string (one escaping pass over its values: most of a card's cost).
_CARD = (
    '<div class="govuk-summary-card">\n<div class="govuk-summary-card__title-wrapper">\n'
    '<h3 class="govuk-summary-card__title">{}</h3>\n{}\n</div>\n<div class="govuk-summary-card__content">\n'
    '<dl class="govuk-summary-list">\n'
    + "\n".join(
        _ROW.format(key)
        for key in (
            "Agency",
            "Role",
            "Job title",
            "Phone",
            "Email",
            "Preferred contact",
            "In the team since",
            "Why they joined",
            "Last contact",
            "Next contact",
        )
    )
    + "\n</dl>\n{}\n</div>\n</div>"
)


@functools.lru_cache(maxsize=4096)
def _long_date(value: datetime.date | None, language: str | None) -> str:
    """A date as the page writes it ("7 October 2024"), remembered: a team page writes three a member."""
    return date_filter(value, DATE)


def _date(value: datetime.date | None) -> str:
    return _long_date(value, get_language()) if value else ""


@register.simple_tag
def member_card(member: Any, placeholder_label: str) -> SafeString:
    """One current member of the team, as the visibility policy lets the viewer see them."""
    if member.is_placeholder:
        return format_html(
            '<div class="govuk-inset-text">\n<h3 class="govuk-heading-s govuk-!-margin-bottom-1">Confidential service'
            '</h3>\n<p class="govuk-body govuk-!-margin-bottom-0">{} — contact via {}</p>\n</div>',
            placeholder_label,
            member.gateway_contact,
        )
    return format_html(
        _CARD,
        member.name,
        _tags(member),
        member.agency,
        member.role,
        member.job_title,
        _phones(member),
        format_html('<a class="govuk-link" href="mailto:{}">{}</a>', member.email, member.email),
        member.preferred_contact,
        _date(member.started_on),
        member.join_reason or "Not recorded",
        _date(member.last_contact_on) or "Not recorded",
        _date(member.next_contact_on) or "None planned",
        _contact_actions(member),
    )


def _number(value: float) -> str:
    """A coordinate as the template wrote it with localisation off."""
    return str(value)


def _node(node: Any) -> SafeString:
    circle = format_html(
        '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="{}"{}/>',
        _number(node.x),
        _number(node.y),
        "22" if node.is_lead else "18",
        "#ffdd00" if node.is_lead else "#f3f2f1" if node.is_placeholder else "#ffffff",
        "#1d70b8" if node.is_viewer else "#0b0c0c",
        "6" if node.is_viewer else "2",
        SafeString(' stroke-dasharray="5 4"') if node.is_placeholder else "",
    )
    where = (_number(node.label_x), node.anchor)
    squeeze = (
        format_html(' textLength="{}" lengthAdjust="spacingAndGlyphs"', node.label_width) if node.label_width else ""
    )
    agency = (
        format_html(
            '<text x="{}" y="{}" text-anchor="{}" font-size="13" fill="#505a5f">{}</text>',
            where[0],
            _number(node.agency_y),
            node.anchor,
            node.agency,
        )
        if node.agency
        else ""
    )
    return format_html(
        "<g>\n<title>{}</title>\n{}\n"
        '<text x="{}" y="{}" text-anchor="{}" font-size="16" font-weight="bold" fill="#0b0c0c"{}>{}</text>\n'
        '<text x="{}" y="{}" text-anchor="{}" font-size="14" fill="#505a5f">{}</text>\n{}\n</g>',
        node.title,
        circle,
        where[0],
        _number(node.label_y),
        where[1],
        squeeze,
        node.label,
        where[0],
        _number(node.detail_y),
        where[1],
        node.detail,
        agency,
    )


def _line(diagram: Any, node: Any) -> SafeString:
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>',
        _number(diagram.centre_x),
        _number(diagram.centre_y),
        _number(node.x),
        _number(node.y),
        "#0b0c0c" if node.is_lead else "#8a8f92",
        "4" if node.is_lead else "2",
        SafeString(' stroke-dasharray="8 6"') if node.is_placeholder else "",
    )


CENTRE_ROOM = 112  # the width of the client's circle where their names are written
CENTRE_SIZE = 17


def _centre_name(diagram: Any, y: float, name: str) -> SafeString:
    short, width = fitted(name, length=13, font_size=CENTRE_SIZE, room=CENTRE_ROOM)
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="bold" fill="#ffffff"{}>{}</text>',
        _number(diagram.centre_x),
        _number(y),
        CENTRE_SIZE,
        format_html(' textLength="{}" lengthAdjust="spacingAndGlyphs"', width) if width else "",
        short,
    )


def _list_item(node: Any) -> SafeString:
    return format_html('<li class="patchwork-network__item">{}</li>', node.title)


@register.simple_tag
def network_diagram(diagram: Any, client: Any) -> SafeString:
    """The network around the client as an inline SVG (no script, no style attributes: CSP), and its text
    alternative: the same nodes as a list, which the SVG names with aria-describedby. On a wide screen the list
    is not shown (the picture is, and describes itself with it); below the tablet breakpoint the picture is not
    shown and the list is (patchwork.css). Each node's full text is its list item and its tooltip (an SVG title):
    the picture shortens names to fit. Layout: core/clients/views/team.py."""
    centre = (_number(diagram.centre_x), _number(diagram.centre_y))
    legend = (diagram.legend_y, diagram.legend_text_y)
    placeholder_key = (
        format_html(
            '<circle cx="290" cy="{}" r="10" fill="#f3f2f1" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="5 4"/>'
            '\n<text x="308" y="{}">Confidential service</text>',
            *legend,
        )
        if diagram.has_placeholder
        else ""
    )
    items = format_html_join("\n", "{}", ((_list_item(node),) for node in diagram.nodes))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="network-title" '
        'aria-describedby="network-list" class="patchwork-network__picture" '
        'focusable="false" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'font-family="arial, sans-serif">\n'
        '<title id="network-title">Diagram of the team around {first_name} {surname}</title>\n'
        '<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" stroke="#b1b4b6" stroke-width="1"/>\n'
        "{lines}\n"
        '<circle cx="{cx}" cy="{cy}" r="64" fill="#1d70b8" stroke="#0b0c0c" stroke-width="2"/>\n'
        "{first}\n{last}\n"
        "{nodes}\n"
        '<g font-size="14" fill="#0b0c0c">\n'
        '<circle cx="24" cy="{legend_y}" r="10" fill="#ffdd00" stroke="#0b0c0c" stroke-width="2"/>\n'
        '<text x="42" y="{legend_text_y}">Lead professional</text>\n'
        '<circle cx="204" cy="{legend_y}" r="10" fill="#ffffff" stroke="#1d70b8" stroke-width="5"/>\n'
        '<text x="222" y="{legend_text_y}">You</text>\n'
        "{placeholder_key}\n"
        "</g>\n</svg>\n"
        '<div id="network-list" class="patchwork-network__list">\n'
        '<p class="govuk-body">{description}</p>\n'
        "{list}"
        "</div>",
        width=diagram.width,
        height=diagram.height,
        first_name=client.first_name,
        surname=client.surname,
        description=diagram.description,
        list=format_html('<ul class="govuk-list govuk-list--bullet">\n{}\n</ul>\n', items) if diagram.nodes else "",
        lines=format_html_join("\n", "{}", ((_line(diagram, node),) for node in diagram.nodes)),
        cx=centre[0],
        cy=centre[1],
        first=_centre_name(diagram, diagram.first_name_y, client.first_name),
        last=_centre_name(diagram, diagram.surname_y, client.surname),
        nodes=format_html_join("\n", "{}", ((_node(node),) for node in diagram.nodes)),
        legend_y=legend[0],
        legend_text_y=legend[1],
        placeholder_key=placeholder_key,
    )
