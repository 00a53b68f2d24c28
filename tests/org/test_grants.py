"""Nobody can grant a role wider than their own."""

import pytest
from django.core.exceptions import PermissionDenied

from wanghua.org import services
from wanghua.org.models import RoleAssignment


def test_secretary_grants_agent_inside_own_community(world, make_user, roles):
    secretary = make_user("sec", "secretary", region=world.community1)
    newcomer = make_user("new-agent")
    assignment = services.grant_role(secretary, newcomer, roles["agent"], region=world.grid1)
    assert assignment.granted_by == secretary


def test_grant_outside_own_scope_is_refused(world, make_user, roles):
    secretary = make_user("sec", "secretary", region=world.community1)
    with pytest.raises(PermissionDenied):
        services.grant_role(secretary, make_user("x"), roles["agent"], region=world.community3)


def test_grant_of_a_wider_role_is_refused(world, make_user, roles):
    secretary = make_user("sec", "secretary", region=world.community1)
    for wider in ("leader", "street", "sysadmin"):
        with pytest.raises(PermissionDenied):
            services.grant_role(secretary, make_user(f"x-{wider}"), roles[wider], region=world.community1)
    assert not RoleAssignment.objects.filter(user__username__startswith="x-").exists()


def test_roles_without_grant_permission_grant_nothing(world, make_user, roles):
    agent = make_user("agent", "agent", region=world.community1)
    with pytest.raises(PermissionDenied):
        services.grant_role(agent, make_user("x"), roles["agent"], region=world.community1)
    assert services.assignable_roles(agent) == []


def test_grant_page_and_api(world, make_user, client_for):
    street = make_user("st", "street", region=world.street1)
    make_user("candidate")
    client = client_for(street)
    response = client.post("/org/assignments/grant/", {"username": "candidate", "role": street.role_assignments.get()
                                                       .role.pk, "region": world.community2.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user__username="candidate", region=world.community2).exists()
    refused = client.post("/api/v1/org/assignments", {"username": "candidate", "role": "leader",
                                                      "region_id": world.community2.pk},
                          content_type="application/json")
    assert refused.status_code == 403
    assignment = RoleAssignment.objects.get(user__username="candidate")
    assert client.delete(f"/api/v1/org/assignments/{assignment.pk}").status_code == 204
    assert not RoleAssignment.objects.filter(user__username="candidate").exists()


def test_revoking_takes_effect_immediately(world, make_user, client_for):
    secretary = make_user("sec", "secretary", region=world.community1)
    client = client_for(secretary)
    assert client.get("/org/people/").status_code == 200
    RoleAssignment.objects.filter(user=secretary).delete()
    assert client.get("/org/people/").status_code == 403


def _station_units(world, make_user):
    from wanghua.stations import services as stations

    root = make_user("grant-root", is_superuser=True)
    own = stations.open_station(root, community=world.community1, code="S1", host_household="刘全国家")
    other = stations.open_station(root, community=world.community3, code="S3", host_household="王家")
    return own.unit, other.unit


def test_secretary_appoints_an_agent_to_a_station_of_their_community(world, make_user, roles, client_for):
    own, _other = _station_units(world, make_user)
    secretary = make_user("sec", "secretary", region=world.community1)
    make_user("new-agent")
    response = client_for(secretary).post("/org/assignments/grant/", {
        "username": "new-agent", "role": roles["agent"].pk, "unit": own.pk})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user__username="new-agent", unit=own)
    assert assignment.granted_by == secretary
    # the secretary sees the appointment in their list and may take it back
    listing = client_for(secretary).get("/org/assignments/")
    assert "new-agent" in listing.content.decode()
    services.revoke_role(secretary, assignment.pk)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_secretary_cannot_appoint_at_a_station_of_another_community(world, make_user, roles, client_for):
    _own, other = _station_units(world, make_user)
    secretary = make_user("sec", "secretary", region=world.community1)
    newcomer = make_user("new-agent")
    with pytest.raises(PermissionDenied):
        services.grant_role(secretary, newcomer, roles["agent"], unit=other)
    refused = client_for(secretary).post("/api/v1/org/assignments", {
        "username": "new-agent", "role": "agent", "unit_id": other.pk}, content_type="application/json")
    assert refused.status_code in (403, 404)
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_secretary_cannot_revoke_an_agent_of_another_community(world, make_user, roles):
    _own, other = _station_units(world, make_user)
    secretary = make_user("sec", "secretary", region=world.community1)
    foreign = make_user("agent3", "agent", unit=other)
    with pytest.raises(RoleAssignment.DoesNotExist):
        services.revoke_role(secretary, foreign.role_assignments.get().pk)
    assert foreign.role_assignments.exists()


def test_a_street_appoints_at_stations_below_it_only(world, make_user, roles):
    own, other = _station_units(world, make_user)
    street = make_user("st", "street", region=world.street1)
    assert services.grant_role(street, make_user("a1"), roles["agent"], unit=own).unit == own
    with pytest.raises(PermissionDenied):
        services.grant_role(street, make_user("a3"), roles["agent"], unit=other)


def test_the_database_refuses_a_second_identical_grant_at_a_region_or_at_a_unit(world, make_user, roles):
    """Beside grant_role's own check, the database holds one grant per user, role and scope, for grants at a
    region and at a unit alike (two concurrent grants cannot both land)."""
    from django.db import IntegrityError, transaction

    user = make_user("twice")
    at_region = {"user": user, "role": roles["street"], "region": world.street1}
    at_unit = {"user": user, "role": roles["operator"], "unit": world.enterprise1}
    for scope in (at_region, at_unit):
        RoleAssignment.objects.create(**scope)
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(**scope)
    RoleAssignment.objects.create(user=user, role=roles["street"], region=world.street2)  # another scope is fine
    assert RoleAssignment.objects.filter(user=user).count() == 3
