"""No bypass: many-to-many changes are in the trail, personal data is masked there as on the record's page, and
the admin site only reads records whose writes have rules in a service."""

from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from wanghua.civic.models import CampaignAction, Case, CaseCategory
from wanghua.civic.services import cases, catalogue
from wanghua.core.models import AuditEntry
from wanghua.org.models import Person
from wanghua.stations import services


def trail(obj):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)),
                                     object_id=str(obj.pk)).order_by("id")


def link_entries(obj, field: str):
    return [e for e in trail(obj) if field in e.after]


# --- many-to-many ---------------------------------------------------------------------------------------------

def test_a_stations_agents_are_in_its_history_from_either_side(desk, world, make_user, client_for):
    root = make_user("root", is_superuser=True)
    station = desk.station
    agent = station.agents.get()
    second = Person.objects.create(name="刘二", region=world.community1)
    before = len(link_entries(station, "agents"))
    services.update_station(root, station.pk, agents=[agent, second])
    added = link_entries(station, "agents")[-1]
    assert len(link_entries(station, "agents")) == before + 1
    assert added.before == {"agents": [agent.pk]} and added.after == {"agents": sorted([agent.pk, second.pk])}
    assert added.actor == root and added.action == "update"

    second.stations.remove(station)  # from the other side of the link, past every service
    removed = link_entries(station, "agents")[-1]
    assert removed.before["agents"] == sorted([agent.pk, second.pk]) and removed.after["agents"] == [agent.pk]

    station.agents.clear()
    cleared = link_entries(station, "agents")[-1]
    assert cleared.before["agents"] == [agent.pk] and cleared.after["agents"] == []

    count = AuditEntry.objects.count()
    station.agents.set([])  # no change, no entry
    assert AuditEntry.objects.count() == count

    history = client_for(root).get(f"/system/audit/{ContentType.objects.get_for_model(station).pk}/{station.pk}/")
    page = history.content.decode()
    assert history.status_code == 200 and "刘全国、刘二" in page  # the agents by name, as the station's page lists them


def test_a_campaign_actions_categories_are_in_its_history(world, make_user):
    leader = make_user("command", "command", region=world.district)
    road = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    first = CaseCategory.objects.create(code="occupation", name="占道经营", kind="event", parent=road)
    second = CaseCategory.objects.create(code="parking", name="乱停乱放", kind="event", parent=road)
    action = catalogue.create_action(leader, code="order", name="街面秩序整治", year=2026, categories=[first])
    catalogue.update_action(leader, action.pk, categories=[first, second])
    entries = link_entries(CampaignAction.objects.get(), "categories")
    assert [e.after["categories"] for e in entries] == [[first.pk], sorted([first.pk, second.pk])]
    assert entries[0].before == {"categories": []} and all(e.actor == leader for e in entries)


# --- personal data in the trail --------------------------------------------------------------------------------

@pytest.fixture
def reported(world, make_user):
    road = CaseCategory.objects.create(code="street-order", name="街面秩序", kind="event")
    sub = CaseCategory.objects.create(code="occupation", name="占道经营", kind="event", parent=road)
    case = cases.report_case(None, source="resident", category=sub, description="占道", community=world.community1,
                             reporter_name="王小明", reporter_phone="13912345678", channel="Open311 · app")
    return case, make_user("auditor", "sysadmin", region=world.district)  # 操作日志 is the system administrator's


def test_a_residents_name_and_phone_are_masked_in_the_cases_history(reported, client_for):
    case, leader = reported
    created = trail(case).get(action="create")
    assert created.after["reporter_name"].startswith("王** #")
    assert created.after["reporter_phone"].startswith("139****5678 #")
    client = client_for(leader)
    history = client.get(f"/system/audit/{ContentType.objects.get_for_model(Case).pk}/{case.pk}/").content.decode()
    log = client.get("/system/audit/").content.decode()
    for page in (history, log):
        assert case.number in page or "139****5678" in page
        assert "王小明" not in page and "13912345678" not in page
    assert "139****5678" in history and "139****5678" in log


def test_entries_written_before_the_masking_are_masked_on_the_way_out(reported, client_for):
    case, leader = reported
    legacy = trail(case).get(action="create")
    AuditEntry.objects.filter(pk=legacy.pk).update(after={**legacy.after, "reporter_name": "王小明",
                                                          "reporter_phone": "13912345678"})
    legacy.refresh_from_db()
    assert "13912345678" not in legacy.summary() and "139****5678" in legacy.summary()
    client = client_for(leader)
    history = client.get(f"/system/audit/{ContentType.objects.get_for_model(Case).pk}/{case.pk}/").content.decode()
    exported = client.get("/system/audit/", {"format": "xlsx"})
    assert "王小明" not in history and "13912345678" not in history and "139****5678" in history
    assert exported.status_code == 200
    cells = " ".join(str(c) for row in load_workbook(BytesIO(exported.content)).active.iter_rows(values_only=True)
                     for c in row)
    assert case.number in cells and "139****5678" in cells and "13912345678" not in cells
    superuser = client_for(type(leader).objects.create_user("root", password="Pass-word-123", is_superuser=True,
                                                            is_staff=True))
    admin_page = superuser.get(f"/admin/core/auditentry/{legacy.pk}/change/").content.decode()
    assert "13912345678" not in admin_page and "139****5678" in admin_page


# --- the admin site --------------------------------------------------------------------------------------------

READ_ONLY = ["industry/alarmdefinition", "industry/tag", "industry/productionline", "org/roleassignment",
             "org/person", "core/apitoken", "core/dicttype", "core/notice", "lab/standard", "services/station",
             "services/resident", "services/errand", "civic/case", "civic/casecategory"]


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_admin_only_reads_records_with_service_rules(model, db, client_for, make_user):
    admin = client_for(make_user("root", is_superuser=True, is_staff=True))
    assert admin.get(f"/admin/{model}/").status_code == 200
    assert admin.get(f"/admin/{model}/add/").status_code == 403


def test_built_in_roles_are_read_only_in_the_admin_and_own_roles_editable(roles, client_for, make_user):
    from wanghua.core.models import Role

    admin = client_for(make_user("root", is_superuser=True, is_staff=True))
    builtin = roles["street"]
    page = admin.get(f"/admin/core/role/{builtin.pk}/change/").content.decode()
    assert page and 'name="permissions"' not in page  # shown, not a form field
    assert admin.post(f"/admin/core/role/{builtin.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Role.objects.filter(pk=builtin.pk).exists()
    assert admin.get("/admin/core/role/add/").status_code == 200
