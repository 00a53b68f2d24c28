"""字典管理 for city management: case categories and campaign actions, edited in the UI and audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wanghua.civic.models import CampaignAction, CaseCategory
from wanghua.civic.services import catalogue
from wanghua.core.models import AuditEntry

VEHICLE = [{"code": "vehicle", "description": "车辆类型", "datatype": "singlevaluelist", "required": True,
            "values": [{"key": "car", "name": "机动车"}, {"key": "bike", "name": "非机动车"}]}]


def test_a_subcategory_with_attributes_is_added_and_served_over_open311(centre, client):
    parking = catalogue.create_category(centre["command"], code="parking-mess", name="乱停乱放", kind="event",
                                        parent=centre["main"], handle_hours=2, attributes=VEHICLE)
    created = AuditEntry.objects.filter(content_type__model="casecategory", object_id=str(parking.pk), action="create")
    assert created.exists()
    definition = client.get("/open311/v2/services/parking-mess.json").json()
    assert definition["attributes"][0]["code"] == "vehicle" and definition["attributes"][0]["required"] is True
    catalogue.update_category(centre["command"], parking.pk, active=False)
    codes = [s["service_code"] for s in client.get("/open311/v2/services.json").json()]
    assert "parking-mess" not in codes and "road-occupation" in codes


@pytest.mark.parametrize("fields, field", [
    ({"parent_code": "road-occupation"}, "parent"),  # under a 小类
    ({"kind": "component"}, "kind"),  # not its 大类's kind
    ({"attributes": [{"code": "vehicle", "datatype": "colour"}]}, "attributes"),
    ({"attributes": [{"code": "vehicle", "datatype": "singlevaluelist"}]}, "attributes"),  # a list without values
    ({"attributes": [{"code": "a b", "datatype": "string"}]}, "attributes"),
    ({"attributes": [{"code": "x", "datatype": "string"}, {"code": "x", "datatype": "text"}]}, "attributes"),
    ({"attributes": {"code": "x"}}, "attributes"),
    ({"handle_hours": 0}, "handle_hours"),
])
def test_bad_categories_are_refused(centre, fields, field):
    parent = CaseCategory.objects.get(code=fields.pop("parent_code", "street-order"))
    values = {"code": "new-sub", "name": "新小类", "kind": "event", "parent": parent} | fields
    with pytest.raises(ValidationError) as refused:
        catalogue.create_category(centre["command"], **values)
    assert field in refused.value.message_dict
    assert not CaseCategory.objects.filter(code="new-sub").exists()


def test_a_main_category_with_subcategories_stays_one(centre):
    other = catalogue.create_category(centre["command"], code="environment", name="市容环境", kind="event")
    with pytest.raises(ValidationError):
        catalogue.update_category(centre["command"], centre["main"].pk, parent=other)
    catalogue.update_category(centre["command"], centre["main"].pk, kind="component")
    assert CaseCategory.objects.get(code="road-occupation").kind == "component"  # the 小类 follow their 大类


def test_only_the_district_command_centre_edits_the_catalogue(centre, world, make_user):
    street_centre = make_user("street-command", "command", region=world.street1)
    with pytest.raises(PermissionDenied):
        catalogue.update_category(street_centre, centre["sub"].pk, handle_hours=1)
    with pytest.raises(PermissionDenied):
        catalogue.create_action(street_centre, code="x", name="x", year=2026)
    with pytest.raises(PermissionDenied):
        catalogue.create_category(centre["grid"], code="x", name="x", kind="event")
    with pytest.raises(PermissionDenied):
        catalogue.update_category(centre["unit"], centre["sub"].pk, handle_hours=1)
    assert CaseCategory.objects.get(pk=centre["sub"].pk).handle_hours == 4


def test_actions_group_subcategories_and_their_changes_are_audited(centre):
    year = timezone.localdate().year
    action = catalogue.create_action(centre["command"], code="road-order", name="占道经营整治行动", year=year,
                                     categories=[centre["sub"]])
    assert list(action.categories.all()) == [centre["sub"]]
    with pytest.raises(ValidationError):
        catalogue.update_action(centre["command"], action.pk, categories=[centre["main"]])
    assert list(action.categories.all()) == [centre["sub"]]
    catalogue.update_action(centre["command"], action.pk, categories=[], name="占道经营专项整治")
    entries = AuditEntry.objects.filter(content_type__model="campaignaction", object_id=str(action.pk))
    assert any(e.after.get("categories") == [] and e.before.get("categories") == [centre["sub"].pk]
               for e in entries)
    assert CampaignAction.objects.get().name == "占道经营专项整治"


def test_pages_add_and_edit(centre, client):
    client.force_login(centre["command"])
    page = client.get("/civic/categories/").content.decode()
    assert "占道经营" in page and "/civic/categories/new/" in page
    added = client.post("/civic/categories/new/", {
        "code": "parking-mess", "name": "乱停乱放", "kind": "event", "parent": centre["main"].pk,
        "accept_hours": 1, "handle_hours": 2, "attributes": '[{"code": "vehicle", "datatype": "string"}]',
        "active": "on"})
    assert added.status_code == 302 and CaseCategory.objects.get(code="parking-mess").attributes[0]["code"] == "vehicle"
    bad = client.post("/civic/categories/new/", {"code": "x", "name": "x", "kind": "event", "parent": centre["main"].pk,
                                                  "accept_hours": 1, "handle_hours": 2, "attributes": "[{",
                                                  "active": "on"})
    assert bad.status_code == 400 and not CaseCategory.objects.filter(code="x").exists()
    made = client.post("/civic/actions/new/", {"code": "parking", "name": "乱停乱放整治", "year": 2026,
                                               "categories": [CaseCategory.objects.get(code="parking-mess").pk]})
    assert made.status_code == 302
    action = CampaignAction.objects.get(code="parking")
    edited = client.post(f"/civic/actions/{action.pk}/edit/", {"code": "parking", "name": "停车秩序整治",
                                                               "year": 2026, "categories": []})
    assert edited.status_code == 302 and not CampaignAction.objects.get().categories.exists()
    assert f"/civic/actions/{action.pk}/edit/" in client.get("/civic/actions/?year=2026").content.decode()
