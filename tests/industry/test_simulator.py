"""The simulator (history, then live from where the history ended) and the shift calendar."""

from datetime import datetime, timedelta

from django.utils import timezone

from wanghua.industry.models import AlarmEvent, DeadLetter, LiveSnapshot, Stop
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


def test_each_line_rolls_its_family_in_its_own_heat_series(plant):
    from wanghua.industry.models import ProductFamily
    from wanghua.industry.simulator import REBAR, heat_prefix

    plant.line.product_family = ProductFamily.REBAR
    plant.line.save()
    rebar, aluminium = simulators_for([plant.line, plant.other_line])
    start = timezone.now() - timedelta(hours=48)
    seen = {(sim.code, v["grade"], v["spec"], v["heat"]) for sim in (rebar, aluminium)
            for v in (sim.values(start + timedelta(minutes=m)) for m in range(0, 48 * 60, 10))}
    grades = {code: {grade for c, grade, _s, _h in seen if c == code} for code in ("FT-BAR1", "AL-1")}
    assert grades["FT-BAR1"] <= dict(REBAR.grades).keys() and len(grades["FT-BAR1"]) >= 2
    assert not grades["FT-BAR1"] & grades["AL-1"]  # the other line keeps the automotive family (the default)
    sizes = dict(REBAR.grades)
    assert all(spec in {f"Φ{s}" for s in sizes[grade]} for c, grade, spec, _h in seen if c == "FT-BAR1")
    assert (heat_prefix("FT-BAR1"), heat_prefix("AL-1")) == ("FB1", "A1")
    assert all(heat.startswith(heat_prefix(code)) for code, _g, _s, heat in seen)


def test_generated_history_is_what_the_pipeline_would_have_left(plant):
    """Three days generated in bulk, then the pipeline goes on from the snapshot they end in."""
    from wanghua.industry import history, queries
    from wanghua.industry.models import AlarmDefinition, HourRollup, MinuteRollup, Tag
    from wanghua.industry.telemetry.pipeline import classify

    now = timezone.now()
    handover = now - timedelta(hours=1)
    made = history.generate(plant.line, now - timedelta(days=3), handover, seed=4)
    stops = list(Stop.objects.filter(line=plant.line))
    assert len(stops) == made.stops >= 6 and all(s.kind == classify(plant.line, s) for s in stops)
    assert {s.kind for s in stops} == {Stop.Kind.HOT, Stop.Kind.COLD}  # long faults and 定修 are cold
    assert all(s.location is not None for s in stops if s.by_fault)
    # alarms: activated after their on-delay, cleared, acknowledged
    activations = AlarmEvent.objects.filter(line=plant.line, kind=AlarmEvent.Kind.ACTIVATED)
    assert activations.count() == AlarmEvent.objects.filter(line=plant.line, kind=AlarmEvent.Kind.CLEARED).count() > 0
    assert all(e.epoch == int(e.at.timestamp()) for e in activations)
    hi = AlarmDefinition.objects.get(tag__line=plant.line, tag__code="hyd_oil_temp", kind="HI")
    assert not hi.events.exists()  # no fault drives the oil temperature: its alarm never rose
    lo = AlarmDefinition.objects.get(tag__line=plant.line, tag__code="ndt_coupling", kind="LO")
    first = lo.events.filter(kind=AlarmEvent.Kind.ACTIVATED).order_by("at").first()
    assert first is not None and any(
        s.started_at + timedelta(seconds=lo.on_delay) == first.at for s in stops)  # the line stood: coupling water fell
    # the counters' hour rollups are their minute rollups summed, as the job worker sums them
    count = Tag.objects.get(line=plant.line, code="count")
    hour = HourRollup.objects.filter(tag=count).order_by("hour")[10]
    minutes = MinuteRollup.objects.filter(tag=count, minute__gte=hour.hour, minute__lt=hour.hour + timedelta(hours=1))
    assert (hour.n, hour.low, hour.high) == (sum(m.n for m in minutes), min(m.low for m in minutes),
                                             max(m.high for m in minutes))
    value = queries.oee(plant.line, now - timedelta(days=2), handover)
    assert value.reported and 0.5 < value.availability < 1 and 0.8 < value.performance <= 1
    # the pipeline goes on from the snapshot: counters never step back, the heat series goes on
    snapshot = LiveSnapshot.objects.get(line=plant.line)
    backfill(simulators_for([plant.line]), handover, now, step=10, send=local_sender())
    after = LiveSnapshot.objects.get(line=plant.line)
    assert after.count > snapshot.count and after.heat > snapshot.heat and after.heat[:3] == snapshot.heat[:3]
    assert not DeadLetter.objects.filter(line=plant.line).exists()
    assert queries.oee(plant.line, now - timedelta(days=2), now).output > value.output
