"""The social-investigation report as a PDF (fpdf2 with an embedded Unicode TrueType font).

Greek needs a font with Greek glyphs; the PDF core fonts have none. The first font found of
`FONT_CANDIDATES` is embedded (DejaVu Sans or Liberation Sans, which the Debian packages the
setup installs bring along); `MERIMNA_PDF_FONT` names another one.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.api import AppError

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


class PdfUnavailable(AppError):
    status_code = 503
    code = "pdf_unavailable"


def font_path() -> Path | None:
    for candidate in (os.environ.get("MERIMNA_PDF_FONT", ""), *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def render_report(title: str, body: str) -> bytes:
    try:
        from fpdf import FPDF
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise PdfUnavailable() from exc
    font = font_path()
    if font is None:
        raise PdfUnavailable()
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_font("report", "", str(font))
    pdf.set_title(title)
    pdf.set_creator("Merimna")
    pdf.add_page()
    pdf.set_font("report", size=9)
    pdf.multi_cell(0, 5, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("report", size=11)
    for line in body.splitlines() or [""]:
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
