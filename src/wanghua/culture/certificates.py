"""The 志愿服务证明 PDF and the QR codes (plaques, certificates). Rendered from the certificate's frozen content, so
a reprint says what was issued; the QR opens the public check."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _

from wanghua.core import pdf

from .models import ServiceCertificate


def qr_svg(url: str) -> str:
    """An inline SVG QR code (markup, not script: allowed under the pages' CSP)."""
    import segno

    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def _qr_png(url: str) -> BytesIO:
    import segno

    image = BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    return image


def render(certificate: ServiceCertificate, verify_url: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = pdf.register_fonts()
    c = certificate.content
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=16 * mm, title=f"{_('Volunteer service certificate')} {c['number']}")
    text = ParagraphStyle("text", fontName=regular, fontSize=11, leading=18)
    small = ParagraphStyle("small", fontName=regular, fontSize=8, leading=11)
    title = ParagraphStyle("title", fontName=bold, fontSize=22, leading=30, alignment=1)

    def p(value, style=text) -> Paragraph:
        return Paragraph(str(value).replace("&", "&amp;").replace("<", "&lt;"), style)

    story = [p(_("Volunteer service certificate"), title), Spacer(1, 6 * mm),
             p(f"{_('certificate number')}：{c['number']}"),
             p(_("%(name)s, of %(community)s, took part in %(activities)s volunteer activities from %(first)s to "
                 "%(last)s and served %(hours)s hours in all, as the records of Wanghua District's volunteer "
                 "service show.") % c),
             Spacer(1, 4 * mm)]
    rows = [[_("Date"), _("Volunteer activity"), _("Hours")], *c["rows"]]
    table = Table([[p(v, small) for v in row] for row in rows], colWidths=[28 * mm, 115 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    story += [table, Spacer(1, 6 * mm),
              p(f"{_('issued')}：{c['issued_on']}　{_('Wanghua District Civilisation Office')}"),
              p(f"SHA-256：{certificate.digest}", small),
              p(_("Scan to verify against the record") + f"：{verify_url}", small),
              Image(_qr_png(verify_url), 32 * mm, 32 * mm)]
    doc.build(story)
    return buffer.getvalue()
