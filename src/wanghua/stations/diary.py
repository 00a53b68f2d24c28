"""工作日记: an agent's day compiled from their errands and free notes; printable like the paper diaries.
(Read only: a diary note is written by `services.write_diary_note`.)"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from wanghua.core import pdf
from wanghua.core.reference import choices
from wanghua.org.models import Person

from .models import DiaryNote, Errand, ErrandStatus, LedgerEntry, LedgerKind, ledger_totals

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


@dataclass
class MonthTotals:
    """本月合计 at the end of a month's diary: errands taken and closed, by category, and the money handled."""

    agent: Person
    first: date
    accepted: int = 0
    done: int = 0
    visited: int = 0
    withdrawn: int = 0  # 取消 and 退回
    by_category: list[tuple[str, int]] = field(default_factory=list)
    received: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    returned: Decimal = Decimal("0.00")
    notes: int = 0
    days: int = 0


def month_totals(actor, agent: Person, year: int, month: int, pages: list[DiaryDay]) -> MonthTotals:
    """The month's figures, read through the same access path as its pages (voided ledger lines netted out)."""
    first = date(year, month, 1)
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(date(year, month, monthrange(year, month)[1]) + timedelta(days=1), time.min, tzinfo=zone)
    errands = Errand.objects.visible_to(actor, "view").filter(agent=agent)
    taken = errands.filter(accepted_at__gte=start, accepted_at__lt=end)
    closed = errands.filter(done_at__gte=start, done_at__lt=end)
    labels = dict(choices("errand_category"))
    by_category = [(labels.get(row["category"], row["category"]), row["n"])
                   for row in taken.values("category").annotate(n=Count("pk")).order_by("-n", "category")]
    money = ledger_totals(LedgerEntry.objects.visible_to(actor, "view").filter(
        errand__agent=agent, recorded_at__gte=start, recorded_at__lt=end))
    return MonthTotals(
        agent=agent, first=first, accepted=taken.count(), done=closed.count(),
        visited=errands.filter(visited_at__gte=start, visited_at__lt=end).count(),
        withdrawn=taken.filter(status__in=(ErrandStatus.CANCELLED, ErrandStatus.RETURNED)).count(),
        by_category=by_category, received=money[LedgerKind.RECEIVED], paid=money[LedgerKind.PAID],
        returned=money[LedgerKind.RETURNED], notes=sum(len(p.notes) for p in pages), days=len(pages))


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

    def totals(self, totals: MonthTotals) -> None:
        """本月合计: the month's figures on a page of their own after its days."""
        self.y = self.height - 18 * mm
        self.canvas.setFont(self.bold, 15)
        self.canvas.drawString(self.left, self.y, _("Monthly totals"))
        self.canvas.setFont(self.regular, self.size)
        self.canvas.drawRightString(self.width - self.left, self.y, f"{totals.first:%Y年%m月}")
        self.y -= 7 * mm
        self.canvas.drawString(self.left, self.y, f"{_('Agent')}：{totals.agent.name}")
        self.y -= 3 * mm
        self.canvas.line(self.left, self.y, self.width - self.left, self.y)
        self.y -= 7 * mm
        rows = [
            (_("Days with entries"), str(totals.days)), (_("Errands accepted"), str(totals.accepted)),
            (_("Errands done"), str(totals.done)), (_("Follow-up visits"), str(totals.visited)),
            (_("Cancelled or returned"), str(totals.withdrawn)), (_("Diary notes"), str(totals.notes)),
            (_("Money received from residents (yuan)"), f"{totals.received:.2f}"),
            (_("Paid out for residents (yuan)"), f"{totals.paid:.2f}"),
            (_("Change returned (yuan)"), f"{totals.returned:.2f}"),
        ]
        for label, value in rows:
            self._figure(label, value)
        if totals.by_category:
            self.y -= 3 * mm
            self.canvas.setFont(self.bold, self.size)
            self.canvas.drawString(self.left, self.y, _("Errands accepted by category"))
            self.y -= self.leading
            for label, count in totals.by_category:
                self._figure(label, str(count), indent=4 * mm)
        self.canvas.showPage()

    def _figure(self, label: str, value: str, indent: float = 0.0) -> None:
        self.canvas.setFont(self.regular, self.size)
        self.canvas.drawString(self.left + indent, self.y, label)
        self.canvas.drawRightString(self.width - self.left, self.y, value)
        self.y -= self.leading

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


def render_pdf(pages: list[DiaryDay], totals: MonthTotals | None = None) -> bytes:
    """One diary page (or more, when the day overflows) per day, then a month's totals when given; the CJK
    font is embedded."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A5)
    canvas.setTitle(_("Work diary"))
    printer = _DiaryPrinter(canvas)
    for page in pages:
        printer.day(page)
    if not pages and totals is None:
        printer.empty()
    if totals is not None:
        printer.totals(totals)
    canvas.save()
    return buffer.getvalue()


def month_pages(actor, agent: Person, year: int, month: int) -> list[DiaryDay]:
    return diary_pages(actor, agent, date(year, month, 1), date(year, month, monthrange(year, month)[1]))
