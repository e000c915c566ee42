"""Bar charts drawn on the server as SVG: no JavaScript, readable by a screen reader, printable.

The chart is an image (``role="img"``) named by its ``<title>`` and described by its ``<desc>``, both referenced
from ``aria-labelledby``; every value is also written beside its bar, so nothing depends on colour or on the
bar's length alone. The page shows a table with the same numbers next to it. Every text that reaches the markup
is escaped here: a council's name or a label can never open an element.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 320
TOP = 36  # room for the values written above the bars
BOTTOM = 40  # room for the labels below the axis
SIDE = 12
GAP = 0.25  # of each slot, left empty between bars
BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white, as the text is black
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
FONT = 'font-family="GDS Transport, arial, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar: "Jan"
    value: int  # its height, in any unit (minor units of money)
    value_text: str  # written above it: "£1,234.00"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart_svg(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """An SVG bar chart of ``bars``, left to right, with a zero line; negative values hang below it.

    ``chart_id`` makes the ids of its title and description unique on the page (several charts may share it)."""
    slot = (WIDTH - 2 * SIDE) / max(len(bars), 1)
    high = max([bar.value for bar in bars] + [0])
    low = min([bar.value for bar in bars] + [0])
    span = (high - low) or 1
    plot = HEIGHT - TOP - BOTTOM
    zero_y = TOP + plot * high / span
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="console-chart" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        x = SIDE + index * slot + slot * GAP / 2
        width = slot * (1 - GAP)
        height = plot * abs(bar.value) / span
        y = zero_y - height if bar.value >= 0 else zero_y
        centre = x + width / 2
        value_y = (y if bar.value >= 0 else zero_y) - 6  # a negative's value sits on the zero line
        parts.append(
            f'<g><rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" height="{_number(height)}" '
            f'fill="{BAR_COLOUR}"></rect>'
            f'<text x="{_number(centre)}" y="{_number(value_y)}" text-anchor="middle" font-size="11" '
            f'fill="{TEXT_COLOUR}" {FONT}>{escape(bar.value_text)}</text>'
            f'<text x="{_number(centre)}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT_COLOUR}" {FONT}>{escape(bar.label)}</text></g>'
        )
    parts.append(
        f'<line x1="{SIDE}" y1="{_number(zero_y)}" x2="{WIDTH - SIDE}" y2="{_number(zero_y)}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"></line>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above went through escape()
