"""Line definitions kept by a plant's production manager: line settings, tag ranges, alarm definitions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wanghua.industry import services
from wanghua.industry.models import AlarmDefinition, Tag


def manager(make_user, world, name="pm"):
    return make_user(name, "plant_manager", unit=world.enterprise1)


def test_alarm_limits_must_rise_and_stay_in_range(plant, make_user, world):
    actor = manager(make_user, world)
    current = Tag.objects.get(line=plant.line, code="finish_current")  # HI 800, HIHI 900, range 0…3000
    with pytest.raises(ValidationError, match="LOLO"):
        services.define_alarm(actor, tag=current, kind="LO", limit=850, message="电流低")  # above HI
    with pytest.raises(ValidationError, match="有效范围"):
        services.define_alarm(actor, tag=current, kind="LO", limit=-5, message="电流低")
    with pytest.raises(ValidationError):
        services.define_alarm(actor, tag=current, kind="HI", limit=700, message="重复")  # one HI per tag
    low = services.define_alarm(actor, tag=current, kind="LO", limit=100, priority="low", message="电流低")
    assert low.pk and low.state == ""
    with pytest.raises(ValidationError, match="LOLO"):
        services.update_alarm(actor, AlarmDefinition.objects.get(tag=current, kind="HIHI").pk, limit=750)
    saw = Tag.objects.get(line=plant.line, code="saw_state")
    with pytest.raises(ValidationError):
        services.define_alarm(actor, tag=saw, kind="HI", limit=1, message="错误")  # a state tag has no limits


def test_tag_range_cannot_exclude_its_alarm_limits(plant, make_user, world):
    actor = manager(make_user, world)
    tag = Tag.objects.get(line=plant.line, code="hyd_pressure")  # LO 14, LOLO 12
    with pytest.raises(ValidationError, match="有效范围"):
        services.update_tag(actor, tag.pk, low=13)
    with pytest.raises(ValidationError):
        services.update_tag(actor, tag.pk, low=30, high=20)
    assert services.update_tag(actor, tag.pk, high=35, key=False).high == 35


def test_only_managers_of_the_enterprise_change_definitions(plant, make_user, world):
    operator = make_user("op", "operator", unit=world.enterprise1)
    tag = Tag.objects.get(line=plant.line, code="hyd_pressure")
    with pytest.raises(PermissionDenied):
        services.update_tag(operator, tag.pk, high=35)
    outsider = make_user("pm2", "plant_manager", unit=world.enterprise2)
    with pytest.raises(Tag.DoesNotExist):
        services.update_tag(outsider, tag.pk, high=35)
    with pytest.raises(ValidationError):
        services.update_line(manager(make_user, world), plant.line.pk, temperature_tag=plant.other_line.tags.first())


def test_setup_pages_and_api(plant, make_user, world, client_for):
    client = client_for(manager(make_user, world))
    page = client.get("/industry/lines/FT-BAR1/setup/").content.decode()
    assert "液压系统压力" in page and 'id="edit-line"' in page
    saved = client.post(f"/industry/setup/lines/{plant.line.pk}/edit/", {
        "name": "精品汽车钢生产线", "capacity_tonnes": 12000, "ideal_rate": "4.5", "cold_after_minutes": 100,
        "min_stop_seconds": 90, "active": "on"})
    assert saved.status_code == 302
    plant.line.refresh_from_db()
    assert plant.line.cold_after_minutes == 100
    tag = Tag.objects.get(line=plant.line, code="o2")
    new = client.post("/industry/setup/alarms/new/", {"tag": tag.pk, "kind": "HIHI", "limit": 8, "priority": "high",
                                                      "deadband": 0.2, "on_delay": 0, "off_delay": 10,
                                                      "message": "含氧量过高"})
    assert new.status_code == 302 and AlarmDefinition.objects.filter(tag=tag, kind="HIHI").exists()
    refused = client.post("/industry/setup/alarms/new/", {"tag": tag.pk, "kind": "LO", "limit": 9, "priority": "low",
                                                          "deadband": 0, "on_delay": 0, "off_delay": 0,
                                                          "message": "x"})
    assert refused.status_code == 400 and "LOLO" in refused.content.decode()
    api = client.patch(f"/api/v1/industry/tags/{tag.pk}", {"high": 25}, content_type="application/json")
    assert api.status_code == 200 and api.json()["high"] == 25 and len(api.json()["alarms"]) == 2
    created = client.post("/api/v1/industry/alarm-definitions", {"tag_id": tag.pk, "kind": "LO", "limit": 0.5,
                                                                 "message": "含氧量低"},
                          content_type="application/json")
    assert created.status_code == 201
    patched = client.patch(f"/api/v1/industry/alarm-definitions/{created.json()['id']}", {"limit": 0.8},
                           content_type="application/json")
    assert patched.json()["limit"] == 0.8
