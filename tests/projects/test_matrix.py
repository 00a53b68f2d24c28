"""The permission matrix for every project page: departments (主管单位) of two units."""

from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.projects.test_projects import new_project
from wanghua.core.testing import API_DETAIL, API_LIST, PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, MatrixCase, run_case
from wanghua.org.models import Person, Unit, UnitKind
from wanghua.projects import services
from wanghua.projects.models import (
    Application,
    AssessmentIndicator,
    Lead,
    MonthlyReport,
    Project,
    ProjectIssue,
    ServiceRecord,
    Stage,
)

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}
PAGE_CREATE = {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 302}
NOT_FOR_UNITS = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 403}
API_CREATE = {"anonymous": 401, "no_role": 403, "out_of_scope": 404, "in_scope": 201}
REDIRECT = {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302}
API_CREATE_REFUSED = {"anonymous": 401, "no_role": 403, "out_of_scope": 403, "in_scope": 201}


def prepare_projects(world, make_user) -> dict:
    unit_staff = make_user("drc-setup", "department", unit=world.dept)
    steward = Person.objects.create(name="孙管家", region=world.street1, unit=world.dept)
    leader = Person.objects.create(name="王区长", region=world.district)
    desk = {"unit": unit_staff, "people": (steward, leader)}
    project = new_project(desk, world, code="PM1")
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(unit_staff, project.pk, stage)
    report = services.submit_report(unit_staff, project.pk, month=timezone.localdate().replace(day=1),
                                    fai=Decimal("800"), progress="桩基施工")
    from datetime import timedelta

    issue = services.raise_issue(unit_staff, project.pk, category="permits", description="施工许可待批",
                                 owner_unit=world.dept, deadline=timezone.localdate() + timedelta(days=10))
    resolved = services.raise_issue(unit_staff, project.pk, category="funds", description="专项债资金拨付",
                                    owner_unit=world.dept, deadline=timezone.localdate() + timedelta(days=10))
    services.resolve_issue(unit_staff, resolved.pk, resolution="已拨付")
    other_unit = Unit.objects.create(code="dept2", name="区住建局", kind=UnitKind.DEPARTMENT, region=world.district,
                                     parent=world.gov)
    application = services.create_application(unit_staff, title="垃圾发电中省资金申请", kind="funds",
                                               level="省发展改革委", project=project, unit=world.dept,
                                               town=world.street1, requested=Decimal("3000"))
    submitted = services.create_application(unit_staff, title="专项债申请", kind="bonds", level="省财政厅",
                                             unit=world.dept, town=world.street1, requested=Decimal("8000"))
    services.submit_application(unit_staff, submitted.pk)
    lead = services.create_lead(unit_staff, name="新材料招商线索", investor="上海鼎投资有限公司", industry="新材料",
                                zone=world.zone, unit=world.dept, town=world.street1, amount=Decimal("20000"),
                                contacted_on=timezone.localdate())
    return {"project": project.pk, "report": report.pk, "other_unit": other_unit, "issue": issue.pk,
            "resolved": resolved.pk, "application": application.pk, "submitted": submitted.pk, "lead": lead.pk}


def ledger_upload(world) -> dict:
    """A fresh one-row ledger for the department's unit (a file can be read once)."""
    from openpyxl import Workbook

    from wanghua.projects.services.ledger import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(["PM9", "台账导入项目", "planned", world.zone.name, "环保", "某公司", "新建", "谋划", 1000, 100,
                        "", "", "", "", "孙管家", world.dept.name, "王区长", world.street1.name, ""])
    buffer = BytesIO()
    book.save(buffer)
    return {"ledger": SimpleUploadedFile("ledger.xlsx", buffer.getvalue())}


def project_cases(w, users) -> list[MatrixCase]:
    ids = users["projects"]
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
    return [
        MatrixCase("project headline", "get", "/projects/", PAGE_LIST),
        MatrixCase("project list", "get", "/projects/list/", PAGE_LIST, marker="PM1"),
        MatrixCase("project map", "get", "/projects/map/", PAGE_LIST),
        MatrixCase("project map data", "get", "/projects/map.json", PAGE_LIST),
        MatrixCase("project export", "get", "/projects/list/?format=xlsx", EXPORT, marker="PM1"),
        MatrixCase("project detail", "get", f"/projects/{ids['project']}/", PAGE_DETAIL),
        MatrixCase("project stage", "post", f"/projects/{ids['project']}/stage/continuing/", PAGE_CHANGE,
                   data={"stage": "continuing"}, state=lambda: Project.objects.get(pk=ids["project"]).stage),
        MatrixCase("report submit", "post", f"/projects/{ids['project']}/reports/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302},
                   data={"month": last_month, "fai": "600", "progress": "主体结构施工"},
                   state=lambda: MonthlyReport.objects.count()),
        MatrixCase("issue list", "get", "/projects/issues/", PAGE_LIST, marker="施工许可待批"),
        MatrixCase("issue export", "get", "/projects/issues/?format=xlsx", EXPORT, marker="施工许可待批"),
        MatrixCase("issue raise", "post", f"/projects/{ids['project']}/issues/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302},
                   data={"category": "land", "description": "用地报批", "owner_unit": w.dept.pk,
                   "deadline": (timezone.localdate() + timezone.timedelta(days=5)).isoformat()},
                   state=lambda: ProjectIssue.objects.count()),
        MatrixCase("issue resolve", "post", f"/projects/issues/{ids['issue']}/resolve/", PAGE_CHANGE,
                   data={"resolution": "已批复"}, state=lambda: ProjectIssue.objects.get(pk=ids["issue"]).status),
        MatrixCase("issue confirm", "post", f"/projects/issues/{ids['resolved']}/confirm/", PAGE_CHANGE,
                   data={"note": "企业确认"}, state=lambda: ProjectIssue.objects.get(pk=ids["resolved"]).status),
        MatrixCase("report list", "get", "/projects/reports/?status=submitted", PAGE_LIST, marker="垃圾焚烧发电项目"),
        MatrixCase("report export", "get", "/projects/reports/?format=xlsx", EXPORT, marker="800"),
        MatrixCase("reports due", "get", "/projects/list/?report_due=false", PAGE_LIST, marker="PM1"),
        MatrixCase("report page", "get", f"/projects/reports/{ids['report']}/", REDIRECT),
        MatrixCase("report correct page", "get", f"/projects/reports/{ids['report']}/correct/", PAGE_DETAIL),
        MatrixCase("report correct", "post", f"/projects/reports/{ids['report']}/correct/", PAGE_CHANGE,
                   data={"fai": "750", "progress": "桩基施工"},
                   state=lambda: MonthlyReport.objects.get(pk=ids["report"]).fai),
        MatrixCase("issue page", "get", f"/projects/issues/{ids['issue']}/", REDIRECT),
        MatrixCase("report review", "post", f"/projects/reports/{ids['report']}/approve/", PAGE_CHANGE,
                   data={"decision": "approve"}, state=lambda: MonthlyReport.objects.get(pk=ids["report"]).status),
        MatrixCase("service record", "post", f"/projects/{ids['project']}/services/", PAGE_CHANGE,
                   data={"kind": "visit", "served_on": timezone.localdate().isoformat(), "unit": w.dept.pk,
                   "description": "入企走访"}, state=lambda: ServiceRecord.objects.count()),
        MatrixCase("application list", "get", "/projects/applications/", PAGE_LIST, marker="垃圾发电中省资金申请"),
        MatrixCase("application export", "get", "/projects/applications/?format=xlsx", EXPORT,
                   marker="垃圾发电中省资金申请"),
        MatrixCase("application detail", "get", f"/projects/applications/{ids['application']}/", PAGE_DETAIL),
        MatrixCase("application create", "post", "/projects/applications/new/", PAGE_CREATE,
                   data={"title": "新申请", "kind": "policy", "level": "省工信厅", "unit": w.dept.pk,
                         "town": w.street1.pk,
                   "requested": "100"}, state=lambda: Application.objects.count()),
        MatrixCase("application submit", "post", f"/projects/applications/{ids['application']}/submit/", PAGE_CHANGE,
                   state=lambda: Application.objects.get(pk=ids["application"]).status),
        MatrixCase("application decide", "post", f"/projects/applications/{ids['submitted']}/decide/", PAGE_CHANGE,
                   data={"won": "6000", "on": timezone.localdate().isoformat()},
                   state=lambda: Application.objects.get(pk=ids["submitted"]).status),
        MatrixCase("lead list", "get", "/projects/leads/", PAGE_LIST, marker="新材料招商线索"),
        MatrixCase("lead export", "get", "/projects/leads/?format=xlsx", EXPORT, marker="新材料招商线索"),
        MatrixCase("lead detail", "get", f"/projects/leads/{ids['lead']}/", PAGE_DETAIL),
        MatrixCase("lead create", "post", "/projects/leads/new/", PAGE_CREATE,
                   data={"name": "新线索", "investor": "某集团", "industry": "新能源", "zone": w.zone.pk,
                         "unit": w.dept.pk,
                   "town": w.street1.pk, "amount": "5000", "contacted_on": timezone.localdate().isoformat()},
                   state=lambda: Lead.objects.count()),
        MatrixCase("lead stage", "post", f"/projects/leads/{ids['lead']}/negotiation/", PAGE_CHANGE,
                   data={"stage": "negotiation"}, state=lambda: Lead.objects.get(pk=ids["lead"]).stage),
        MatrixCase("assessment", "get", "/projects/assessment/", PAGE_LIST),
        MatrixCase("assessment weights", "post", "/projects/assessment/weights/?kind=town", NOT_FOR_UNITS,
                   data={"weight_start_rate": "50"},
                   state=lambda: list(AssessmentIndicator.objects.values_list("weight"))),
        MatrixCase("ledger export", "get", "/projects/ledger/export/", EXPORT, marker="PM1"),
        MatrixCase("ledger import", "post", "/projects/ledger/import/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 400, "in_scope": 200},
             data=lambda: ledger_upload(w), state=lambda: Project.objects.count()),
    ]


def project_api_cases(w, users) -> list[MatrixCase]:
    ids = users["projects"]
    p, api = ids["project"], "/api/v1/projects"
    today = timezone.localdate().isoformat()
    return [
        MatrixCase("api projects", "get", f"{api}/projects", API_LIST, marker="PM1"),
        MatrixCase("api project", "get", f"{api}/projects/{p}", API_DETAIL),
        MatrixCase("api project create", "post", f"{api}/projects", API_CREATE_REFUSED, as_json=True,
                   data={"code": "PM7", "name": "接口项目", "project_list": "planned", "zone_id": w.zone.pk,
                   "industry": "环保", "sponsor": "某公司", "total_investment": "100", "annual_plan": "10",
                   "steward_id": Person.objects.get(name="孙管家").pk, "competent_unit_id": w.dept.pk,
                   "leader_id": Person.objects.get(name="王区长").pk, "town_id": w.street1.pk},
                   state=lambda: Project.objects.count()),
        MatrixCase("api project stage", "post", f"{api}/projects/{p}/stage", API_DETAIL, as_json=True,
                   data={"stage": "continuing"}, state=lambda: Project.objects.get(pk=p).stage),
        MatrixCase("api reports", "get", f"{api}/projects/{p}/reports", API_DETAIL, marker="桩基施工"),
        MatrixCase("api report submit", "post", f"{api}/projects/{p}/reports", API_CREATE, as_json=True,
                   data={"month": (timezone.localdate().replace(day=1) - timezone.timedelta(days=40)).isoformat(),
                   "fai": "300", "progress": "设备安装"}, state=lambda: MonthlyReport.objects.count()),
        MatrixCase("api report correct", "patch", f"{api}/reports/{ids['report']}", API_DETAIL, as_json=True,
                   data={"fai": "750"}, state=lambda: MonthlyReport.objects.get(pk=ids["report"]).fai),
        MatrixCase("api report review", "post", f"{api}/reports/{ids['report']}/review", API_DETAIL, as_json=True,
                   data={"approve": True}, state=lambda: MonthlyReport.objects.get(pk=ids["report"]).status),
        MatrixCase("api issues", "get", f"{api}/issues", API_LIST, marker="施工许可待批"),
        MatrixCase("api issue raise", "post", f"{api}/projects/{p}/issues", API_CREATE, as_json=True,
                   data={"category": "land", "description": "用地", "owner_unit_id": w.dept.pk,
                   "deadline": (timezone.localdate() + timezone.timedelta(days=3)).isoformat()},
                   state=lambda: ProjectIssue.objects.count()),
        MatrixCase("api issue resolve", "post", f"{api}/issues/{ids['issue']}/resolve", API_DETAIL, as_json=True,
                   data={"resolution": "已批复"}, state=lambda: ProjectIssue.objects.get(pk=ids["issue"]).status),
        MatrixCase("api issue confirm", "post", f"{api}/issues/{ids['resolved']}/confirm", API_DETAIL, as_json=True,
                   data={"satisfied": True}, state=lambda: ProjectIssue.objects.get(pk=ids["resolved"]).status),
        MatrixCase("api service record", "post", f"{api}/projects/{p}/services", API_CREATE, as_json=True,
                   data={"kind": "policy", "served_on": today, "unit_id": w.dept.pk, "description": "政策宣讲"},
                   state=lambda: ServiceRecord.objects.count()),
        MatrixCase("api applications", "get", f"{api}/applications", API_LIST, marker="垃圾发电中省资金申请"),
        MatrixCase("api application create", "post", f"{api}/applications", API_CREATE_REFUSED, as_json=True,
                   data={"title": "接口申请", "kind": "funds", "level": "省财政厅", "unit_id": w.dept.pk,
                   "town_id": w.street1.pk, "requested": "500"}, state=lambda: Application.objects.count()),
        MatrixCase("api application submit", "post", f"{api}/applications/{ids['application']}/submit", API_DETAIL,
                   state=lambda: Application.objects.get(pk=ids["application"]).status),
        MatrixCase("api application decide", "post", f"{api}/applications/{ids['submitted']}/decide", API_DETAIL,
                   as_json=True, data={"won": "0"}, state=lambda: Application.objects.get(pk=ids["submitted"]).status),
        MatrixCase("api leads", "get", f"{api}/leads", API_LIST, marker="新材料招商线索"),
        MatrixCase("api lead create", "post", f"{api}/leads", API_CREATE_REFUSED, as_json=True,
                   data={"name": "接口线索", "investor": "某公司", "industry": "新能源", "zone_id": w.zone.pk,
                   "unit_id": w.dept.pk, "town_id": w.street1.pk, "amount": "100", "contacted_on": today},
                   state=lambda: Lead.objects.count()),
        MatrixCase("api lead stage", "post", f"{api}/leads/{ids['lead']}/stage", API_DETAIL, as_json=True,
                   data={"stage": "dropped"}, state=lambda: Lead.objects.get(pk=ids["lead"]).stage),
        MatrixCase("api headline", "get", f"{api}/headline", API_LIST),
        MatrixCase("api assessment", "get", f"{api}/assessment", API_LIST),
    ]


def test_department_matrix(world, matrix, make_user):
    ids = prepare_projects(world, make_user)
    clients, _ = matrix(("department", {"unit": world.dept}), ("department", {"unit": ids["other_unit"]}))
    failures = [f for case in project_cases(world, {"projects": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def test_department_api_matrix(world, matrix, make_user):
    ids = prepare_projects(world, make_user)
    clients, _ = matrix(("department", {"unit": world.dept}), ("department", {"unit": ids["other_unit"]}))
    failures = [f for case in project_api_cases(world, {"projects": ids}) for f in run_case(clients, case)]
    assert failures == [], "\n".join(failures)


def test_headline_page_and_report_form(world, make_user, client_for):
    ids = prepare_projects(world, make_user)
    client = client_for(make_user("viewer", "department", unit=world.dept))
    html = client.get("/projects/").content.decode()
    assert 'id="started">1<' in html
    refused = client.post(f"/projects/{ids['project']}/reports/", {"month": "2099-01", "fai": "5", "progress": "x"})
    assert refused.status_code == 400 and MonthlyReport.objects.count() == 1
