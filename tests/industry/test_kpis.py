"""KPIs against hand-computed values."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wanghua.industry import queries
from wanghua.industry.models import AlarmDefinition, AlarmEvent, AlarmState, MinuteRollup, Stop, Tag


def ten_minute_start(plant):
    """Flood periods are the clock's 10-minute periods: the test's events start on one."""
    return plant.start.replace(minute=plant.start.minute - plant.start.minute % 10, second=0, microsecond=0)


def activate(plant, definition, seconds: float):
    AlarmEvent.objects.create(definition=definition, line=plant.line, equipment=definition.tag.equipment,
                              at=ten_minute_start(plant) + timedelta(seconds=seconds), kind="activated",
                              priority=definition.priority)


def test_alarm_kpis(plant):
    hi = AlarmDefinition.objects.get(tag__line=plant.line, tag__code="finish_current", kind="HI")
    lo = AlarmDefinition.objects.get(tag__line=plant.line, tag__code="hyd_pressure", kind="LO")
    oil = AlarmDefinition.objects.get(tag__line=plant.line, tag__code="hyd_oil_temp", kind="HI")
    for second in (10, 30, 50, 65):  # a chattering burst: 3 within 60 s twice (10-50, 30-65)
        activate(plant, hi, second)
    for second in range(100, 100 + 8 * 20, 20):  # 8 more in the first 10 minutes: 12 → a flood
        activate(plant, lo, second)
    activate(plant, oil, 1200)  # another bucket, one activation
    AlarmState.objects.create(definition=oil, line=plant.line, active=True, acked=False,
                              active_since=plant.start - timedelta(hours=30))
    start = ten_minute_start(plant)
    result = queries.alarm_kpis([plant.line], start, start + timedelta(hours=1))
    assert result.activations == 13
    assert result.per_10_min == pytest.approx(13 / 6, abs=0.01)
    assert result.peak_10_min == 12 and result.flood_percent == pytest.approx(100 / 6, abs=0.01)
    assert result.stale == 1
    # LO every 20 s: each activation from the third on closes a burst (6); HI at 10, 30, 50, 65 s: 2.
    assert [(c["id"], c["bursts"]) for c in result.chattering] == [(lo.pk, 6), (hi.pk, 2)]
    assert [a["activations"] for a in result.bad_actors] == [8, 4, 1]
    shares = {p["priority"]: p["activations"] for p in result.priorities}
    assert shares == {"low": 1, "medium": 12, "high": 0}  # 液压压力低 and 精轧主电机过流 are medium


def test_stop_kpis_and_oee(plant):
    hour = timedelta(hours=1)
    l04 = plant.line.equipment.get(location="L04")
    Stop.objects.create(line=plant.line, started_at=plant.start, ended_at=plant.start + timedelta(minutes=30),
                        kind="hot", location=l04, by_fault=True)
    Stop.objects.create(line=plant.line, started_at=plant.start + hour, ended_at=plant.start + 3 * hour,
                        kind="cold", by_fault=False)
    result = queries.stop_kpis([plant.line], plant.start, plant.start + 4 * hour)
    assert (result.stops, result.hot, result.cold, result.downtime_hours) == (2, 1, 1, 2.5)
    assert result.mttr_minutes == 75.0 and result.mtbf_hours == pytest.approx(0.75)
    assert result.failure_rate_percent == pytest.approx(12.5)
    assert [(r["location"], r["hours"], r["cumulative_percent"]) for r in result.pareto] == [
        ("", 2.0, 80.0), ("L04", 0.5, 100.0)]
    count = Tag.objects.get(line=plant.line, code="count")
    good = Tag.objects.get(line=plant.line, code="good")
    for tag, low, high in ((count, 1000, 1360), (good, 990, 1341)):
        MinuteRollup.objects.create(tag=tag, minute=plant.start, n=1, total=low, low=low, high=low, last=low)
        MinuteRollup.objects.create(tag=tag, minute=plant.start + 3 * hour, n=1, total=high, low=high, high=high,
                                    last=high)
    value = queries.oee(plant.line, plant.start, plant.start + 4 * hour)
    # 4 h planned, 2.5 h down → 90 min running; ideal 4/min? The test line's ideal rate is 4 pieces/min.
    assert value.availability == pytest.approx(1.5 / 4)
    assert value.output == 360 and value.performance == pytest.approx(360 / (4 * 90))
    assert value.quality == pytest.approx(351 / 360)
    assert value.oee == pytest.approx(1.5 / 4 * 1.0 * 351 / 360)
    assert queries.oee_per_day(plant.line, days=2)[-1]["day"] == timezone.localdate().isoformat()
    silent = queries.oee(plant.line, plant.start - timedelta(days=10), plant.start - timedelta(days=9))
    assert not silent.reported  # no count data then: "no data", not an OEE of 0


def test_analysis_page_api_and_indicators(plant, make_user, world, client_for):
    for second, status, current in ((0, "running", 600), (60, "running", 950), (70, "fault", 0),
                                     (70 + 900, "running", 600)):
        plant.send({"ts": plant.at(3 * 3600 - 2000 + second),
                    "values": {"status": status, "finish_current": current}})
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    html = client.get("/industry/lines/FT-BAR1/analysis/?days=1").content.decode()
    assert "精轧机组" in html and "热停" in html and 'id="bad-actors"' in html
    assert client.get("/industry/lines/FT-BAR1/analysis/?days=9999").status_code == 404
    data = client.get("/api/v1/industry/lines/FT-BAR1/kpis?days=1").json()
    assert data["stops"]["stops"] == 1 and data["stops"]["hot"] == 1 and data["stops"]["downtime_hours"] == 0.25
    assert data["stops"]["pareto"][0]["location"] == "L04" and data["alarms"]["activations"] == 1  # HIHI; HI needed 5 s
    from wanghua.industry import indicators

    assert indicators.hot_stops() == 1 and indicators.downtime() == 0.25
    assert indicators.hot_stops(world.street2) == 0  # the other enterprise's street has no stops
