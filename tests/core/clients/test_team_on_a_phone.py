"""The team page where it is used most: on a phone, at a door or between homes. The diagram's text alternative
says what the picture says, long names never widen the page, the viewer is not marked in the focus yellow, and
Call and Email are buttons big enough to tap."""

import re
from html.parser import HTMLParser

import pytest

from core.clients.diagram_text import text_width
from core.clients.models import Client
from core.clients.selectors import TeamView
from core.clients.templatetags.team_page import member_card
from core.clients.templatetags.team_page import network_diagram as draw
from core.clients.views.team import MOST_NODES, network_diagram
from core.governance.visibility import PLACEHOLDER_LABEL, Detail, MemberView
from tests.core.clients.conftest import Team, text_of

pytestmark = pytest.mark.council_side

LONG_FIRST_NAME = "W" * 100
LONG_SURNAME = "Mmmmmmmmmm" * 10


class _Diagram(HTMLParser):
    """The nodes' titles in the SVG, the items of the list that describes it, and each drawn name's text (the
    parser gives attribute names in lower case)."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self.items: list[str] = []
        self.texts: list[tuple[dict[str, str | None], str]] = []
        self._open: str | None = None
        self._attrs: dict[str, str | None] = {}
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "li", "text"):
            self._open, self._attrs, self._text = tag, dict(attrs), ""

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag != self._open:
            return
        if tag == "title" and self._attrs.get("id") != "network-title":
            self.titles.append(self._text)
        elif tag == "li":
            self.items.append(self._text)
        elif tag == "text":
            self.texts.append((self._attrs, self._text))
        self._open = None


def _parsed(team: TeamView) -> _Diagram:
    parser = _Diagram()
    parser.feed(draw(network_diagram(team), team.client))
    return parser


def _person(number: int, agency: str, **extra: object) -> MemberView:
    return MemberView(
        detail=Detail.FULL,
        name=f"Person {number}",
        agency=agency,
        agency_type="Health",
        role="Health visitor",
        **extra,  # type: ignore[arg-type]
    )


def _team(members: list[MemberView], *, first_name: str = "Ada", surname: str = "Lovelace") -> TeamView:
    return TeamView(
        client=Client(first_name=first_name, surname=surname), current=members, previous=[], family_name=None
    )


def test_each_node_of_the_diagram_is_in_its_text_alternative() -> None:
    members = [
        _person(0, "Agency A", is_viewer=True),
        _person(1, "Agency B", is_lead=True),
        MemberView(detail=Detail.PLACEHOLDER, gateway_contact="the duty line, 01632 960 000"),
    ]
    team = _team(members)
    diagram = network_diagram(team)
    parsed = _parsed(team)
    assert len(diagram.nodes) == 3
    assert parsed.items == [node.title for node in diagram.nodes]  # the list is the nodes, in the same order
    assert parsed.titles == parsed.items  # and each node's tooltip says the same
    assert parsed.items == [
        "Person 0, Health visitor, Agency A (you)",
        "Person 1, Health visitor, Agency B (lead professional)",
        f"{PLACEHOLDER_LABEL} — contact via the duty line, 01632 960 000",
    ]
    html = draw(diagram, team.client)
    assert 'aria-describedby="network-list"' in html
    assert '<div id="network-list" class="patchwork-network__list">' in html
    assert "Ada Lovelace is in the centre, connected to 3 members of the team:" in html


def test_a_team_drawn_by_agency_is_described_agency_by_agency() -> None:
    members = [_person(0, "Agency A", is_viewer=True), _person(1, "Agency B", is_lead=True)]
    members += [_person(number, f"Agency {number}") for number in range(2, 30)]
    team = _team(members)
    diagram = network_diagram(team)
    parsed = _parsed(team)
    assert len(parsed.items) == len(diagram.nodes) == MOST_NODES
    assert parsed.items[0] == "Agency B: Lead professional · 1 practitioner"
    assert parsed.items[1] == "Agency A: 1 practitioner, including you"
    assert parsed.items[-1] == "19 more agencies: listed in the current team"
    assert "the 12 agencies of the 30 members" in diagram.description


def test_an_empty_team_is_described_without_an_empty_list() -> None:
    html = draw(network_diagram(_team([])), Client(first_name="Ada", surname="Lovelace"))
    assert "Ada Lovelace is in the centre. Nobody is in the team." in html
    assert "<ul" not in html


def test_long_names_are_shortened_in_the_picture_and_given_in_full_in_its_titles() -> None:
    long_member = MemberView(detail=Detail.FULL, name=f"{LONG_FIRST_NAME} {LONG_SURNAME}", agency="Agency A", role="R")
    team = _team([long_member, _person(1, "Agency B")], first_name=LONG_FIRST_NAME, surname=LONG_SURNAME)
    parsed = _parsed(team)
    assert parsed.titles[0] == f"{LONG_FIRST_NAME} {LONG_SURNAME}, R, Agency A"
    drawn = [(attrs, text) for attrs, text in parsed.texts if attrs.get("font-weight") == "bold"]
    names = {text: attrs for attrs, text in drawn}
    centre = [text for attrs, text in drawn if attrs.get("fill") == "#ffffff"]
    assert centre == ["W" * 12 + "…", LONG_SURNAME[:12] + "…"]
    for attrs, text in drawn:
        assert text.endswith("…") or text == "Person 1"
        width = float(attrs["textlength"]) if attrs.get("textlength") else text_width(text, float(attrs["font-size"]))
        # the centre names fit inside the client's circle, the others inside the picture
        assert width <= (112 if attrs.get("fill") == "#ffffff" else 300)
    assert names["W" * 12 + "…"]["lengthadjust"] == "spacingAndGlyphs"  # wide letters are squeezed to fit
    assert "textlength" not in names["Person 1"]  # a name that fits is drawn as it is


def test_the_viewers_node_is_not_drawn_in_the_focus_yellow() -> None:
    html = draw(network_diagram(_team([_person(0, "Agency A", is_viewer=True)])), Client(first_name="A", surname="B"))
    node = html[html.index("<title>Person 0") : html.index("</g>", html.index("<title>Person 0"))]
    circle = re.search(r"<circle [^>]*>", node)
    assert circle
    assert 'stroke="#1d70b8"' in circle.group(0)
    assert 'fill="#ffffff"' in circle.group(0)
    assert "#ffdd00" not in circle.group(0)
    assert "<mark" not in html


def _card(**extra: object) -> str:
    member = MemberView(detail=Detail.FULL, name="Amy Collier", agency="Children's Services", **extra)  # type: ignore[arg-type]
    return member_card(member, PLACEHOLDER_LABEL)


def test_call_and_email_are_buttons_naming_the_person() -> None:
    card = _card(mobile="+447700900001", landline="+441632960333", email="amy@example.org")
    actions = card[card.index('<div class="govuk-button-group patchwork-contact-actions">') :]
    assert (
        '<a class="govuk-button govuk-button--secondary patchwork-contact-action" href="tel:+447700900001">'
        'Call<span class="govuk-visually-hidden"> Amy Collier</span></a>'
    ) in actions
    assert (
        '<a class="govuk-button govuk-button--secondary patchwork-contact-action" href="mailto:amy@example.org">'
        'Email<span class="govuk-visually-hidden"> Amy Collier</span></a>'
    ) in actions
    assert 'href="tel:+441632960333">Call' not in actions  # one Call: the mobile first


def test_call_rings_the_landline_when_there_is_no_mobile_and_is_absent_without_a_number() -> None:
    assert 'href="tel:+441632960333">Call<span' in _card(landline="+441632960333", email="amy@example.org")
    card = _card(email="amy@example.org")
    assert ">Call<" not in card
    assert ">Email<span" in card


def test_the_viewers_own_card_offers_no_call_or_email() -> None:
    card = _card(mobile="+447700900001", email="amy@example.org", is_viewer=True)
    assert "patchwork-contact-action" not in card


def test_a_confidential_service_has_no_call_or_email() -> None:
    card = member_card(MemberView(detail=Detail.PLACEHOLDER, gateway_contact="the duty line"), PLACEHOLDER_LABEL)
    assert "patchwork-contact-action" not in card


def test_the_page_wraps_long_words_and_shows_the_contact_buttons(team: Team, browser_as: object) -> None:
    page = text_of(browser_as(team.nurse).get(f"/clients/{team.client.pk}/"))  # type: ignore[operator]
    content = page[page.index('<div class="patchwork-team">') :]
    assert '<span class="govuk-caption-l">Team around the client</span>' in content  # the heading is inside it
    assert "Previously involved" in content
    assert 'Call<span class="govuk-visually-hidden"> Maya Member</span>' in page
    assert 'Email<span class="govuk-visually-hidden"> Maya Member</span>' in page
    assert 'Call<span class="govuk-visually-hidden"> Nia Nurse</span>' not in page  # the viewer's own card
