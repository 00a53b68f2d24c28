"""The permission matrix for every project page: departments (主管单位) of two units."""

from decimal import Decimal

from django.utils import timezone

from tests.projects.test_projects import new_project
from wanghua.core.testing import PAGE_CHANGE, PAGE_DETAIL, PAGE_LIST, Case, run_case
from wanghua.org.models import Person, Unit, UnitKind
from wanghua.projects import services
from wanghua.projects.models import MonthlyReport, Project, ProjectIssue, Stage

EXPORT = {"anonymous": 302, "no_role": 403, "out_of_scope": 200, "in_scope": 200}


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
    return {"project": project.pk, "report": report.pk, "other_unit": other_unit, "issue": issue.pk,
            "resolved": resolved.pk}


def project_cases(w, users) -> list[Case]:
    ids = users["projects"]
    last_month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
    return [
        Case("project headline", "get", "/projects/", PAGE_LIST),
        Case("project list", "get", "/projects/list/", PAGE_LIST, marker="PM1"),
        Case("project export", "get", "/projects/list/?format=xlsx", EXPORT, marker="PM1"),
        Case("project detail", "get", f"/projects/{ids['project']}/", PAGE_DETAIL),
        Case("project stage", "post", f"/projects/{ids['project']}/stage/", PAGE_CHANGE, data={"stage": "continuing"},
             state=lambda: Project.objects.get(pk=ids["project"]).stage),
        Case("report submit", "post", f"/projects/{ids['project']}/reports/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302},
             data={"month": last_month, "fai": "600", "progress": "主体结构施工"},
             state=lambda: MonthlyReport.objects.count()),
        Case("issue list", "get", "/projects/issues/", PAGE_LIST, marker="施工许可待批"),
        Case("issue export", "get", "/projects/issues/?format=xlsx", EXPORT, marker="施工许可待批"),
        Case("issue raise", "post", f"/projects/{ids['project']}/issues/",
             {"anonymous": 302, "no_role": 403, "out_of_scope": 404, "in_scope": 302},
             data={"category": "land", "description": "用地报批", "owner_unit": w.dept.pk,
                   "deadline": (timezone.localdate() + timezone.timedelta(days=5)).isoformat()},
             state=lambda: ProjectIssue.objects.count()),
        Case("issue resolve", "post", f"/projects/issues/{ids['issue']}/resolve/", PAGE_CHANGE,
             data={"resolution": "已批复"}, state=lambda: ProjectIssue.objects.get(pk=ids["issue"]).status),
        Case("issue confirm", "post", f"/projects/issues/{ids['resolved']}/confirm/", PAGE_CHANGE,
             data={"note": "企业确认"}, state=lambda: ProjectIssue.objects.get(pk=ids["resolved"]).status),
        Case("report review", "post", f"/projects/reports/{ids['report']}/review/", PAGE_CHANGE,
             data={"decision": "approve"}, state=lambda: MonthlyReport.objects.get(pk=ids["report"]).status),
    ]


def test_department_matrix(world, matrix, make_user):
    ids = prepare_projects(world, make_user)
    clients, _ = matrix(("department", {"unit": world.dept}), ("department", {"unit": ids["other_unit"]}))
    assert [f for case in project_cases(world, {"projects": ids}) for f in run_case(clients, case)] == []


def test_headline_page_and_report_form(world, make_user, client_for):
    ids = prepare_projects(world, make_user)
    client = client_for(make_user("viewer", "department", unit=world.dept))
    html = client.get("/projects/").content.decode()
    assert 'id="started">1<' in html
    refused = client.post(f"/projects/{ids['project']}/reports/", {"month": "2099-01", "fai": "5", "progress": "x"})
    assert refused.status_code == 400 and MonthlyReport.objects.count() == 1
