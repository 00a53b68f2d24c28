"""工作日记: an agent's day compiled from their errands and free notes; printable like the paper diaries.
(Read only: a diary note is written by `services.write_diary_note`.)"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from wanghua.core import pdf
from wanghua.core.reference import choices
from wanghua.org.models import Person

from .models import DiaryNote, Errand, LedgerKind

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
    for entry in errand.ledger.all():  # a void takes its line's amount back
        totals[entry.kind] = totals.get(entry.kind, Decimal("0")) + (-entry.amount if entry.is_void else entry.amount)
    if not totals:
        return ""
    return _("received %(r)s, paid %(p)s, returned %(b)s") % {
        "r": totals.get(LedgerKind.RECEIVED, Decimal("0")), "p": totals.get(LedgerKind.PAID, Decimal("0")),
        "b": totals.get(LedgerKind.RETURNED, Decimal("0"))}


def _line(errand: Errand, day: date, labels: dict) -> DiaryLine:
    stamp = timezone.localtime(errand.accepted_at)
    return DiaryLine(
        time=stamp.strftime("%H:%M") if stamp.date() == day else stamp.strftime("%m-%d"),
        resident=errand.resident.name, item=f"{labels.get(errand.category, errand.category)}：{errand.description}",
        result=errand.outcome or errand.get_status_display(), money=_money(errand))


def diary_pages(actor, agent: Person, first: date, last: date) -> list[DiaryDay]:
    """Each day from `first` to `last` on which the agent took or finished an errand or wrote a note;
    three queries whatever the span."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    errands = (Errand.objects.visible_to(actor, "view").filter(agent=agent)
               .filter(Q(accepted_at__gte=start, accepted_at__lt=end) | Q(done_at__gte=start, done_at__lt=end))
               .select_related("resident").prefetch_related("ledger").order_by("accepted_at", "pk"))
    labels = dict(choices("errand_category"))
    pages: dict[date, DiaryDay] = {}
    for errand in errands:
        days = {timezone.localtime(errand.accepted_at).date()}
        if errand.done_at:
            days.add(timezone.localtime(errand.done_at).date())
        for day in sorted(d for d in days if first <= d <= last):
            pages.setdefault(day, DiaryDay(agent, day)).lines.append(_line(errand, day, labels))
    notes = DiaryNote.objects.visible_to(actor, "view").filter(agent=agent, day__gte=first, day__lte=last)
    for day, text in notes.values_list("day", "text"):
        pages.setdefault(day, DiaryDay(agent, day)).notes.append(text)
    return [pages[day] for day in sorted(pages)]


def compile_day(actor, agent: Person, day: date) -> DiaryDay:
    """The day's page: errands the agent took or finished that day, then the free notes."""
    return next(iter(diary_pages(actor, agent, day, day)), None) or DiaryDay(agent, day)


class _DiaryPrinter:
    """A5 pages ruled like the paper diaries; an overflowing day continues on the next page."""

    size = 10
    leading = 5.5 * mm

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.width, self.height = A5
        self.left = 14 * mm
        self.text_width = self.width - 2 * self.left
        self.regular, self.bold = pdf.register_fonts()
        self.y = 0.0

    def day(self, page: DiaryDay) -> None:
        self._heading(page)
        for number, line in enumerate(page.lines, start=1):
            self._rows(f"{number}. {line.time} {line.resident} {line.item}", page)
            self._rows(f"{_('Result')}：{line.result}", page, indent=4 * mm)
            if line.money:
                self._rows(f"{_('Money')}：{line.money}", page, indent=4 * mm)
            self.canvas.setDash(1, 2)
            self.canvas.line(self.left, self.y + 2.5 * mm, self.width - self.left, self.y + 2.5 * mm)
            self.canvas.setDash()
            self.y -= 1.5 * mm
        if page.notes:
            self.y -= 2 * mm
            self._rows(f"{_('Notes')}：", page)
            for note in page.notes:
                self._rows(note, page, indent=4 * mm)
        self.canvas.showPage()

    def empty(self) -> None:
        self.canvas.setFont(self.regular, 12)
        self.canvas.drawString(20 * mm, self.height - 30 * mm, _("No diary entries in this period."))
        self.canvas.showPage()

    def _heading(self, page: DiaryDay, continued: bool = False) -> None:
        self.y = self.height - 18 * mm
        title = _("Work diary (continued)") if continued else _("Work diary")
        self.canvas.setFont(self.bold, 15)
        self.canvas.drawString(self.left, self.y, title)
        self.canvas.setFont(self.regular, self.size)
        self.canvas.drawRightString(self.width - self.left, self.y,
                                    f"{page.day:%Y年%m月%d日} 星期{WEEKDAYS[page.day.weekday()]}")
        self.y -= 7 * mm
        self.canvas.drawString(self.left, self.y, f"{_('Agent')}：{page.agent.name}")
        self.y -= 3 * mm
        self.canvas.line(self.left, self.y, self.width - self.left, self.y)
        self.y -= 6 * mm

    def _rows(self, text: str, page: DiaryDay, indent: float = 0.0) -> None:
        for row in pdf.wrap(text, self.text_width - indent, self.regular, self.size):
            if self.y < 18 * mm:
                self.canvas.showPage()
                self._heading(page, continued=True)
            self.canvas.setFont(self.regular, self.size)
            self.canvas.drawString(self.left + indent, self.y, row)
            self.y -= self.leading


def render_pdf(pages: list[DiaryDay]) -> bytes:
    """One diary page (or more, when the day overflows) per day; the CJK font is embedded."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A5)
    canvas.setTitle(_("Work diary"))
    printer = _DiaryPrinter(canvas)
    for page in pages:
        printer.day(page)
    if not pages:
        printer.empty()
    canvas.save()
    return buffer.getvalue()


def month_pages(actor, agent: Person, year: int, month: int) -> list[DiaryDay]:
    return diary_pages(actor, agent, date(year, month, 1), date(year, month, monthrange(year, month)[1]))
