"""一带: the industry services' guards, each pinned by its own message, with nothing written. These are the guards
scripts/guard_mutants.py found that no other test would miss: a later check (the model's full_clean, the
unique constraint on a tag's alarm kinds, the equipment look-up) refuses too but with another message, or
nothing refuses at all and the change is saved."""

from tests.industry.test_alarms import current_over, state_of
from tests.industry.test_day import finished_stop
from tests.industry.test_definitions import manager
from tests.refusals import field_refusal, refusal
from wanghua.industry import services
from wanghua.industry.models import AlarmDefinition, AlarmEvent, AlarmState, Equipment, Stop, Tag

SAME_KIND = "This tag already has an alarm of this kind."
STATE_ALARM = "A state alarm needs a discrete or text tag and the state that alarms."


def _journal(definition_id: int) -> list[str]:
    return list(AlarmEvent.objects.filter(definition_id=definition_id).order_by("id").values_list("kind", flat=True))


def _definition(plant, tag: str, kind: str) -> AlarmDefinition:
    return AlarmDefinition.objects.get(tag__line=plant.line, tag__code=tag, kind=kind)


# --- alarms ------------------------------------------------------------------------------------------------

def test_an_alarm_that_was_never_raised_cannot_be_registered(plant, make_user, world):
    """报警登记 of an alarm that never activated (normal, acknowledged, no activation journalled) is refused and
    journals nothing; once it has been raised the same registration goes through."""
    operator = make_user("op", "operator", unit=world.enterprise1)
    hihi = _definition(plant, "finish_current", "HIHI")
    refusal(lambda: services.register(operator, hihi.pk, cause="设备故障", action="检查"),
            "This alarm has never been raised.")
    assert _journal(hihi.pk) == []
    current_over(plant, [(0, 950), (1, 100), (7, 100)])  # raised, then back to normal after the 5 s off-delay
    services.acknowledge(operator, hihi.pk)
    assert services.register(operator, hihi.pk, cause="设备故障", action="检查").kind == "registered"
    assert _journal(hihi.pk) == ["activated", "cleared", "acked", "registered"]


def test_an_alarm_is_shelved_only_with_a_reason(plant, make_user, world):
    """Shelving with a blank reason is refused: the alarm stays unshelved and nothing is journalled."""
    current_over(plant, [(0, 950)])
    state = state_of(plant, "HIHI")
    refusal(lambda: services.shelve(manager(make_user, world), state.pk, minutes=30, note="   "),
            "Say why the alarm is shelved.")
    state.refresh_from_db()
    assert state.shelved_until is None and state.state == AlarmState.State.UNACKED
    assert _journal(state.pk) == ["activated"]


def test_an_alarm_is_taken_out_of_service_only_with_a_reason(plant, make_user, world):
    """Taking an alarm out of service with a blank reason is refused: it stays in service, still active, and
    nothing is journalled."""
    current_over(plant, [(0, 950)])
    state = state_of(plant, "HIHI")
    refusal(lambda: services.remove_from_service(manager(make_user, world), state.pk, note=" \t "),
            "Say why the alarm is taken out of service.")
    state.refresh_from_db()
    assert not state.out_of_service and state.active
    assert _journal(state.pk) == ["activated"]


# --- stops -------------------------------------------------------------------------------------------------

def test_a_stop_reason_must_be_given_and_hold_no_nul(plant, make_user, world):
    """A blank reason (even with a detail) and a NUL in the reason or the detail are refused on the reason; the
    stop keeps no reason and no one is named as having given it."""
    operator = make_user("op", "operator", unit=world.enterprise1)
    stop = finished_stop(plant)
    for reason, detail in (("  ", ""), ("", "精轧机卡钢"), ("设备\x00故障", ""), ("设备故障", "卡\x00钢")):
        field_refusal(lambda reason=reason, detail=detail: services.give_stop_reason(operator, stop.pk, reason,
                                                                                       detail=detail),
                      "reason", "Give the reason for the stop.")
    stop = Stop.objects.get(pk=stop.pk)
    assert (stop.reason, stop.reason_by) == ("", None)


def test_a_stop_location_over_40_characters_is_refused_before_it_is_looked_up(plant, make_user, world):
    """A location longer than the 40 characters of a location code is refused even when it would strip to a
    code of the line's equipment: the stop keeps its reason and location."""
    operator = make_user("op", "operator", unit=world.enterprise1)
    stop = finished_stop(plant)
    before = (stop.reason, stop.location_id)
    field_refusal(lambda: services.give_stop_reason(operator, stop.pk, "设备故障", location="L04" + " " * 40),
                  "location", "Choose equipment of this line.")
    stop.refresh_from_db()
    assert (stop.reason, stop.location_id, stop.reason_by) == (*before, None)


# --- definitions -------------------------------------------------------------------------------------------

def test_a_tags_highest_valid_value_must_be_above_its_lowest(plant, make_user, world):
    """update_tag: a range whose top is not above its bottom (equal, or below) is refused on `high`, even on a
    tag without alarms to fall outside it; the range stays as it was."""
    actor = manager(make_user, world)
    tag = Tag.objects.get(line=plant.line, code="loop_height")  # 0…1000 mm, no alarms
    for low, high in ((500, 500), (600, 400)):
        field_refusal(lambda low=low, high=high: services.update_tag(actor, tag.pk, low=low, high=high),
                      "high", "The highest valid value must be above the lowest.")
    tag.refresh_from_db()
    assert (tag.low, tag.high) == (0, 1000)


def test_a_tag_is_placed_only_on_equipment_of_its_own_line(plant, make_user, world):
    """update_tag: equipment of another line is refused on `equipment`; the tag stays where it was."""
    tag = Tag.objects.get(line=plant.line, code="loop_height")
    before = tag.equipment_id
    elsewhere = Equipment.objects.filter(line=plant.other_line).first()
    field_refusal(lambda: services.update_tag(manager(make_user, world), tag.pk, equipment=elsewhere),
                  "equipment", "Choose equipment of this line.")
    tag.refresh_from_db()
    assert tag.equipment_id == before and before is not None


def test_a_state_alarm_needs_a_discrete_tag_and_a_state(plant, make_user, world):
    """A state alarm on a number tag, or on a text tag without the state that alarms, is refused on `state` and
    not defined; an existing state alarm cannot have its state blanked."""
    actor = manager(make_user, world)
    number, text = (Tag.objects.get(line=plant.line, code=code) for code in ("loop_height", "grade"))
    field_refusal(lambda: services.define_alarm(actor, tag=number, kind="STATE", state="fault", message="活套故障"),
                  "state", STATE_ALARM)
    field_refusal(lambda: services.define_alarm(actor, tag=text, kind="STATE", state="  ", message="钢种"),
                  "state", STATE_ALARM)
    assert not AlarmDefinition.objects.filter(tag__in=[number, text]).exists()
    saw = _definition(plant, "saw_state", "STATE")
    field_refusal(lambda: services.update_alarm(actor, saw.pk, state=" "), "state", STATE_ALARM)
    saw.refresh_from_db()
    assert saw.state == "fault"


def test_a_tag_has_one_alarm_of_each_kind(plant, make_user, world):
    """define_alarm: a second HI on a tag (its limit otherwise in order) or a second STATE is refused on `kind`
    with the service's message, not the unique constraint's; no definition is added."""
    actor = manager(make_user, world)
    current, saw = (Tag.objects.get(line=plant.line, code=code) for code in ("finish_current", "saw_state"))
    count = AlarmDefinition.objects.count()
    field_refusal(lambda: services.define_alarm(actor, tag=current, kind="HI", limit=850, message="重复"),
                  "kind", SAME_KIND)
    field_refusal(lambda: services.define_alarm(actor, tag=saw, kind="STATE", state="stop", message="重复"),
                  "kind", SAME_KIND)
    assert AlarmDefinition.objects.count() == count
    assert list(AlarmDefinition.objects.filter(tag=current).values_list("kind", "limit")) == [
        ("HI", 800), ("HIHI", 900)]


def test_an_alarm_cannot_change_to_a_kind_its_tag_already_has(plant, make_user, world):
    """update_alarm: changing the HI to HIHI where the tag has a HIHI is refused on `kind`; both stay as they
    were. Keeping its own kind is no clash."""
    actor = manager(make_user, world)
    hi = _definition(plant, "finish_current", "HI")
    field_refusal(lambda: services.update_alarm(actor, hi.pk, kind="HIHI"), "kind", SAME_KIND)
    assert list(AlarmDefinition.objects.filter(tag=hi.tag).values_list("kind", "limit")) == [
        ("HI", 800), ("HIHI", 900)]
    assert services.update_alarm(actor, hi.pk, kind="HI", limit=820).limit == 820
