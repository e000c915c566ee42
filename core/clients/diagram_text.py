"""Names drawn in the team's network picture (an SVG has no text wrapping): shortened with an ellipsis, and squeezed
when even the short name would be wider than its room. The full name is always in the node's title and in the list
that is the picture's text alternative."""


def shortened(text: str, length: int = 28) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# Arial's advance widths in thousandths of an em, bold (the names): the widest of each group, so an estimate
# never falls short. Anything else counts as a capital W.
_BOLD_WIDTHS = (
    ("fijlt.,'!:;|", 333),
    ("r -()[]", 389),
    ("acekszJ", 611),
    ("bdghnopquvxy0123456789", 611),
    ("EFLPSTZ", 667),
    ("ABCDHKNRUVXY", 722),
    ("GOQ", 778),
    ("Mm", 889),
)


def text_width(text: str, font_size: float) -> float:
    """A generous estimate of how wide ``text`` is drawn in bold Arial at ``font_size`` (in SVG units)."""
    total = 0
    for character in text:
        total += next((width for characters, width in _BOLD_WIDTHS if character in characters), 944)
    return total * font_size / 1000


def fitted(text: str, *, length: int, font_size: float, room: float) -> tuple[str, int | None]:
    """A name as it fits in ``room`` units: shortened with an ellipsis after ``length`` characters, and, when even
    that would be drawn wider than the room (wide letters), with the width to squeeze it into."""
    short = shortened(text, length)
    return short, (int(room) if text_width(short, font_size) > room else None)
