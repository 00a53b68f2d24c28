"""工作日记: an agent's day compiled from their errands and free notes; printable like the paper diaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from wanghua.core import audit
from wanghua.core.access import require
from wanghua.core.reference import choices
from wanghua.org.models import Person

from .models import DiaryNote, Errand, LedgerKind, Station

FONT = "STSong-Light"  # ReportLab's built-in Adobe CID font: renders Chinese with no system fonts
WEEKDAYS = "一二三四五六日"


@dataclass
class DiaryLine:
    time: str
    resident: str
    item: str
    result: str
    money: str = ""


@dataclass
class DiaryDay:
    agent: Person
    day: date
    lines: list[DiaryLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _money(errand: Errand) -> str:
    totals: dict[str, Decimal] = {}
    for entry in errand.ledger.all():
        totals[entry.kind] = totals.get(entry.kind, Decimal("0")) + entry.amount
    if not totals:
        return ""
    return _("received %(r)s, paid %(p)s, returned %(b)s") % {
        "r": totals.get(LedgerKind.RECEIVED, Decimal("0")), "p": totals.get(LedgerKind.PAID, Decimal("0")),
        "b": totals.get(LedgerKind.RETURNED, Decimal("0"))}


def compile_day(actor, agent: Person, day: date) -> DiaryDay:
    """The day's page: errands the agent took or finished that day, then the free notes."""
    errands = (Errand.objects.visible_to(actor, "view")
               .filter(agent=agent).filter(Q(accepted_at__date=day) | Q(done_at__date=day))
               .select_related("resident").prefetch_related("ledger").order_by("accepted_at"))
    labels = dict(choices("errand_category"))
    page = DiaryDay(agent, day)
    for errand in errands:
        stamp = timezone.localtime(errand.accepted_at)
        page.lines.append(DiaryLine(
            time=stamp.strftime("%H:%M") if stamp.date() == day else stamp.strftime("%m-%d"),
            resident=errand.resident.name, item=f"{labels.get(errand.category, errand.category)}：{errand.description}",
            result=errand.outcome or errand.get_status_display(), money=_money(errand)))
    page.notes = list(DiaryNote.objects.visible_to(actor, "view").filter(agent=agent, day=day)
                      .values_list("text", flat=True))
    return page


@transaction.atomic
def write_note(actor, station: Station, agent: Person, day: date, text: str) -> DiaryNote:
    text = text.strip()
    if not text or "\x00" in text:
        raise ValidationError({"text": _("Write something for the diary.")})
    if day > timezone.localdate():
        raise ValidationError({"day": _("The diary cannot be written ahead.")})
    if not station.agents.filter(pk=agent.pk).exists():
        raise ValidationError({"agent": _("Choose one of this station's agents.")})
    note = DiaryNote(station=station, agent=agent, day=day, text=text)
    note.full_clean()
    require(actor, "add", note)
    with audit.acting_as(actor):
        note.save()
    return note


def _wrap(text: str, width: int) -> list[str]:
    """Chinese wraps by characters: `width` characters a line."""
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def render_pdf(pages: list[DiaryDay]) -> bytes:
    """A5 pages ruled like the paper diaries: date and weekday on top, one errand per entry."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A5)
    width, height = A5
    canvas.setTitle(_("Work diary"))
    for page in pages or []:
        _draw_page(canvas, page, width, height)
    if not pages:
        canvas.setFont(FONT, 12)
        canvas.drawString(20 * mm, height - 30 * mm, _("No diary entries in this period."))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_page(canvas: Canvas, page: DiaryDay, width: float, height: float) -> None:
    left, y = 14 * mm, height - 18 * mm
    canvas.setFont(FONT, 15)
    canvas.drawString(left, y, _("Work diary"))
    canvas.setFont(FONT, 10)
    canvas.drawRightString(width - left, y, f"{page.day:%Y年%m月%d日} 星期{WEEKDAYS[page.day.weekday()]}")
    y -= 7 * mm
    canvas.drawString(left, y, f"{_('Agent')}：{page.agent.name}")
    y -= 3 * mm
    canvas.line(left, y, width - left, y)
    y -= 6 * mm
    for number, line in enumerate(page.lines, start=1):
        rows = _wrap(f"{number}. {line.time} {line.resident} {line.item}", 30)
        rows += _wrap(f"   {_('Result')}：{line.result}", 30)
        if line.money:
            rows += _wrap(f"   {_('Money')}：{line.money}", 30)
        for row in rows:
            if y < 18 * mm:
                canvas.showPage()
                canvas.setFont(FONT, 10)
                y = height - 18 * mm
            canvas.drawString(left, y, row)
            y -= 5.5 * mm
        canvas.setDash(1, 2)
        canvas.line(left, y + 2.5 * mm, width - left, y + 2.5 * mm)
        canvas.setDash()
        y -= 1.5 * mm
    if page.notes:
        y -= 2 * mm
        canvas.drawString(left, y, f"{_('Notes')}：")
        y -= 5.5 * mm
        for note in page.notes:
            for row in _wrap(note, 30):
                canvas.drawString(left + 4 * mm, y, row)
                y -= 5.5 * mm
    canvas.showPage()


def month_pages(actor, agent: Person, year: int, month: int) -> list[DiaryDay]:
    days = sorted(set(
        Errand.objects.visible_to(actor, "view").filter(agent=agent, accepted_at__year=year,
                                                        accepted_at__month=month)
        .values_list("accepted_at__date", flat=True)))
    noted = set(DiaryNote.objects.visible_to(actor, "view").filter(agent=agent, day__year=year, day__month=month)
                .values_list("day", flat=True))
    return [compile_day(actor, agent, day) for day in sorted(set(days) | noted)]
