"""The permission matrix for every civic page: command centres of two streets."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from wanghua.civic.models import Activity, CampaignAction, Case, CaseCategory, SignUp
from wanghua.civic.services import cases as services
from wanghua.civic.services import commitments, volunteers
from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case
from wanghua.org.models import Person, Unit, UnitKind

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
DISTRICT_ONLY = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 403}


def photo() -> SimpleUploadedFile:
    image = BytesIO()
    Image.new("RGB", (4, 4), "blue").save(image, "PNG")
    return SimpleUploadedFile("p.png", image.getvalue(), content_type="image/png")


def square(west: float, south: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [west + 0.01, south], [west + 0.01, south + 0.01],
                                                 [west, south + 0.01], [west, south]]]}


def prepare_cases(world, make_user) -> dict:
    for n, community in enumerate((world.community1, world.community3)):
        community.geojson = square(123.8 + n / 50, 41.8)
        community.save()
    main = CaseCategory.objects.create(code="environment", name="市容环境", kind="event")
    litter = CaseCategory.objects.create(code="litter", name="暴露垃圾", kind="event", parent=main)
    reporter = make_user("case-setup", "command", region=world.district)
    case = services.report_case(reporter, source="grid", category=litter, description="垃圾堆放",
                                community=world.community1, address="工农路3号", photo=photo())
    accepted = services.report_case(reporter, source="grid", category=litter, description="垃圾桶满溢",
                                    community=world.community1, lat=Decimal("41.85"), lon=Decimal("123.81"))
    services.accept_case(reporter, accepted.pk, accept=True)
    duplicate = services.report_case(reporter, source="resident", category=litter, description="同一堆垃圾",
                                     community=world.community1, address="工农路3号")
    action = CampaignAction.objects.create(code="env", name="环境整治", year=2026)
    handled = services.report_case(reporter, source="grid", category=litter, description="垃圾未清",
                                   community=world.grid1, address="工农路5号", photo=photo())
    services.accept_case(reporter, handled.pk, accept=True)
    services.dispatch_case(reporter, handled.pk, unit=world.dept)
    services.handle_case(make_user("case-unit", "department", unit=world.dept), handled.pk, note="已清运",
                         photo=photo())
    return {"case": case.pk, "accepted": accepted.pk, "category": litter, "photo": case.photos.get().pk,
            "duplicate": duplicate.pk, "action": action.pk, "handled": handled.pk,
            "after_photo": handled.photos.get(step="handle").pk}


def civic_cases(w, users) -> list[MatrixCase]:
    ids = users["civic"]
    return [
        MatrixCase("case list", "get", "/civic/cases/", PAGE_LIST, marker="工农路3号"),
        MatrixCase("case export", "get", "/civic/cases/?format=xlsx", EXPORT, marker="工农路3号"),
        MatrixCase("case detail", "get", f"/civic/cases/{ids['case']}/", PAGE_DETAIL),
        MatrixCase("case photo", "get", f"/civic/cases/photos/{ids['photo']}/", PAGE_DETAIL),
        MatrixCase("case step", "post", f"/civic/cases/{ids['case']}/accept/", PAGE_CHANGE,
                   state=lambda: Case.objects.get(pk=ids["case"]).status),
        MatrixCase("case dispatch", "post", f"/civic/cases/{ids['accepted']}/dispatch/", PAGE_CHANGE,
                   data={"unit": w.dept.pk}, state=lambda: Case.objects.get(pk=ids["accepted"]).status),
        MatrixCase("case report", "post", "/civic/cases/report/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"category": ids["category"].pk, "community": w.community1.pk, "description": "井盖缺失",
                         "source": "grid"}, state=lambda: Case.objects.count()),
        MatrixCase("verify tasks", "get", "/civic/cases/verify/", PAGE_LIST, marker="工农路5号"),
        MatrixCase("case board", "get", "/civic/cases/board/", PAGE_LIST),
        MatrixCase("case map", "get", "/civic/cases/map/", PAGE_LIST),
        MatrixCase("case categories", "get", "/civic/categories/", PAGE_LIST),  # reference data: everyone's
        # The catalogue is the district's: a street's command centre uses it but does not edit it.
        MatrixCase("category create", "post", "/civic/categories/new/", DISTRICT_ONLY,
                   data={"code": "manhole", "name": "井盖", "kind": "event", "accept_hours": 1, "handle_hours": 8},
                   state=lambda: CaseCategory.objects.count()),
        MatrixCase("category edit", "post", f"/civic/categories/{ids['category'].pk}/edit/", DISTRICT_ONLY,
                   data={"code": "litter", "name": "暴露垃圾", "kind": "event", "parent": ids["category"].parent_id,
                         "accept_hours": 1, "handle_hours": 1},
                   state=lambda: CaseCategory.objects.get(code="litter").handle_hours),
        MatrixCase("action create", "post", "/civic/actions/new/", DISTRICT_ONLY,
                   data={"code": "litter-drive", "name": "垃圾清运", "year": 2026},
                   state=lambda: CampaignAction.objects.count()),
        MatrixCase("action edit", "post", f"/civic/actions/{ids['action']}/edit/", DISTRICT_ONLY,
                   data={"code": "env", "name": "改名", "year": 2026},
                   state=lambda: CampaignAction.objects.get(pk=ids["action"]).name),
        MatrixCase("case map data", "get", "/civic/cases/map.json", PAGE_LIST, marker=w.community1.code),
    ]


def test_command_centre_matrix(world, matrix, make_user):
    ids = prepare_cases(world, make_user)
    clients, _ = matrix(("command", {"region": world.street1}), ("command", {"region": world.street2}))
    failures = [f for case in civic_cases(world, {"civic": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def grid_cases(w, ids) -> list[MatrixCase]:
    """What a grid inspector does with the cases of her grid: her own photos, the 核查 tasks, 核查 itself."""
    handled = ids["handled"]
    return [
        MatrixCase("verify tasks", "get", "/civic/cases/verify/", PAGE_LIST, marker="工农路5号"),
        MatrixCase("case photo before", "get", f"/civic/cases/photos/{ids['grid_photo']}/", PAGE_DETAIL),
        MatrixCase("case photo after", "get", f"/civic/cases/photos/{ids['after_photo']}/", PAGE_DETAIL),
        MatrixCase("case rework on site", "post", f"/civic/cases/{handled}/rework/", PAGE_CHANGE,
                   data={"note": "仍有垃圾"}, state=lambda: Case.objects.get(pk=handled).reworks),
        MatrixCase("api case verify", "post", f"/api/v1/civic/cases/{ids['handled_again']}/verify", API_DETAIL,
                   as_json=True, data={"passed": True},
                   state=lambda: Case.objects.get(pk=ids["handled_again"]).status),
    ]


def test_grid_inspector_matrix(world, matrix, make_user):
    from wanghua.org.models import Region, RegionKind, RegionLevel

    ids = prepare_cases(world, make_user)
    grid2 = Region.objects.create(code="T0101G2", name="甲社区第2网格", level=RegionLevel.GRID, kind=RegionKind.GRID,
                                  parent=world.community1)
    clients, users = matrix(("grid", {"region": world.grid1}), ("grid", {"region": grid2}))
    command = Case.objects.get(pk=ids["handled"]).reported_by
    unit = make_user("unit-2", "department", unit=world.dept)
    litter = ids["category"]
    own = services.report_case(users["in_scope"], source="grid", category=litter, description="井盖缺失",
                               community=world.grid1, photo=photo())
    again = services.report_case(command, source="grid", category=litter, description="路灯损坏",
                                 community=world.grid1)
    services.accept_case(command, again.pk, accept=True)
    services.dispatch_case(command, again.pk, unit=world.dept)
    services.handle_case(unit, again.pk, note="已修复")
    ids |= {"grid_photo": own.photos.get().pk, "handled_again": again.pk}
    failures = [f for case in grid_cases(world, ids) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def prepare_activities(world, make_user) -> dict:
    team = Unit.objects.create(code="vt-m", name="矩阵志愿服务队", kind=UnitKind.VOLUNTEER_TEAM,
                               region=world.community1)
    organiser = make_user("activity-setup", "secretary", region=world.community1)
    starts = timezone.now() - timedelta(minutes=10)  # under way: sign-ups and check-ins are open
    activity = volunteers.create_activity(organiser, team=team, title="清理小广告", community=world.community1,
                                          place="工农路", starts_at=starts, ends_at=starts + timedelta(hours=2),
                                          capacity=10)
    member = make_user("team-member", "volunteer", unit=team)
    Person.objects.create(name="队员甲", unit=team, user=member)
    signup = volunteers.sign_up(member, activity.pk)
    return {"activity": activity.pk, "team": team, "signup": signup.pk}


def activity_cases(w, users) -> list[MatrixCase]:
    ids = users["activities"]
    starts = (timezone.localtime() + timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M")
    ends = (timezone.localtime() + timedelta(hours=32)).strftime("%Y-%m-%dT%H:%M")

    return [
        MatrixCase("activity list", "get", "/civic/activities/", PAGE_LIST, marker="清理小广告"),
        MatrixCase("activity export", "get", "/civic/activities/?format=xlsx", EXPORT, marker="清理小广告"),
        MatrixCase("activity detail", "get", f"/civic/activities/{ids['activity']}/", PAGE_DETAIL),
        MatrixCase("activity create", "post", "/civic/activities/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302},
                   data={"team": ids["team"].pk, "title": "文明劝导", "community": w.community1.pk, "place": "路口",
                         "starts_at": starts, "ends_at": ends, "capacity": "5"},
                   state=lambda: Activity.objects.count()),
        MatrixCase("activity sign-up", "post", f"/civic/activities/{ids['activity']}/sign-up/", PAGE_CHANGE,
                   state=lambda: SignUp.objects.count()),
        # Someone with the role but no volunteer record (out_of_scope here) sees an empty record, not a 404.
        MatrixCase("my volunteer record", "get", "/civic/volunteering/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}),
    ]


def test_organiser_matrix(world, matrix, make_user):
    ids = prepare_activities(world, make_user)
    clients, users = matrix(("secretary", {"region": world.community1}), ("secretary", {"region": world.community2}))
    Person.objects.create(name="在范围的志愿者", user=users["in_scope"], region=world.community1)
    failures = [f for case in activity_cases(world, {"activities": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def prepare_commitments(world, make_user) -> dict:
    from wanghua.civic.models import Commitment, Milestone

    commitment = Commitment.objects.create(year=timezone.localdate().year, title="口袋公园3处", target=Decimal(3),
                                           target_unit="处", unit=world.dept, region=world.street1,
                                           deadline=timezone.localdate() + timedelta(days=30))
    milestone = Milestone.objects.create(commitment=commitment, title="完成设计", due=timezone.localdate())
    owner = make_user("commitment-setup", "department", unit=world.dept)
    report = commitments.report_progress(owner, commitment.pk, delivered=Decimal(0), note="完成选址", photos=[photo()])
    return {"commitment": commitment.pk, "milestone": milestone.pk, "photo": report.photos.get().pk}


def commitment_cases(w, users) -> list[MatrixCase]:
    from wanghua.civic.models import Commitment, Milestone, ProgressReport

    ids = users["commitments"]
    return [
        MatrixCase("commitment list", "get", "/civic/commitments/", PAGE_LIST, marker="口袋公园3处"),
        MatrixCase("commitment export", "get", "/civic/commitments/?format=xlsx", EXPORT, marker="口袋公园3处"),
        MatrixCase("commitment detail", "get", f"/civic/commitments/{ids['commitment']}/", PAGE_DETAIL),
        MatrixCase("commitment progress", "post", f"/civic/commitments/{ids['commitment']}/progress/", PAGE_CHANGE,
                   data={"delivered": "1", "note": "第一处建成"}, state=lambda: ProgressReport.objects.count()),
        MatrixCase("progress photo", "get", f"/civic/commitments/photos/{ids['photo']}/", PAGE_DETAIL),
        MatrixCase("milestone done", "post", f"/civic/milestones/{ids['milestone']}/done/", PAGE_CHANGE,
                   state=lambda: Milestone.objects.get(pk=ids["milestone"]).done_on),
        MatrixCase("campaign actions", "get", "/civic/actions/", PAGE_LIST),
        MatrixCase("commitment create", "post", "/civic/commitments/new/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302},
                   data={"year": timezone.localdate().year, "title": "新建口袋公园", "target": "2", "target_unit": "处",
                         "unit": w.dept.pk, "region": w.street1.pk, "budget": "100",
                         "deadline": timezone.localdate().replace(month=12, day=31).isoformat()},
                   state=lambda: Commitment.objects.count()),
    ]


def test_department_commitment_matrix(world, matrix, make_user):
    ids = prepare_commitments(world, make_user)
    other = Unit.objects.create(code="dept-other", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district)
    clients, _ = matrix(("department", {"unit": world.dept}), ("department", {"unit": other}))
    failures = [f for case in commitment_cases(world, {"commitments": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


API_CREATE = {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}
API_REPORT = {"anonymous": 401, "no_role": 403, "out_of_scope": 403, "in_scope": 201}


def civic_api_cases(w, users) -> list[MatrixCase]:
    ids, api = users["civic"], "/api/v1/civic"
    return [
        MatrixCase("api cases", "get", f"{api}/cases", API_LIST, marker="工农路3号"),
        MatrixCase("api case", "get", f"{api}/cases/{ids['case']}", API_DETAIL),
        MatrixCase("api case report", "post", f"{api}/cases", API_REPORT, as_json=True,
                   data={"category_id": ids["category"].pk, "community_id": w.community1.pk,
                         "description": "井盖缺失"},
                   state=lambda: Case.objects.count()),
        MatrixCase("api case merge", "post", f"{api}/cases/{ids['duplicate']}/merge", API_DETAIL, as_json=True,
                   data={"into_id": ids["case"]}, state=lambda: Case.objects.get(pk=ids["duplicate"]).status),
        MatrixCase("api case accept", "post", f"{api}/cases/{ids['case']}/accept", API_DETAIL, as_json=True,
                   data={"accept": True}, state=lambda: Case.objects.get(pk=ids["case"]).status),
        MatrixCase("api case dispatch", "post", f"{api}/cases/{ids['accepted']}/dispatch", API_DETAIL,
                   as_json=True, data={"unit_id": w.dept.pk},
                   state=lambda: Case.objects.get(pk=ids["accepted"]).status),
        MatrixCase("api case handle", "post", f"{api}/cases/{ids['accepted']}/handle", API_DETAIL, as_json=True,
                   data={"note": "已清运"}, state=lambda: Case.objects.get(pk=ids["accepted"]).status),
        MatrixCase("api case verify", "post", f"{api}/cases/{ids['accepted']}/verify", API_DETAIL, as_json=True,
                   data={"passed": True}, state=lambda: Case.objects.get(pk=ids["accepted"]).status),
        MatrixCase("api case kpis", "get", f"{api}/kpis?by=street", API_LIST),
    ]


def civic_more_api_cases(w, users) -> list[MatrixCase]:
    from wanghua.civic.models import ProgressReport

    api = "/api/v1/civic"
    commitment, activity = users["commitments"]["commitment"], users["activities"]["activity"]
    signup = users["activities"]["signup"]
    return [
        MatrixCase("api commitments", "get", f"{api}/commitments", API_LIST, marker="口袋公园3处"),
        MatrixCase("api commitment progress", "post", f"{api}/commitments/{commitment}/progress", API_CREATE,
                   as_json=True, data={"delivered": "2", "note": "两处建成"},
                   state=lambda: ProgressReport.objects.count()),
        MatrixCase("api activities", "get", f"{api}/activities", API_LIST, marker="清理小广告"),
        MatrixCase("api sign-up", "post", f"{api}/activities/{activity}/signups", API_CREATE,
                   state=lambda: SignUp.objects.count()),
        MatrixCase("api check-in", "post", f"{api}/signups/{signup}/check-in", API_DETAIL),
        MatrixCase("api check-out", "post", f"{api}/signups/{signup}/check-out", API_DETAIL),
    ]


def test_command_centre_api_matrix(world, matrix, make_user):
    ids = prepare_cases(world, make_user)
    clients, _ = matrix(("command", {"region": world.street1}), ("command", {"region": world.street2}))
    failures = [f for case in civic_api_cases(world, {"civic": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def test_volunteer_api_matrix(world, matrix, make_user):
    ids = {"activities": prepare_activities(world, make_user), "commitments": prepare_commitments(world, make_user)}
    clients, users = matrix(("secretary", {"region": world.community1}), ("secretary", {"region": world.community2}))
    Person.objects.create(name="在范围的志愿者", user=users["in_scope"], region=world.community1)
    failures = [f for case in civic_more_api_cases(world, ids) if "commitment" not in case.name
                for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def test_commitment_api_matrix(world, matrix, make_user):
    ids = {"activities": prepare_activities(world, make_user), "commitments": prepare_commitments(world, make_user)}
    other = Unit.objects.create(code="dept-other", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district)
    clients, _ = matrix(("department", {"unit": world.dept}), ("department", {"unit": other}))
    failures = [f for case in civic_more_api_cases(world, ids) if "commitment" in case.name
                for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)
