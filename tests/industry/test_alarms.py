"""ISA-18.2 alarms: on/off delays, deadband, states, the journal, operators' actions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wanghua.industry import queries, services
from wanghua.industry.models import AlarmDefinition, AlarmEvent, AlarmState


def current_over(plant, readings: list[tuple[float, float]], tag: str = "finish_current"):
    for second, value in readings:
        plant.send({"ts": plant.at(second), "values": {tag: value}})


def state_of(plant, kind: str, tag: str = "finish_current") -> AlarmState:
    definition = AlarmDefinition.objects.get(tag__line=plant.line, tag__code=tag, kind=kind)
    return AlarmState.objects.get(definition=definition)


def test_on_delay_deadband_and_off_delay(plant):
    # HI 800 A with a 5 s on-delay, 20 A deadband, 5 s off-delay; HIHI 900 A with no on-delay.
    current_over(plant, [(0, 650), (1, 820), (3, 830)])
    assert not state_of(plant, "HI").active  # only 2 s over the limit
    current_over(plant, [(6, 815)])
    hi = state_of(plant, "HI")
    assert hi.active and not hi.acked and hi.state_at(hi.active_since) == AlarmState.State.UNACKED
    current_over(plant, [(7, 790), (20, 795)])  # below the limit but inside the deadband: still active
    assert state_of(plant, "HI").active
    current_over(plant, [(21, 700), (23, 700)])
    assert state_of(plant, "HI").active  # off-delay running
    current_over(plant, [(27, 700)])
    hi = state_of(plant, "HI")
    assert not hi.active and hi.state_at(hi.active_since) == AlarmState.State.RTN_UNACKED
    journal = list(AlarmEvent.objects.filter(definition=hi.definition).order_by("at").values_list("kind", flat=True))
    assert journal == ["activated", "cleared"]
    assert not AlarmEvent.objects.filter(definition__kind="HIHI").exists()


def test_acknowledge_register_shelve_and_out_of_service(plant, make_user, world):
    operator = make_user("op", "operator", unit=world.enterprise1)
    current_over(plant, [(0, 950)])  # HIHI has no on-delay
    hihi = state_of(plant, "HIHI")
    assert [s.pk for s in queries.current(AlarmState.objects.visible_to(operator))] == [hihi.pk]
    services.acknowledge(operator, hihi.pk)
    with pytest.raises(ValidationError):
        services.acknowledge(operator, hihi.pk)
    event = services.register(operator, hihi.pk, cause="轧辊卡钢", action="停机处理后恢复")
    assert (event.kind, event.user, event.cause) == ("registered", operator, "轧辊卡钢")
    with pytest.raises(ValidationError):
        services.register(operator, hihi.pk, cause="", action="")
    with pytest.raises(PermissionDenied):  # shelving needs a shift leader's permission
        services.shelve(operator, hihi.pk, minutes=30, note="误报")
    root = make_user("root", is_superuser=True)
    with pytest.raises(ValidationError):
        services.shelve(root, hihi.pk, minutes=24 * 60, note="太长")
    services.shelve(root, hihi.pk, minutes=30, note="传感器待校准")
    assert queries.current(AlarmState.objects.all()) == [] or hihi.pk not in [
        s.pk for s in queries.current(AlarmState.objects.all())]
    services.remove_from_service(root, hihi.pk, note="检修")
    current_over(plant, [(5, 990)])
    assert not state_of(plant, "HIHI").active  # not evaluated while out of service
    kinds = list(AlarmEvent.objects.filter(definition_id=hihi.pk).order_by("id").values_list("kind", flat=True))
    assert kinds == ["activated", "acked", "registered", "shelved", "oos"]


def test_other_enterprise_cannot_touch_the_alarm(plant, make_user, world):
    current_over(plant, [(0, 950)])
    outsider = make_user("op2", "operator", unit=world.enterprise2)
    with pytest.raises(AlarmDefinition.DoesNotExist):
        services.acknowledge(outsider, state_of(plant, "HIHI").pk)
    assert AlarmState.objects.visible_to(outsider).count() == 0


def test_the_journal_is_append_only(plant):
    current_over(plant, [(0, 950)])
    event = AlarmEvent.objects.first()
    event.note = "改写"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_discrete_state_alarm(plant):
    plant.send({"ts": plant.at(0), "values": {"saw_state": "run"}},
               {"ts": plant.at(1), "values": {"saw_state": "fault"}})
    assert state_of(plant, "STATE", "saw_state").active
