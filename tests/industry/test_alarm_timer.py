"""The alarm timer job: on/off delays and shelves run out on time, with no further sample; the stale sweep."""

from datetime import timedelta

from django.utils import timezone

from wanghua.industry import services
from wanghua.industry.models import AlarmDefinition, AlarmEvent, AlarmState


def state_of(plant, kind: str) -> AlarmState:
    return AlarmState.objects.get(definition=AlarmDefinition.objects.get(tag__line=plant.line,
                                                                         tag__code="finish_current", kind=kind))


def current(plant, second: float, value: float) -> None:
    plant.send({"ts": plant.at(second), "values": {"finish_current": value}})


def test_the_on_delay_runs_out_without_another_sample(plant):
    current(plant, 0, 820)  # HI 800 A, 5 s on-delay: pending
    assert not state_of(plant, "HI").active and state_of(plant, "HI").pending_since is not None
    assert services.advance_alarm_timers(now=plant.start + timedelta(seconds=3)) == 0  # not yet
    assert not state_of(plant, "HI").active
    services.advance_alarm_timers(now=plant.start + timedelta(seconds=6))
    hi = state_of(plant, "HI")
    assert hi.active and not hi.acked and hi.pending_since is None
    assert list(AlarmEvent.objects.filter(definition=hi.definition).values_list("kind", "value")) == [
        ("activated", "820")]


def test_the_off_delay_runs_out_without_another_sample(plant):
    current(plant, 0, 950)  # HIHI trips at once (no on-delay)
    current(plant, 1, 100)  # back to normal: the off-delay starts
    hihi = state_of(plant, "HIHI")
    assert hihi.active and hihi.clearing_since is not None
    delay = hihi.definition.off_delay
    services.advance_alarm_timers(now=plant.start + timedelta(seconds=1 + delay))
    hihi = state_of(plant, "HIHI")
    assert not hihi.active and hihi.state_at(timezone.now()) == AlarmState.State.RTN_UNACKED
    assert AlarmEvent.objects.filter(definition=hihi.definition, kind="cleared").count() == 1


def test_an_expired_shelf_is_lifted_by_the_timer(plant, make_user):
    current(plant, 0, 950)
    root = make_user("root", is_superuser=True)
    services.shelve(root, state_of(plant, "HIHI").pk, minutes=5, note="传感器待校准")
    assert state_of(plant, "HIHI").shelved_until is not None
    services.advance_alarm_timers(now=timezone.now() + timedelta(minutes=6))
    hihi = state_of(plant, "HIHI")
    assert hihi.shelved_until is None and hihi.state_at(timezone.now()) == AlarmState.State.UNACKED


def test_the_stale_sweep_counts_alarms_standing_over_a_day(plant):
    current(plant, 0, 950)
    assert services.sweep_stale_alarms() == {"stale": 0, "lines": 0}
    assert services.sweep_stale_alarms(now=timezone.now() + timedelta(hours=25)) == {"stale": 1, "lines": 1}
