"""Refreshing the indicator store: every scope, history as of a month end, one failure recorded not fatal."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wanghua.civic.models import Commitment
from wanghua.core import indicators
from wanghua.dashboard import refresh, services
from wanghua.dashboard.models import IndicatorValue, RefreshRun


def stored(scope: str, key: str, period: date | None = None) -> Decimal | None:
    values = IndicatorValue.objects.filter(scope=scope, key=key)
    if period is not None:
        values = values.filter(period=period)
    row = values.order_by("-period").first()
    return row.value if row else None


def commitment(world, **extra) -> Commitment:
    fields = {"year": timezone.localdate().year, "title": "口袋公园", "target": Decimal(3), "target_unit": "处",
              "unit": world.dept, "region": world.street1, "deadline": timezone.localdate().replace(month=12, day=31)}
    return Commitment.objects.create(**(fields | extra))


def test_every_scope_gets_its_values(world):
    commitment(world)
    run = services.refresh_indicators()
    assert run.failures == [] and run.finished_at is not None and run.values == IndicatorValue.objects.count()
    assert stored("district", "org.communities") == 3
    assert stored(f"r{world.street1.pk}", "org.communities") == 2
    assert stored(f"r{world.community3.pk}", "org.communities") == 1
    assert stored(f"u{world.dept.pk}", "civic.commitments") == 1  # by-unit indicators for government units
    assert stored(f"u{world.dept.pk}", "org.communities") is None  # others are not counted per unit
    assert stored(f"r{world.street2.pk}", "civic.commitments") == 0  # made for street 1, not street 2
    assert not IndicatorValue.objects.filter(scope=f"r{world.grid1.pk}").exists()  # grids have no board


def test_a_second_refresh_in_the_month_overwrites(world):
    services.refresh_indicators()
    commitment(world)
    services.refresh_indicators()
    assert IndicatorValue.objects.filter(scope="district", key="civic.commitments").count() == 1
    assert stored("district", "civic.commitments") == 1


def test_history_counts_as_of_the_month_end(world):
    year = timezone.localdate().year
    pocket = commitment(world, delivered=Decimal(3), delivered_on=date(year, 1, 10))
    assert pocket.delivered_on.month == 1
    jan_end = refresh.month_end(date(year, 1, 1))
    assert (jan_end + timedelta(microseconds=1)).day == 1
    with indicators.as_of(jan_end):
        assert indicators.today() == date(year, 1, 31)
    services.refresh_indicators(moment=jan_end, trigger="history", scopes=[refresh.DISTRICT])
    assert IndicatorValue.objects.filter(period=date(year, 1, 1)).values("scope").distinct().count() == 1
    assert stored("district", "civic.commitments", date(year, 1, 1)) == 1


def test_one_failing_indicator_is_recorded_and_the_rest_land(world, monkeypatch):
    def broken(region=None):
        raise RuntimeError("table missing")

    monkeypatch.setitem(indicators.REGISTRY, "test.broken", indicators.Indicator(
        "test.broken", "broken", indicators.Goal.STRENGTH, "x", broken))
    run = services.refresh_indicators()
    assert {f["key"] for f in run.failures} == {"test.broken"}
    assert "table missing" in run.failures[0]["error"]
    assert stored("district", "org.communities") == 3
    assert RefreshRun.objects.get().values == IndicatorValue.objects.count()


def test_the_command_refreshes(world, capsys):
    from django.core.management import call_command

    call_command("refresh_indicators")
    assert "0 failures" in capsys.readouterr().out
    assert stored("district", "org.communities") == 3


@pytest.mark.parametrize("moment", [datetime(2026, 3, 31, 23, 59, 59)])
def test_shared_work_is_done_once_per_refresh(moment, monkeypatch):
    calls = []
    with indicators.as_of(timezone.make_aware(moment)):
        for _ in range(3):
            indicators.shared(("k",), lambda: calls.append(1) or len(calls))
    indicators.shared(("k",), lambda: calls.append(1))  # outside a refresh: computed every time
    assert len(calls) == 2
