"""Opening and editing stations: community secretaries do it, agents cannot."""

import pytest
from django.core.exceptions import ValidationError

from wanghua.org.models import Person
from wanghua.stations import services
from wanghua.stations.models import Station


def test_secretary_opens_and_pauses_a_station(desk, world, make_user, client_for):
    secretary = client_for(make_user("sec", "secretary", region=world.community2))
    host = Person.objects.create(name="赵新户", region=world.community2)
    response = secretary.post("/services/stations/new/", {
        "community": world.community2.pk, "code": "S2", "host_household": "赵新户家",
        "service_hours": "09:00-16:00", "active": "on", "agents": [host.pk]})
    assert response.status_code == 302
    station = Station.objects.get(unit__code="S2")
    assert list(station.agents.all()) == [host] and station.unit.kind == "station"
    edit = secretary.post(f"/services/stations/{station.pk}/edit/", {
        "host_household": "赵新户家", "service_hours": "09:00-16:00", "agents": [host.pk]})
    assert edit.status_code == 302
    station.refresh_from_db()
    assert not station.active


def test_agents_must_live_in_the_community_and_agents_cannot_open_stations(desk, world, make_user, client_for):
    secretary = client_for(make_user("sec", "secretary", region=world.street1))
    stranger = Person.objects.create(name="外社区人", region=world.community2)
    response = secretary.post(f"/services/stations/{desk.station.pk}/edit/", {
        "host_household": "刘全国家", "service_hours": "08:00-17:00", "active": "on", "agents": [stranger.pk]})
    assert response.status_code == 400
    assert list(desk.station.agents.values_list("name", flat=True)) == ["刘全国"]
    agent = client_for(desk.agent)
    assert agent.get("/services/stations/new/").status_code == 403
    assert agent.get(f"/services/stations/{desk.station.pk}/edit/").status_code == 403


def test_a_station_opens_only_in_a_village_or_community(world, make_user):
    """Found by scripts/guard_mutants.py: no test opened a station above community level."""
    root = make_user("opener", is_superuser=True)
    with pytest.raises(ValidationError) as refused:
        services.open_station(root, community=world.street1, code="S9", host_household="街道家")
    assert "community" in refused.value.message_dict
    assert not Station.objects.filter(unit__code="S9").exists()
