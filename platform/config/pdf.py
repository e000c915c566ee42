"""Readable PDF documents (a subject access export, a deletion certificate, later invoices).

Built with fpdf2 (pure Python, no system libraries) and the DejaVu Sans font kept beside this module
(``fonts/``, with its licence), so that every name prints as written — "Nguyễn", "Zoë", "Ó Briain" —
which the PDF core fonts (Latin-1 only) cannot do. Text is tagged with the document's language and
title; only the glyphs used are embedded.

    document = Document(title="Deletion certificate", subtitle="Staffordshire County Council")
    document.heading("What was deleted")
    document.facts([("Schema", "staffordshire"), ("Deleted at", "2 December 2026, 16:40 UTC")])
    document.table(["Table", "Rows"], [["clients_client", "301,442"]])
    pdf = document.output()
"""

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
BLACK = (11, 12, 12)
GREY = (80, 90, 95)
HEADING_FILL = (243, 242, 241)
TABLE_FONT_SIZE = 9
LINE_HEIGHT = 4.4
CELL_PADDING = 1.2
BASELINE = 0.75  # of a line's height, from its top
MEASURED_KEPT = 2000
SAMPLED_ROWS = 200
SHARE_MIN, SHARE_MAX = 8, 60  # millimetres


class Document:
    """An A4 document: a title, headings, paragraphs, key-value facts and tables, with page numbers."""

    def __init__(self, *, title: str, subtitle: str = "", language: str = "en-GB", author: str = "Patchwork") -> None:
        self.title = title
        pdf = _Pages(orientation="portrait", unit="mm", format="A4")
        pdf.footer_text = title
        pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_title(title)
        pdf.set_author(author)
        pdf.set_lang(language)
        pdf.set_creator("Patchwork")
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(left=18, top=18, right=18)
        pdf.add_page()
        pdf.set_text_color(*BLACK)
        pdf.set_font(FAMILY, "B", 20)
        pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            pdf.set_font(FAMILY, "", 12)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*BLACK)
        pdf.ln(4)
        self._pdf = pdf

    def heading(self, text: str, *, level: int = 2) -> None:
        size = {1: 18, 2: 14, 3: 12}.get(level, 12)
        self._pdf.ln(3)
        self._pdf.set_font(FAMILY, "B", size)
        self._pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self._pdf.ln(1)

    def paragraph(self, text: str) -> None:
        self._pdf.set_font(FAMILY, "", 10)
        self._pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self._pdf.ln(2)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """Label and value pairs, as a two-column table without a heading row."""
        self._grid(None, [[label, value] for label, value in rows], widths=(35, 65), bold_first=True)
        self._pdf.ln(4)

    def table(
        self, headings: Sequence[str], rows: Sequence[Sequence[object]], *, widths: Sequence[int] | None = None
    ) -> None:
        """A table with a heading row repeated on every page; cells are printed with ``str()``."""
        self._grid(list(headings), [[_text(cell) for cell in row] for row in rows], widths=widths)
        self._pdf.ln(4)

    def new_page(self, *, landscape: bool = False) -> None:
        """Go on on a new page, turned for a wide table (``landscape``) or back upright."""
        self._pdf.add_page(orientation="L" if landscape else "P")

    def records(self, labels: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Rows too wide for a table, each as its label and value pairs under "n of N"."""
        for number, cells in enumerate(rows, start=1):
            self._grid(
                None,
                [
                    [f"{number} of {len(rows)}", ""],
                    *([label, _text(cell)] for label, cell in zip(labels, cells, strict=False)),
                ],
                widths=(35, 65),
                bold_first=True,
            )
            self._pdf.ln(2)
        self._pdf.ln(2)

    def _grid(
        self,
        headings: list[str] | None,
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[int] | None,
        bold_first: bool = False,
    ) -> None:
        """Rows of bordered cells whose text wraps within its column; the heading row (shaded, bold) again on
        each new page. A cell is measured once and split into lines only when it does not fit: thousands of
        rows (an access history) print in seconds, where fpdf2's general table lays out every character."""
        pdf = self._pdf
        columns = len(headings) if headings is not None else len(rows[0]) if rows else 0
        if not columns:
            return
        if widths:
            column_widths = [pdf.epw * share / sum(widths) for share in widths]
        else:
            column_widths = _shares(pdf, headings, rows, columns)

        measured: dict[tuple[str, str, float], list[str]] = {}  # labels repeat on every record
        style_now = [None]

        def font(style: str) -> None:
            if style_now[0] != style:
                pdf.set_font(FAMILY, style, TABLE_FONT_SIZE)
                style_now[0] = style

        def lines_of(text: str, width: float, style: str) -> list[str]:
            key = (style, text, width)
            lines = measured.get(key)
            if lines is None:
                font(style)
                lines = _wrapped(text, width)
                if len(measured) >= MEASURED_KEPT:
                    measured.clear()
                measured[key] = lines
            return lines

        def _wrapped(text: str, width: float) -> list[str]:
            lines: list[str] = []
            for part in text.split("\n") or [""]:
                if pdf.get_string_width(part) <= width - 2 * CELL_PADDING:
                    lines.append(part)
                else:
                    lines.extend(
                        pdf.multi_cell(width, LINE_HEIGHT, part, dry_run=True, output="LINES", padding=CELL_PADDING)
                    )
            return lines or [""]

        def row_draw(cells: Sequence[str], *, heading: bool) -> None:
            styles = ["B" if heading or (bold_first and index == 0) else "" for index in range(columns)]
            wrapped = []
            for cell, width, style in zip(cells, column_widths, styles, strict=False):
                wrapped.append(lines_of(cell, width, style))
            height = max(len(lines) for lines in wrapped) * LINE_HEIGHT + 2 * CELL_PADDING
            if pdf.get_y() + height > pdf.page_break_trigger and pdf.get_y() > pdf.t_margin + 1:
                pdf.add_page(same=True)  # turned as the page before; the footer sets its own font
                style_now[0] = None
                if headings is not None and not heading:
                    row_draw(headings, heading=True)
            left, top = pdf.l_margin, pdf.get_y()
            pdf.set_fill_color(*HEADING_FILL)
            for lines, width, style in zip(wrapped, column_widths, styles, strict=False):
                pdf.rect(left, top, width, height, style="DF" if heading else "D")
                font(style)
                for number, line in enumerate(lines):
                    if line:  # text() is a fraction of cell()'s cost: the line is known to fit
                        pdf.text(left + CELL_PADDING, top + CELL_PADDING + (number + BASELINE) * LINE_HEIGHT, line)
                left += width
            pdf.set_xy(pdf.l_margin, top + height)

        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.1)
        if headings is not None:
            row_draw(headings, heading=True)
        for cells in rows:
            row_draw(list(cells), heading=False)

    def output(self) -> bytes:
        return bytes(self._pdf.output())


class _Pages(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text} — page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(*BLACK)


def _shares(pdf: FPDF, headings: list[str] | None, rows: Sequence[Sequence[str]], columns: int) -> list[float]:
    """Each column's share of the width, in millimetres of text: its longest heading word (bold) and the length
    of most of its cells (the 80th percentile over the first rows), within bounds, so a name is not squeezed
    beside a date and a one-word heading is not broken."""
    shares = []
    for index in range(columns):
        cells = sorted((str(row[index]) for row in rows[:SAMPLED_ROWS] if index < len(row)), key=len)
        pdf.set_font(FAMILY, "", TABLE_FONT_SIZE)
        typical = pdf.get_string_width(cells[int(len(cells) * 0.8)]) if cells else 0
        pdf.set_font(FAMILY, "B", TABLE_FONT_SIZE)
        words = (headings[index] if headings else "").split()
        word = max((pdf.get_string_width(word) for word in words), default=0)
        least = max(SHARE_MIN, word) + 2 * CELL_PADDING + 0.5
        shares.append((least, max(least, min(SHARE_MAX, typical) + 2 * CELL_PADDING + 0.5)))
    return _fitted(pdf.epw, shares)


def _fitted(width: float, shares: list[tuple[float, float]]) -> list[float]:
    """Column widths filling ``width``: each at least its least (a heading's word), the rest shared in proportion
    to what each would like beyond it."""
    least = sum(low for low, _ in shares)
    wanted = sum(high - low for low, high in shares)
    if least >= width or not wanted:
        return [width * high / sum(high for _, high in shares) for _, high in shares]
    scale = (width - least) / wanted
    return [low + (high - low) * scale for low, high in shares]


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)
