"""Printed documents: the embedded CJK font and text wrapping by rendered width."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "NotoSansSC"
BOLD = "NotoSansSC-Bold"


@cache
def register_fonts() -> tuple[str, str]:
    """Register the TrueType faces once per process; ReportLab embeds only the glyphs a document uses."""
    for name, key in ((REGULAR, "regular"), (BOLD, "bold")):
        path = settings.PDF_FONTS[key]
        if not path.exists():
            raise ImproperlyConfigured(f"PDF font {path} is missing: run `npm ci` (make install)")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return REGULAR, BOLD


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Break `text` into lines no wider than `width` points; Chinese may break between any characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and pdfmetrics.stringWidth(line + char, font, size) > width:
                lines.append(line)
                line = char
            else:
                line += char
        lines.append(line)
    return lines
