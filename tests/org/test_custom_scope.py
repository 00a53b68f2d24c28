"""自定义数据权限: an assignment whose data scope is an explicit set of regions or units reaches exactly those (with
what lies below them) on pages, in the API, in exports and in `can`; nobody hands on a custom scope wider than
their own."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wanghua.core.access import can, forget_grants, grants_of
from wanghua.core.testing import body_text
from wanghua.org import services
from wanghua.org.models import Person, Region, RoleAssignment


@pytest.fixture
def admin(make_user):
    return make_user("root-admin", is_superuser=True)


@pytest.fixture
def chosen(world, make_user, roles, admin):
    """A street role at 一街道 whose data scope is custom: 甲社区 (street 1) and 丙社区 (street 2) only."""
    user = make_user("custom-user")
    Person.objects.create(name="乙某", region=world.community2, phone="13900000002")
    Person.objects.create(name="网格某", region=world.grid1, phone="13900000003")
    services.grant_role(admin, user, roles["street"], region=world.street1, data_scope="custom",
                        regions=[world.community1, world.community3])
    return user


def test_custom_scope_sees_exactly_the_chosen_regions(world, chosen):
    people = set(Person.objects.visible_to(chosen, "view").values_list("name", flat=True))
    assert people == {"张甲", "李丙", "网格某"}  # 甲社区 with its grid, and 丙社区; not 乙社区
    regions = set(Region.objects.visible_to(chosen, "view").values_list("name", flat=True))
    assert regions == {"甲社区", "甲社区第1网格", "丙社区"}  # not the anchor 一街道, not the district


def test_can_follows_the_custom_scope(world, chosen):
    inside = Person(name="新", region=world.community3)
    outside = Person(name="新", region=world.community2)
    assert can(chosen, "add", inside) and not can(chosen, "add", outside)
    assert not can(chosen, "change", world.street1)


def test_pages_api_and_exports_honour_the_custom_scope(world, chosen, client_for):
    client = client_for(chosen)
    for url in ("/org/people/", "/org/people/?format=xlsx"):
        text = body_text(client.get(url))
        assert "张甲" in text and "李丙" in text and "乙某" not in text, url
    api = client.get("/api/v1/org/people").json()
    assert {row["name"] for row in api["items"]} == {"张甲", "李丙", "网格某"}
    hidden = Person.objects.get(name="乙某")
    assert client.get(f"/org/people/{hidden.pk}/").status_code == 404
    assert client.get(f"/api/v1/org/people/{hidden.pk}").status_code == 404
    assert client.get(f"/org/people/{world.person3.pk}/").status_code == 200


def test_a_custom_scope_needs_a_region_or_unit_and_only_custom_takes_them(world, make_user, roles, admin):
    with pytest.raises(ValidationError):
        services.grant_role(admin, make_user("a"), roles["street"], region=world.street1, data_scope="custom")
    with pytest.raises(ValidationError):
        services.grant_role(admin, make_user("b"), roles["street"], region=world.street1,
                            regions=[world.community1])
    with pytest.raises(ValidationError):
        services.grant_role(admin, make_user("c"), roles["street"], region=world.street1, data_scope="everything")
    assert not RoleAssignment.objects.filter(user__username__in=["a", "b", "c"]).exists()


def test_nobody_hands_on_a_custom_scope_beyond_their_own(world, make_user, roles):
    street = make_user("street-1", "street", region=world.street1)
    target = make_user("target")
    with pytest.raises(PermissionDenied):  # 丙社区 lies in street 2
        services.grant_role(street, target, roles["agent"], region=world.community1, data_scope="custom",
                            regions=[world.community1, world.community3])
    with pytest.raises(PermissionDenied):  # nor the whole district
        services.grant_role(street, target, roles["agent"], region=world.community1, data_scope="all")
    assert not RoleAssignment.objects.filter(user=target).exists()
    granted = services.grant_role(street, target, roles["agent"], region=world.community1, data_scope="custom",
                                  regions=[world.community1, world.community2])
    assert sorted(r.name for r in granted.regions.all()) == ["乙社区", "甲社区"]


def test_a_custom_holder_hands_on_only_within_the_chosen_regions(world, chosen, make_user, roles):
    forget_grants(chosen)
    assert [g.region_paths for g in grants_of(chosen)] == [(world.community1.path, world.community3.path)]
    with pytest.raises(PermissionDenied):  # the anchor 一街道 opens nothing by itself
        services.grant_role(chosen, make_user("x"), roles["agent"], region=world.community2)
    services.grant_role(chosen, make_user("y"), roles["agent"], region=world.community3)


def test_the_api_grants_and_shows_a_custom_scope(world, make_user, client_for, roles):
    street = make_user("street-api", "street", region=world.street1)
    make_user("api-target")
    client = client_for(street)
    refused = client.post("/api/v1/org/assignments", {
        "username": "api-target", "role": "agent", "region_id": world.community1.pk, "data_scope": "custom",
        "custom_region_ids": [world.community3.pk]}, content_type="application/json")
    assert refused.status_code == 404  # 丙社区 is not even visible to street 1
    made = client.post("/api/v1/org/assignments", {
        "username": "api-target", "role": "agent", "region_id": world.community1.pk, "data_scope": "custom",
        "custom_region_ids": [world.community2.pk]}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["data_scope"] == "custom" and made.json()["custom_region_ids"] == [world.community2.pk]
