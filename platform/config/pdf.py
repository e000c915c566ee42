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
from fpdf.fonts import FontFace

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
BLACK = (11, 12, 12)
GREY = (80, 90, 95)


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
        self._rows(None, [[label, value] for label, value in rows], widths=(35, 65), bold_first=True)

    def table(
        self, headings: Sequence[str], rows: Sequence[Sequence[object]], *, widths: Sequence[int] | None = None
    ) -> None:
        """A table with a heading row repeated on every page; cells are printed with ``str()``."""
        self._rows(list(headings), [[_text(cell) for cell in row] for row in rows], widths=widths)

    def _rows(
        self,
        headings: list[str] | None,
        rows: list[list[str]],
        *,
        widths: Sequence[int] | None,
        bold_first: bool = False,
    ) -> None:
        pdf = self._pdf
        pdf.set_font(FAMILY, "", 9)
        with pdf.table(
            col_widths=tuple(widths) if widths else None,
            first_row_as_headings=headings is not None,
            headings_style=FontFace(emphasis="BOLD", fill_color=(243, 242, 241)),
            line_height=5,
            text_align="LEFT",
            repeat_headings=1,
        ) as table:
            if headings is not None:
                table.row(headings)
            for cells in rows:
                row = table.row()
                for index, cell in enumerate(cells):
                    row.cell(cell, style=FontFace(emphasis="BOLD") if bold_first and index == 0 else None)
        pdf.ln(4)

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


def _text(cell: object) -> str:
    return "" if cell is None else str(cell)
