"""The team around the client (journey 4): members, the previously involved, the family, and a picture.

The page itself is served by the teamwork app (core/teamwork/views/team.py), which adds the team's messages,
meetings and tasks to what is read here.
"""

import math
from dataclasses import dataclass

from core.clients.diagram_text import fitted, shortened
from core.clients.selectors import TeamView
from core.governance.visibility import PLACEHOLDER_LABEL, MemberView

DIAGRAM_WIDTH = 960
DIAGRAM_HEIGHT = 620
RING_RADIUS = 190.0
MOST_NODES = 12  # more would not be readable: larger teams are drawn by agency
NAME_SIZE = 16  # a member's name, in bold
EDGE = 8  # the margin a name keeps from the picture's edge


@dataclass(frozen=True)
class DiagramNode:
    x: float
    y: float
    label_x: float
    label_y: float
    detail_y: float
    agency_y: float
    anchor: str
    label: str
    detail: str
    agency: str
    is_lead: bool
    is_viewer: bool
    is_placeholder: bool
    # The node's full text: its tooltip in the picture, and its line in the list that is its text alternative.
    title: str
    label_width: int | None = None  # the drawn name squeezed to this many units, when it would not fit otherwise


@dataclass(frozen=True)
class NetworkDiagram:
    """The client in the centre, each member (or a confidential service) around them."""

    width: int
    height: int
    centre_x: float
    centre_y: float
    nodes: list[DiagramNode]
    description: str

    @property
    def first_name_y(self) -> float:
        return self.centre_y - 4

    @property
    def surname_y(self) -> float:
        return self.centre_y + 18

    @property
    def has_placeholder(self) -> bool:
        """Whether a confidential service is drawn (its key is shown only then: a hidden one leaves no trace)."""
        return any(node.is_placeholder for node in self.nodes)

    @property
    def legend_y(self) -> int:
        return self.height - 24

    @property
    def legend_text_y(self) -> int:
        return self.height - 19


def _describe(member: MemberView) -> str:
    if member.is_placeholder:
        return "a confidential service"
    parts = [member.name or "", member.role or "", member.agency or ""]
    text = ", ".join(part for part in parts if part)
    if member.is_lead:
        text += " (lead professional)"
    if member.is_viewer:
        text += " (you)"
    return text


@dataclass(frozen=True)
class _Spot:
    """What one node stands for: a member, an agency's members, a confidential service, or the rest."""

    label: str
    detail: str
    agency: str
    is_lead: bool = False
    is_viewer: bool = False
    is_placeholder: bool = False
    title: str = ""  # the full text, when the label and detail say less (the picture shortens them)


def _member_spot(member: MemberView) -> _Spot:
    if member.is_placeholder:
        return _Spot(
            "Confidential service",
            "contact via the gateway",
            "",
            is_placeholder=True,
            title=f"{PLACEHOLDER_LABEL} — contact via {member.gateway_contact}",
        )
    return _Spot(
        label=(member.name or "") + (" (you)" if member.is_viewer else ""),
        detail=shortened(("Lead professional · " if member.is_lead else "") + (member.role or ""), 34),
        agency=shortened(member.agency_type or "", 34),
        is_lead=member.is_lead,
        is_viewer=member.is_viewer,
        title=_describe(member),
    )


def _agency_spots(members: list[MemberView]) -> list[_Spot]:
    """A large team drawn by agency: one node per agency, so the picture stays readable."""
    groups: dict[str | None, list[MemberView]] = {}  # None: the confidential services (already one node each)
    for member in members:
        groups.setdefault(None if member.is_placeholder else member.agency or "", []).append(member)
    spots = []
    for agency, group in groups.items():
        if agency is None:
            spots.extend(_member_spot(member) for member in group)
            continue
        is_lead = any(member.is_lead for member in group)
        is_viewer = any(member.is_viewer for member in group)
        people = f"{len(group)} {'practitioner' if len(group) == 1 else 'practitioners'}"
        detail = ("Lead professional · " if is_lead else "") + people
        spots.append(
            _Spot(
                label=agency,
                detail=detail,
                agency="including you" if is_viewer else "",
                is_lead=is_lead,
                is_viewer=is_viewer,
                title=f"{agency}: {detail}" + (", including you" if is_viewer else ""),
            )
        )
    if len(spots) > MOST_NODES:  # the lead's, the viewer's and confidential services first; the rest as one node
        spots.sort(key=lambda spot: (not spot.is_lead, not spot.is_viewer, not spot.is_placeholder))
        rest = len(spots) - (MOST_NODES - 1)
        spots = [*spots[: MOST_NODES - 1], _Spot(f"{rest} more agencies", "listed in the current team", "")]
    return spots


def network_diagram(team: TeamView) -> NetworkDiagram:
    """The client in the centre and, around them on one ring, each member — or, for a large team, each
    agency (a person per node would not be readable)."""
    members = team.current
    by_agency = len(members) > MOST_NODES
    spots = _agency_spots(members) if by_agency else [_member_spot(member) for member in members]
    centre_x, centre_y = DIAGRAM_WIDTH / 2, DIAGRAM_HEIGHT / 2 - 10
    nodes = []
    for index, spot in enumerate(spots):
        angle = -math.pi / 2 + 2 * math.pi * index / len(spots)
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = centre_x + RING_RADIUS * cos, centre_y + RING_RADIUS * sin
        # three lines of text (name, role, agency type): above a node at the top, below one at the bottom
        label_y = y - 68 if sin < -0.8 else y + 44 if sin > 0.8 else y - 12
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        label_x = x + 28 * cos
        # the room for a name: to the picture's edge beside the ring, or the picture's width above and below it
        room = DIAGRAM_WIDTH - EDGE - label_x if anchor == "start" else label_x - EDGE if anchor == "end" else 300
        label, label_width = fitted(spot.label, length=22 if anchor == "middle" else 26, font_size=NAME_SIZE, room=room)
        nodes.append(
            DiagramNode(
                x=round(x, 1),
                y=round(y, 1),
                label_x=round(label_x, 1),
                label_y=round(label_y, 1),
                detail_y=round(label_y + 18, 1),
                agency_y=round(label_y + 35, 1),
                anchor=anchor,
                label=label,
                detail=spot.detail,
                agency=spot.agency,
                is_lead=spot.is_lead,
                is_viewer=spot.is_viewer,
                is_placeholder=spot.is_placeholder,
                title=spot.title or f"{spot.label}: {spot.detail}",
                label_width=label_width,
            )
        )
    client = team.client
    count = len(members)
    # the sentence before the list of the nodes (the picture's text alternative: templatetags/team_page.py)
    if not members:
        description = f"{client} is in the centre. Nobody is in the team."
    elif by_agency:
        description = (
            f"{client} is in the centre, connected to the {len(spots)} agencies of the {count} members of the "
            "team (everyone is listed in the current team):"
        )
    else:
        description = (
            f"{client} is in the centre, connected to {count} {'member' if count == 1 else 'members'} of the team:"
        )
    return NetworkDiagram(
        width=DIAGRAM_WIDTH,
        height=DIAGRAM_HEIGHT,
        centre_x=centre_x,
        centre_y=centre_y,
        nodes=nodes,
        description=description,
    )


def team_page_context(team: TeamView) -> dict[str, object]:
    """What the team page shows, all of it read already: rendering it makes no query."""
    return {
        "team": team,
        "client": team.client,
        "diagram": network_diagram(team),
        "placeholder_label": PLACEHOLDER_LABEL,
        # family members whose own team the viewer is in: their names link to that team
        "my_family_teams": {person.client_id for person in team.family if person.viewer_in_team},
    }
