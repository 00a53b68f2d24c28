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


def _counter_history(plant, hours: int):
    """The count and good counters over the last `hours` hours, a reading a minute before every whole hour: the
    older hours summed into hour rollups, the last three still minutes, one summed hour marked again (its minutes
    are what counts) and one hour with no reading at all."""
    from wanghua.industry.models import HourRollup, PendingHour
    from wanghua.industry.telemetry.rollups import hour_of

    now = timezone.now()
    this_hour = hour_of(now)
    count = Tag.objects.get(line=plant.line, code="count")
    good = Tag.objects.get(line=plant.line, code="good")
    marked = this_hour - timedelta(hours=20)
    for back in range(hours, 0, -1):
        hour = this_hour - timedelta(hours=back)
        if back == 30:
            continue  # the line was silent
        for tag, low in ((count, 1000 + 97 * (hours - back)), (good, 990 + 95 * (hours - back))):
            minute = hour + timedelta(minutes=59)
            if back <= 3 or hour == marked:
                MinuteRollup.objects.create(tag=tag, minute=hour + timedelta(minutes=1), n=1, total=low, low=low,
                                            high=low, last=low)
                MinuteRollup.objects.create(tag=tag, minute=minute, n=1, total=low + 90, low=low + 90,
                                            high=low + 90, last=low + 90)
            if back > 3:
                stale = 0 if hour != marked else 10**6  # the marked hour's old sum is wrong: its minutes count
                HourRollup.objects.create(tag=tag, hour=hour, n=2, total=2 * low + 90, low=low,
                                          high=low + 90 + stale)
    PendingHour.objects.create(line=plant.line, hour=marked, version=1)
    for back in (3, 2, 1):  # the hours still in minutes, marked as ingest marks every hour it writes
        PendingHour.objects.create(line=plant.line, hour=this_hour - timedelta(hours=back), version=1)
    for back, minutes in ((50, 40), (26, 90), (2, 15)):  # one stop across midnight-ish, one still open
        start = now - timedelta(hours=back)
        Stop.objects.create(line=plant.line, started_at=start, ended_at=start + timedelta(minutes=minutes),
                            kind="hot", by_fault=True)
    Stop.objects.create(line=plant.line, started_at=now - timedelta(minutes=5), kind="cold", by_fault=False)


def _as_rows(value):
    return (value.reported, round(value.availability, 9), round(value.performance, 9), round(value.quality, 9),
            value.output, value.good)


def test_oee_per_day_and_per_shift_are_oee_of_each_window_in_a_few_queries(plant):
    """The analysis page's OEE per day and per shift give what oee() gives for each window alone (hour rollups,
    a re-marked hour read from its minutes, unsummed minutes, a silent hour, stops across windows), and read
    the rollups once for all windows: 30 days cost the queries 3 days cost."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wanghua.industry.shifts import shift_at

    today = timezone.localdate()
    plant.line.shift_anchor = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    plant.line.save(update_fields=["shift_anchor"])
    _counter_history(plant, hours=60)
    days = queries.oee_per_day(plant.line, days=3)
    now = timezone.now()
    for row in days:
        start = timezone.make_aware(timezone.datetime.fromisoformat(row["day"]))
        alone = queries.oee(plant.line, start, min(start + timedelta(days=1), now))
        assert (row["reported"], row["output"]) == (alone.reported, alone.output)
        assert row["oee"] == round(100 * alone.oee, 1) and row["quality"] == round(100 * alone.quality, 2)
        assert row["availability"] == round(100 * alone.availability, 1)
    # Each day holds output once it holds a whole hour of the history: today only from 01:00 on (before, its
    # one hour is the current one, which the history leaves empty).
    first_hour_done = timezone.localtime(now).hour >= 1
    assert [row["output"] > 0 for row in days] == [True, True, first_hour_done]
    shifts = queries.oee_per_shift(plant.line)
    current = shift_at(plant.line, now)
    for back, row in zip(range(5, -1, -1), shifts, strict=True):
        shift = shift_at(plant.line, current.start - back * (current.end - current.start))
        alone = queries.oee(plant.line, shift.start, min(shift.end, now))
        assert (row["output"], row["oee"]) == (alone.output, round(100 * alone.oee, 1))
    with CaptureQueriesContext(connection) as three:
        queries.oee_per_day(plant.line, days=3)
    with CaptureQueriesContext(connection) as thirty:
        queries.oee_per_day(plant.line, days=30)
    assert len(thirty) == len(three) <= 8


def test_the_analysis_page_costs_the_same_queries_for_a_week_and_a_month(plant, make_user, world, client_for):
    """Downtime, alarms, OEE per day and per shift over 7 or 30 days: the same queries, under a pinned ceiling
    (23 here; it ran 80 for a week and 195 for a month when each day and shift read its own stops and counters). Shifts
    start on whole hours, as the demo's calendar does; one that does not is computed on its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plant.line.shift_anchor = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time()))
    plant.line.save(update_fields=["shift_anchor"])
    _counter_history(plant, hours=60)
    client = client_for(make_user("manager", "plant_manager", unit=world.enterprise1))
    counts = []
    for days in (7, 30):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/industry/lines/FT-BAR1/analysis/?days={days}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 25, counts
