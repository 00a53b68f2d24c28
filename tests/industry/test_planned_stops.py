"""计划停机: a planned stop (the weekly 定修, a roll change) is not lost time. The operator marks it on the stop's
card or through the API; it then leaves the downtime figures, the Pareto, MTBF/MTTR and the crews' stops, and
shortens the planned production time OEE availability is measured against; the analysis page shows it apart."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.industry.test_day import finished_stop
from tests.refusals import field_refusal
from wanghua.industry import queries, services
from wanghua.industry.models import MinuteRollup, Stop, Tag

HOUR = timedelta(hours=1)


def test_a_planned_stop_leaves_the_downtime_figures_and_shortens_planned_time(plant):
    l04 = plant.line.equipment.get(location="L04")
    Stop.objects.create(line=plant.line, started_at=plant.start, ended_at=plant.start + timedelta(minutes=30),
                        kind="hot", location=l04, by_fault=True)
    Stop.objects.create(line=plant.line, started_at=plant.start + HOUR, ended_at=plant.start + 3 * HOUR,
                        kind="cold", planned=True, reason="计划检修：周定修")
    result = queries.stop_kpis([plant.line], plant.start, plant.start + 4 * HOUR)
    assert (result.stops, result.hot, result.cold, result.downtime_hours) == (1, 1, 0, 0.5)
    assert (result.planned_stops, result.planned_hours) == (1, 2.0)
    assert [(r["location"], r["hours"], r["cumulative_percent"]) for r in result.pareto] == [("L04", 0.5, 100.0)]
    assert result.mttr_minutes == 30.0 and result.mtbf_hours == pytest.approx(1.5)  # (4 h − 2 h planned − 0.5 h)
    assert result.failure_rate_percent == pytest.approx(25.0)  # 0.5 h of fault in 2 h meant to run
    assert [row["stops"] for row in result.per_shift] == [1]
    count, good = (Tag.objects.get(line=plant.line, code=code) for code in ("count", "good"))
    for tag, low, high in ((count, 1000, 1360), (good, 990, 1341)):
        MinuteRollup.objects.create(tag=tag, minute=plant.start, n=1, total=low, low=low, high=low, last=low)
        MinuteRollup.objects.create(tag=tag, minute=plant.start + 3 * HOUR, n=1, total=high, low=high, high=high,
                                    last=high)
    value = queries.oee(plant.line, plant.start, plant.start + 4 * HOUR)
    assert value.availability == pytest.approx(1.5 / 2)  # 2 h planned production time, 0.5 h of it down
    assert value.performance == pytest.approx(360 / (4 * 90))


def test_the_operator_marks_a_stop_planned_on_its_card_and_the_mark_stays_until_changed(plant, make_user, world,
                                                                                        client_for):
    stop = finished_stop(plant)
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    client.post(f"/industry/stops/{stop.pk}/reason/", {"reason": "计划检修", "planned": "on"})
    stop.refresh_from_db()
    assert stop.planned and stop.reason == "计划检修"
    cards = client.get("/industry/stops/").content.decode()
    assert 'class="badge text-bg-info stop-planned">计划停机' in cards and f'id="planned-{stop.pk}" checked' in cards
    unattributed = client.get(f"/industry/stops/?line={plant.line.pk}&unattributed=true").context["object_list"]
    assert list(unattributed) == []  # a planned stop has no cause location to give
    assert client.get("/industry/stops/?planned=true").context["object_list"][0] == stop
    client.post(f"/industry/stops/{stop.pk}/reason/", {"reason": "设备故障"})  # the box left unticked
    stop.refresh_from_db()
    assert not stop.planned
    analysis = client.get(f"/industry/lines/{plant.line.code}/analysis/?days=1").content.decode()
    assert 'id="planned-hours">0' in analysis and "计划停机（小时，0 次）" in analysis


def test_the_api_marks_a_stop_planned_and_leaves_the_mark_when_not_told(plant, make_user, world, client_for):
    stop = finished_stop(plant)
    client = client_for(make_user("op", "operator", unit=world.enterprise1))
    url = f"/api/v1/industry/stops/{stop.pk}/reason"
    body = client.post(url, {"reason": "换辊", "planned": True}, content_type="application/json").json()
    assert body["planned"] is True
    assert client.post(url, {"reason": "换辊换规格"}, content_type="application/json").json()["planned"] is True
    assert client.post(url, {"reason": "换辊", "planned": "maybe"},
                       content_type="application/json").status_code == 422
    stop.refresh_from_db()
    assert stop.planned and stop.reason == "换辊换规格"


def test_planned_must_be_yes_or_no(plant, make_user, world):
    stop = finished_stop(plant)
    operator = make_user("op", "operator", unit=world.enterprise1)
    field_refusal(lambda: services.give_stop_reason(operator, stop.pk, "换辊", planned="on"), "planned",  # type: ignore[arg-type]
                  "Say whether the stop was planned.")
    stop.refresh_from_db()
    assert not stop.planned and stop.reason == ""


def test_oee_per_day_leaves_planned_stops_out_of_availability(plant):
    today = timezone.localdate()
    midnight = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    if timezone.now() - midnight < 2 * HOUR:
        midnight -= timedelta(days=1)  # a whole planned hour in the window
    Stop.objects.create(line=plant.line, started_at=midnight, ended_at=midnight + HOUR, kind="cold", planned=True)
    from wanghua.industry.models import HourRollup

    count = Tag.objects.get(line=plant.line, code="count")
    HourRollup.objects.create(tag=count, hour=midnight + HOUR, n=2, total=30, low=10, high=20)
    row = next(r for r in queries.oee_per_day(plant.line, days=2) if r["day"] == midnight.date().isoformat())
    alone = queries.oee(plant.line, midnight, min(midnight + timedelta(days=1), timezone.now()))
    assert row["availability"] == round(100 * alone.availability, 1) == 100.0
