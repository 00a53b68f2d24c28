"""智检中心 indicators for the 一带 card and the 六望花 board, computed from the lab's records."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, now, records, register

from . import queries
from .models import LabOrder, TestResult

MONTH = timedelta(days=30)


def _last(span: timedelta) -> tuple:
    until = now()
    return until - span, until


def _lab_orders_page(region=None) -> str:
    since, until = _last(MONTH)
    return records("lab:orders", region_param=None, since=since.date().isoformat(),
                   until=until.date().isoformat())


def _lab_orders(region=None):
    orders = LabOrder.objects.all()
    return orders.filter(enterprise__region__path__startswith=region.path) if region is not None else orders


@register("lab.pass_rate", name=_("Heats passing the lab (last 30 days)"), goal=Goal.INNOVATION, unit="%",
          zone="belt", drill=_lab_orders_page)
def lab_pass_rate(region=None) -> float:
    since, until = _last(MONTH)
    return float(queries.pass_rate(_lab_orders(region).filter(sampled_at__gte=since, sampled_at__lt=until)))


@register("lab.turnaround", name=_("Lab turnaround, sampling to verdict (last 30 days)"), goal=Goal.INNOVATION,
          unit=_("hours"), zone="belt", drill=_lab_orders_page, lower_is_better=True)
def lab_turnaround(region=None) -> float:
    since, until = _last(MONTH)
    rows = (_lab_orders(region).filter(sampled_at__gte=since, sampled_at__lt=until, decided_at__isnull=False)
            .values_list("sampled_at", "decided_at"))
    hours = [(done - sampled).total_seconds() / 3600 for sampled, done in rows]
    return round(sum(hours) / len(hours), 1) if hours else 0.0


@register("lab.tests_per_day", name=_("Lab tests per day (last 30 days)"), goal=Goal.INNOVATION, unit=_("tests"),
          drill=_lab_orders_page)
def lab_tests_per_day(region=None) -> float:
    since, until = _last(MONTH)
    results = TestResult.objects.filter(recorded_at__gte=since, recorded_at__lt=until, revision=1)
    if region is not None:
        results = results.filter(specimen__order__enterprise__region__path__startswith=region.path)
    return round(results.count() / 30, 1)
