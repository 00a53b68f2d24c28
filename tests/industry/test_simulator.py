"""The simulator (history, then live from where the history ended) and the shift calendar."""

from datetime import datetime, timedelta

from django.utils import timezone

from wanghua.industry.models import AlarmEvent, LiveSnapshot, Stop
from wanghua.industry.shifts import shift_at
from wanghua.industry.simulator import backfill, local_sender, simulators_for


def test_history_has_heats_alarms_and_stops_and_live_goes_on_from_it(plant):
    now = timezone.now()
    lines = [plant.line]
    sent = backfill(simulators_for(lines), now - timedelta(hours=6), now, step=10, send=local_sender())
    assert sent == 6 * 360
    snapshot = LiveSnapshot.objects.get(line=plant.line)
    assert snapshot.count > 0 and snapshot.heat and AlarmEvent.objects.filter(line=plant.line).exists()
    assert Stop.objects.filter(line=plant.line).exists()
    resumed = simulators_for(lines)[0]
    assert (resumed.count, resumed.good) == (snapshot.count, snapshot.good)
    assert resumed.values(now + timedelta(seconds=1))["count"] >= snapshot.count


def test_four_crews_rotate_through_three_shifts(plant):
    zone = timezone.get_current_timezone()
    plant.line.shift_anchor = datetime(2026, 1, 1, tzinfo=zone)
    shifts = [shift_at(plant.line, datetime(2026, 1, 1, tzinfo=zone) + timedelta(hours=8 * i, minutes=5))
              for i in range(6)]
    assert [(s.name, s.crew) for s in shifts] == [("夜班", "甲"), ("白班", "乙"), ("中班", "丙"), ("夜班", "丁"),
                                                  ("白班", "甲"), ("中班", "乙")]
    assert shifts[1].start.hour == 8 and shifts[1].end.hour == 16 and str(shifts[0]) == "夜班（甲班）"
