"""Stops: detected from the status, attributed to the alarm before them, hot or cold."""

from wanghua.industry import services
from wanghua.industry.models import Stop


def run(plant, second: float, status: str, **values):
    plant.send({"ts": plant.at(second), "values": {"status": status, **values}})


def test_a_short_stop_after_an_alarm_is_hot_and_located(plant, make_user, world):
    run(plant, 0, "running", finish_current=650)
    run(plant, 10, "running", finish_current=960)  # HIHI on the finishing mill (L04)
    run(plant, 12, "fault")
    stop = Stop.objects.get()
    assert stop.ended_at is None and stop.location.location == "L04"
    run(plant, 12 + 600, "running")
    stop.refresh_from_db()
    assert stop.kind == Stop.Kind.HOT and stop.seconds == 600
    operator = make_user("op", "operator", unit=world.enterprise1)
    assert services.give_stop_reason(operator, stop.pk, "精轧机卡钢").reason == "精轧机卡钢"


def test_long_or_cooled_stops_are_cold_and_hiccups_are_ignored(plant):
    run(plant, 0, "running")
    run(plant, 1, "stopped")
    run(plant, 2 * 3600, "running")
    run(plant, 2 * 3600 + 10, "stopped")
    run(plant, 2 * 3600 + 20, "stopped", furnace_t1=850)  # below the line's 900 ℃ set point
    run(plant, 2 * 3600 + 320, "running")
    run(plant, 3 * 3600, "fault")
    run(plant, 3 * 3600 + 30, "running")  # 30 s: under the line's 60 s minimum
    kinds = list(Stop.objects.order_by("started_at").values_list("kind", flat=True))
    assert kinds == [Stop.Kind.COLD, Stop.Kind.COLD]
