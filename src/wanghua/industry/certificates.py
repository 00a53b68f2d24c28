"""质量证明书: one page per heat with its results, the verdict and a QR code that verifies it online."""

from __future__ import annotations

from io import BytesIO

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from wanghua.core import pdf

from . import lab
from .models import LabOrder, TestKind, Verdict


def _qr(url: str) -> ImageReader:
    image = BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    return ImageReader(image)


def _value_text(result) -> str:
    kind = result.specimen.kind
    if kind == TestKind.TENSILE:
        parts = [f"ReL {result.yield_strength} MPa", f"Rm {result.tensile_strength} MPa"]
        if result.elongation is not None:
            parts.append(f"A {result.elongation}%")
        parts.append(f"Agt {result.agt}%")
        return "  ".join(parts)
    if kind in (TestKind.BEND, TestKind.REBEND):
        return _("no cracks") if result.passed_bend else _("cracked")
    return f"{result.weight_deviation}%"


def render(order: LabOrder, verify_url: str) -> bytes:
    regular, bold = pdf.register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    left, y = 20 * mm, height - 25 * mm
    canvas.setTitle(f"{_('Quality certificate')} {order.heat}")
    canvas.setFont(bold, 18)
    canvas.drawCentredString(width / 2, y, _("Quality certificate"))
    y -= 12 * mm
    canvas.setFont(regular, 10.5)
    facts = [(_("enterprise"), order.enterprise.name), (_("Heat number"), order.heat),
             (_("Steel grade"), order.grade), (_("nominal diameter (mm)"), f"Φ{order.diameter}"),
             (_("standard"), f"{order.standard} {order.standard.title}"),
             (_("sampled"), timezone.localtime(order.sampled_at).strftime("%Y-%m-%d %H:%M")),
             (_("decided"), timezone.localtime(order.decided_at).strftime("%Y-%m-%d %H:%M") if order.decided_at
              else "—")]
    for label, value in facts:
        canvas.drawString(left, y, f"{label}：{value}")
        y -= 6.5 * mm
    y -= 3 * mm
    canvas.setFont(bold, 11)
    canvas.drawString(left, y, _("Results"))
    y -= 7 * mm
    canvas.setFont(regular, 9.5)
    for result in lab.certificate_rows(order):
        specimen = result.specimen
        line = (f"{specimen.get_kind_display()} {specimen.number}{'（' + _('retest') + '）' if specimen.retest else ''}"
                f"  {_value_text(result)}  [{result.get_verdict_display()}]")
        for row in pdf.wrap(line, width - 2 * left, regular, 9.5):
            canvas.drawString(left, y, row)
            y -= 5.5 * mm
    y -= 4 * mm
    canvas.setFont(bold, 13)
    verdict = _("Conforms") if order.verdict == Verdict.PASS else _("Does not conform")
    canvas.drawString(left, y, f"{_('verdict')}：{verdict}")
    y -= 6.5 * mm
    canvas.setFont(regular, 9)
    for row in pdf.wrap(order.verdict_rule, width - 2 * left - 45 * mm, regular, 9):
        canvas.drawString(left, y, row)
        y -= 5 * mm
    canvas.drawImage(_qr(verify_url), width - left - 38 * mm, 22 * mm, 38 * mm, 38 * mm)
    canvas.setFont(regular, 8)
    canvas.drawRightString(width - left, 18 * mm, _("Scan to verify against the lab's record"))
    canvas.drawString(left, 18 * mm, verify_url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
