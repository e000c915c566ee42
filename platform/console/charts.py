"""Bar charts drawn on the server as SVG: no JavaScript, readable by a screen reader, printable.

The chart is an image (``role="img"``) named by its ``<title>`` and described by its ``<desc>``, both referenced
from ``aria-labelledby``; every value is also written beside its bar, so nothing depends on colour or on the
bar's length alone. The page shows a table with the same numbers next to it. Every text that reaches the markup
is escaped here (format_html): a council's name or a label can never open an element.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 480
ROW = 28  # one bar's band
PAD = 8  # above the first band and below the last
LABEL_WIDTH = 80  # the labels, right-aligned, left of the bars
VALUE_WIDTH = 96  # room right of the longest bar for its value
BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 against white; the text beside it is black
TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
FONT = 'font-family="GDS Transport, arial, sans-serif" font-size="14"'


@dataclass(frozen=True)
class Bar:
    label: str  # left of the bar: "Jan 2026"
    value: int  # its length, in any unit (minor units of money)
    value_text: str  # written at its end: "£1,234.00"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart_svg(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """An SVG chart of ``bars`` as horizontal bars, top to bottom, each with its label on the left and its value
    written at its end; a line marks zero, and a negative value's bar runs left of it.

    Horizontal, so that every label and value is written level and at a readable size, however many bars there are.
    ``chart_id`` makes the ids of its title and description unique on the page (several charts may share it)."""
    height = 2 * PAD + ROW * len(bars)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    high = max([bar.value for bar in bars] + [0])
    low = min([bar.value for bar in bars] + [0])
    span = (high - low) or 1
    zero_x = LABEL_WIDTH + plot * -low / span
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    rows = []
    for index, bar in enumerate(bars):
        top = PAD + index * ROW
        length = plot * abs(bar.value) / span
        x = zero_x if bar.value >= 0 else zero_x - length
        baseline = top + ROW / 2 + 5
        # A value is written past the bar's end; a negative one's right of the zero line, its bar being left of it.
        value_x = (zero_x + length if bar.value >= 0 else zero_x) + 6
        rows.append((_number(x), _number(top + 5), _number(length), _number(value_x), _number(baseline), bar))
    bands = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" fill="{}" ' + FONT + ">{}</text>"
        '<text x="{}" y="{}" text-anchor="end" fill="{}" ' + FONT + ">{}</text></g>",
        (
            (
                *(x, y, length, ROW - 10, BAR_COLOUR),  # the bar
                *(value_x, baseline, TEXT_COLOUR, bar.value_text),  # its value, past its end
                *(LABEL_WIDTH - 8, baseline, TEXT_COLOUR, bar.label),  # its label, left of the axis
            )
            for x, y, length, value_x, baseline, bar in rows
        ),
    )
    # format_html escapes every value it is given: a label or title can never open an element.
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="console-chart" role="img" aria-labelledby="{} {}" '
        'viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>{}'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"></line></svg>',
        title_id,
        desc_id,
        WIDTH,
        height,
        title_id,
        title,
        desc_id,
        description,
        bands,
        _number(zero_x),
        PAD,
        _number(zero_x),
        height - PAD,
        AXIS_COLOUR,
    )
