"""The region and unit trees: one-query subtrees, and invalid trees refused with a clear message."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from wanghua.org import services
from wanghua.org.models import Person, Region, Unit


@pytest.fixture
def root(make_user):
    return make_user("root", is_superuser=True)


def test_subtree_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = sorted(r.name for r in world.street1.descendants())
    assert names == sorted(["一街道", "甲社区", "乙社区", "甲社区第1网格"])


def test_ancestors(world):
    assert [r.name for r in world.grid1.ancestors()] == ["测试区", "一街道", "甲社区"]


def test_create_places_node_by_parent(world, root):
    grid = services.create_region(root, code="T0102G1", name="乙社区第1网格", level="grid", kind="网格",
                                  parent=world.community2)
    assert grid.path == "/T00/T01/T0102/T0102G1/" and grid.depth == 3


def test_community_under_community_is_refused(world, root):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.create_region(root, code="X1", name="错社区", level="community", kind="社区",
                               parent=world.community1)
    assert "村/社区必须隶属于镇/街道" in str(caught.value)
    assert not Region.objects.filter(code="X1").exists()


def test_cycle_is_refused(world, root):
    with pytest.raises(ValidationError) as caught:
        services.update_unit(root, world.gov.pk, parent=world.dept)
    assert "parent" in caught.value.message_dict
    world.gov.refresh_from_db()
    assert world.gov.parent is None


def test_duplicate_and_malformed_codes_are_refused(world, root):
    with pytest.raises(ValidationError) as dup:
        services.create_region(root, code="T0101", name="重复", level="community", kind="社区", parent=world.street2)
    assert "code" in dup.value.message_dict
    with pytest.raises(ValidationError):
        services.create_region(root, code="bad/code", name="坏编码", level="community", kind="社区",
                               parent=world.street2)


def test_moving_a_subtree_rewrites_descendant_paths(world, root):
    services.update_region(root, world.community1.pk, parent=world.street2)
    world.grid1.refresh_from_db()
    assert world.grid1.path == "/T00/T02/T0101/T0101G1/"
    assert {r.name for r in world.street2.descendants()} >= {"甲社区", "甲社区第1网格"}


def test_renaming_a_code_rewrites_descendant_paths(world, root):
    services.update_unit(root, world.gov.pk, code="gov2")
    world.dept.refresh_from_db()
    assert world.dept.path == "/gov2/dept/"


def test_level_of_a_region_with_children_cannot_change(world, root):
    with pytest.raises(ValidationError):
        services.update_region(root, world.community1.pk, level="grid", parent=world.community2)


def test_delete_in_use_is_refused_and_keeps_data(world, root):
    with pytest.raises(ValidationError) as caught:
        services.delete_region(root, world.community1.pk)
    assert "region" in str(caught.value) or "区划" in str(caught.value)
    assert Region.objects.filter(pk=world.community1.pk).exists()
    assert Person.objects.filter(pk=world.person1.pk).exists()


def test_delete_leaf_works(world, root):
    services.delete_region(root, world.grid1.pk)
    assert not Region.objects.filter(pk=world.grid1.pk).exists()
    assert Unit.objects.count() == 4


def test_person_id_number_is_checked(world, root):
    with pytest.raises(ValidationError) as bad:
        services.create_person(root, name="错号", region=world.community1, id_number="210404199001011235")
    assert "id_number" in bad.value.message_dict
    with pytest.raises(ValidationError) as dup:
        services.create_person(root, name="重号", region=world.community1, id_number="210404199001011236")
    assert "id_number" in dup.value.message_dict


SQUARE = [[123.8, 41.85], [123.9, 41.85], [123.9, 41.9], [123.8, 41.85]]


@pytest.mark.parametrize("outline,ok", [
    (None, True),
    ({"type": "Polygon", "coordinates": [SQUARE]}, True),
    ({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE]]}, "properties": {}}, True),
    ({"type": "Point", "coordinates": [123.8, 41.85]}, False),
    ({"type": "Polygon", "coordinates": [[[123.8, 41.85], [123.9, 41.85]]]}, False),
    ({"type": "Polygon", "coordinates": [[[500, 41.85], [123.9, 41.85], [123.9, 41.9], [500, 41.85]]]}, False),
    ("not geojson", False),
])
def test_zone_outline_is_validated(world, outline, ok):
    world.zone.geojson = outline
    if ok:
        world.zone.full_clean()
    else:
        with pytest.raises(ValidationError):
            world.zone.full_clean()


def test_createuser_command(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from wanghua.core.models import User

    call_command("createuser", "newsec", password="Strong-pass-2026", role="secretary", region="T0101",
                 stdout=StringIO())
    user = User.objects.get(username="newsec")
    assert user.role_assignments.get().region == world.community1 and user.check_password("Strong-pass-2026")
    with pytest.raises(CommandError):
        call_command("createuser", "x", password="Strong-pass-2026", role="nope", region="T0101")
    with pytest.raises(CommandError):
        call_command("createuser", "y", password="123", role="agent", region="T0101")


def test_admin_keeps_tree_invariants(world, make_user, client_for):
    """The admin site goes through the same model rules as the services."""
    admin = client_for(make_user("root", is_superuser=True, is_staff=True))
    response = admin.post("/admin/org/region/add/", {"code": "T0102G2", "name": "乙社区第2网格", "level": "grid",
                                                     "kind": "网格", "parent": world.community2.pk,
                                                     "sort_order": 0})
    assert response.status_code == 302
    assert Region.objects.get(code="T0102G2").path == "/T00/T01/T0102/T0102G2/"
    refused = admin.post("/admin/org/region/add/", {"code": "BAD1", "name": "错", "level": "community",
                                                    "kind": "社区", "parent": world.community2.pk, "sort_order": 0})
    assert refused.status_code == 200 and not Region.objects.filter(code="BAD1").exists()
    cycle = admin.post(f"/admin/org/unit/{world.gov.pk}/change/", {
        "code": "gov", "name": "测试区政府", "kind": "government", "parent": world.dept.pk,
        "region": world.district.pk, "active": "on"})
    assert cycle.status_code == 200
    world.gov.refresh_from_db()
    assert world.gov.parent is None


def test_direct_save_cannot_make_a_cycle(world):
    world.gov.parent = world.dept
    with pytest.raises(ValidationError):
        world.gov.save()
