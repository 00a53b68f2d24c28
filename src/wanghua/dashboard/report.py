"""The monthly report (月度报告): the district's (or a scope's) figures for one month as a printable A4 PDF —
the goals' scores as a bar chart, the year's trends of three headline indicators, and every indicator
against its target in a table per goal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from wanghua.core import pdf
from wanghua.core.templatetags.wanghua import figure

from . import queries
from .refresh import Scope

RED = colors.HexColor("#b22222")
STATUS_COLOURS = {"green": colors.HexColor("#198754"), "amber": colors.HexColor("#e0a800"),
                  "red": RED, "none": colors.grey}
TREND_KEYS = ["projects.fai", "queries.errands_this_year", "civic.cases_closed"]


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    return {"title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=24, spaceAfter=4),
            "h2": ParagraphStyle("h2", fontName=bold, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4,
                                 textColor=RED),
            "body": ParagraphStyle("body", fontName=regular, fontSize=9, leading=12, wordWrap="CJK"),
            "small": ParagraphStyle("small", fontName=regular, fontSize=7.5, leading=10, wordWrap="CJK",
                                    textColor=colors.grey)}


def _scores_chart(board, font: str) -> Drawing:
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 150 * mm, 40 * mm  # type: ignore[assignment]  # points; the stubs say int
    chart.data = [[float(g.score or 0) for g in board]]
    chart.categoryAxis.categoryNames = [str(g.goal.label) for g in board]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = font
    chart.bars[0].fillColor = RED
    drawing.add(chart)
    return drawing


def _trend_chart(series: Sequence[tuple[date, Decimal | float]], title: str, font: str) -> Drawing:
    drawing = Drawing(56 * mm, 42 * mm)
    drawing.add(String(2 * mm, 38 * mm, title[:18], fontName=font, fontSize=7.5))
    if len(series) < 2:
        drawing.add(String(2 * mm, 18 * mm, _("not enough history yet"), fontName=font, fontSize=7,
                           fillColor=colors.grey))
        return drawing
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 9 * mm, 6 * mm, 44 * mm, 28 * mm  # type: ignore[assignment]  # as above
    chart.data = [[float(v) for _m, v in series]]
    chart.categoryAxis.categoryNames = [f"{m:%m}" for m, _v in series]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 6
    chart.lines[0].strokeColor = RED
    drawing.add(chart)
    return drawing


def _goal_table(goal, styles, regular: str) -> Table:
    header = [_("indicator"), _("value"), _("target"), _("expected by now"), _("status")]
    rows = [[Paragraph(str(r.indicator.name), styles["body"]), f"{figure(r.value)} {r.indicator.unit}",
             figure(r.target), figure(r.expected), "●"] for r in goal.rows]
    rows += [[Paragraph(f"{s.name}（{s.source}，{s.published_on:%Y-%m-%d}）", styles["small"]),
              f"{figure(s.value)} {s.unit}", "", "", ""] for s in goal.external]
    table = Table([header, *rows], colWidths=[78 * mm, 32 * mm, 22 * mm, 24 * mm, 12 * mm], repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), regular, 8.5), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3e5e5")),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    style += [("TEXTCOLOR", (4, n), (4, n), STATUS_COLOURS[r.status]) for n, r in enumerate(goal.rows, start=1)]
    table.setStyle(TableStyle(style))  # type: ignore[arg-type]  # reportlab commands are mixed tuples
    return table


def monthly_pdf(scope: Scope, period: date) -> bytes:
    regular, bold = pdf.register_fonts()
    styles = _styles(regular, bold)
    board = queries.goal_board(scope, period)
    series = queries.trends(scope, period)
    place = queries.scope_label(scope)
    story = [Paragraph(_("%(place)s monthly report, %(month)s") % {"place": place, "month": f"{period:%Y年%m月}"},
                       styles["title"]),
             Paragraph(_("Computed from the platform's records; printed %(now)s.")
                       % {"now": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, styles["small"]),
             Paragraph(_("Six goals: share of each goal's targets met so far"), styles["h2"]),
             _scores_chart(board, regular),
             Paragraph(_("This year's trends"), styles["h2"]),
             Table([[_trend_chart(series.get(key, []), str(queries.indicators.REGISTRY[key].name), regular)
                     for key in TREND_KEYS if key in queries.indicators.REGISTRY]])]
    for goal in board:
        if goal.rows or goal.external:
            story += [Paragraph(str(goal.goal.label), styles["h2"]), _goal_table(goal, styles, regular),
                      Spacer(1, 2 * mm)]
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                                 bottomMargin=14 * mm, title=f"{place} {period:%Y-%m}", author="望花区数字治理平台")
    document.build(story)
    return buffer.getvalue()
