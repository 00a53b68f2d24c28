"""The ledger round trip (export → edit → import, all or nothing), 向上争取 and 招商引资 rules, 服务事项."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests.projects.test_projects import _labels, new_project
from wanghua.projects import queries, services
from wanghua.projects.models import Application, Lead, Project, ProjectList, ServiceRecord, Stage
from wanghua.projects.services import ledger


def _sheet(rows) -> BytesIO:
    book = Workbook()
    book.active.append(ledger.HEADERS)
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _row(world, code="L1", **changes):
    values = {"项目编号": code, "项目名称": "台账项目", "所属清单": "招商引资", "功能区": world.zone.name,
              "行业": "新能源",
              "建设单位": "某能源公司", "新建/续建": "新建", "建设阶段": "谋划", "总投资（万元）": 5000,
              "年度计划投资（万元）": 1000, "计划开工": "2026-03", "实际开工": None, "计划竣工": "2027/12/31",
              "实际竣工": None, "项目管家": "孙管家", "主管单位": world.dept.name, "包保领导": "王区长",
              "镇街": world.street1.name, "建设地点": "开发区"}
    values.update(changes)
    return [values[h] for h in ledger.HEADERS]


def test_ledger_import_is_all_or_nothing_with_row_errors(desk, world):
    bad = _sheet([
        _row(world, "L1"),
        _row(world, "L2", **{"总投资（万元）": -5}),
        _row(world, "L3", **{"建设阶段": "开挖", "镇街": "不存在街道"}),
        _row(world, "L1"),  # the same code twice
        _row(world, "L4", **{"计划开工": "三月", "年度计划投资（万元）": 9000}),
    ])
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.import_ledger(desk["unit"], bad)
    errors = {(e.row, e.column) for e in refused.value.errors}
    assert {(3, "总投资（万元）"), (4, "建设阶段"), (4, "镇街"), (5, "项目编号"), (6, "计划开工")} <= errors
    assert not Project.objects.exists()  # nothing half-saved
    result = ledger.import_ledger(desk["unit"], _sheet([_row(world, "L1"), _row(world, "L2")]))
    assert (result.created, result.updated) == (2, 0)
    from wanghua.core.models import AuditEntry

    entries = AuditEntry.objects.filter(content_type__model="project", action="create", label="ledger:import")
    assert sorted(e.object_repr for e in entries) == ["台账项目", "台账项目"]  # one entry per row, written together
    assert {e.actor_id for e in entries} == {desk["unit"].pk}
    project = Project.objects.get(code="L1")
    assert (project.project_list, project.stage, project.total_investment) == (ProjectList.ATTRACTED, Stage.PLANNING,
                                                                               Decimal("5000.00"))
    assert project.planned_completion.isoformat() == "2027-12-31"


def test_ledger_export_reimports_unchanged_and_applies_edits(desk, world):
    new_project(desk, world, code="E1")
    exported = desk_client(desk).get("/projects/ledger/export/").content
    book = load_workbook(BytesIO(exported))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ledger.HEADERS and sheet["A2"].value == "E1"
    assert ledger.import_ledger(desk["unit"], BytesIO(exported)).unchanged == 1
    sheet["H2"] = "签约"  # one step on
    sheet["I2"] = 60000
    edited = BytesIO()
    book.save(edited)
    edited.seek(0)
    assert ledger.import_ledger(desk["unit"], edited).updated == 1
    project = Project.objects.get(code="E1")
    assert (project.stage, project.total_investment) == (Stage.SIGNED, Decimal("60000.00"))
    sheet["H2"] = "投产"  # a skipped stage
    skipped = BytesIO()
    book.save(skipped)
    skipped.seek(0)
    with pytest.raises(ledger.LedgerError):
        ledger.import_ledger(desk["unit"], skipped)
    assert Project.objects.get(code="E1").stage == Stage.SIGNED


def desk_client(desk):
    from django.test import Client

    client = Client()
    client.force_login(desk["unit"])
    return client


def test_ledger_page_lists_errors_and_refuses_non_excel(desk, world):
    client = desk_client(desk)
    page = client.post("/projects/ledger/import/", {"ledger": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert page.status_code == 400 and "xlsx" in page.content.decode()
    upload = SimpleUploadedFile("l.xlsx", _sheet([_row(world, "P1", **{"项目管家": "无此人"})]).getvalue())
    page = client.post("/projects/ledger/import/", {"ledger": upload})
    assert page.status_code == 400 and 'id="ledger-errors"' in page.content.decode() and "无此人" in \
        page.content.decode()
    upload = SimpleUploadedFile("l.xlsx", _sheet([_row(world, "P1")]).getvalue())
    page = client.post("/projects/ledger/import/", {"ledger": upload})
    assert page.status_code == 200 and 'id="ledger-result"' in page.content.decode()


def test_applications_win_at_most_what_was_asked(desk, world):
    unit = desk["unit"]
    application = services.create_application(unit, title="专项债", kind="bonds", level="省财政厅", unit=world.dept,
                                              town=world.street1, requested=Decimal("8000"))
    with pytest.raises(ValidationError):
        services.decide_application(unit, application.pk, won=Decimal("100"))  # not submitted yet
    services.submit_application(unit, application.pk)
    with pytest.raises(ValidationError):
        services.decide_application(unit, application.pk, won=Decimal("9000"))
    with pytest.raises(ValidationError):
        services.decide_application(unit, application.pk, won=Decimal("1"), on=timezone.localdate() + timedelta(1))
    won = services.decide_application(unit, application.pk, won=Decimal("6000"))
    assert (won.status, won.won) == ("won", Decimal("6000"))
    refused = services.create_application(unit, title="政策", kind="policy", level="省工信厅", unit=world.dept,
                                          town=world.street1, requested=Decimal("10"))
    services.submit_application(unit, refused.pk)
    assert services.decide_application(unit, refused.pk, won=Decimal(0)).status == "rejected"
    assert _labels("application", won.pk) == ["transition:application.submit", "transition:application.grant"]
    assert _labels("application", refused.pk)[-1] == "transition:application.refuse"
    assert queries.funds_won(Application.objects.all(), timezone.localdate().year)["won"] == Decimal("6000.00")


def test_leads_move_through_the_pipeline_and_land_as_a_project(desk, world):
    unit, today = desk["unit"], timezone.localdate()
    lead = services.create_lead(unit, name="光伏组件", investor="某集团", industry="新能源", zone=world.zone,
                                unit=world.dept, town=world.street1, amount=Decimal("30000"), contacted_on=today)
    with pytest.raises(ValidationError):
        services.advance_lead(unit, lead.pk, "signed")  # skips negotiation
    services.advance_lead(unit, lead.pk, "negotiation")
    services.advance_lead(unit, lead.pk, "signed")
    planned = new_project(desk, world, code="LP1")
    with pytest.raises(ValidationError):
        services.advance_lead(unit, lead.pk, "landed", project_id=planned.pk)  # not in the attraction list
    Project.objects.filter(pk=planned.pk).update(project_list=ProjectList.ATTRACTED)
    landed = services.advance_lead(unit, lead.pk, "landed", project_id=planned.pk)
    assert (landed.stage, landed.project_id, landed.signed_on) == ("landed", planned.pk, today)
    assert _labels("lead", lead.pk) == ["transition:lead.negotiation", "transition:lead.signed",
                                        "transition:lead.landed"]
    funnel = {row["stage"]: row["leads"] for row in queries.pipeline(Lead.objects.all())}
    assert funnel["landed"] == 1 and funnel["lead"] == 0
    with pytest.raises(ValidationError):
        services.create_lead(unit, name="x", investor="y", industry="z", zone=world.zone, unit=world.dept,
                             town=world.street1, amount=Decimal("99999999999"), contacted_on=today)


def test_service_records_are_kept_per_project(desk, world, client_for):
    project = new_project(desk, world, code="S1")
    with pytest.raises(ValidationError):
        services.record_service(desk["steward"], project.pk, kind="visit", served_on=timezone.localdate() +
                                timedelta(days=2), unit=world.dept, description="走访")
    services.record_service(desk["steward"], project.pk, kind="procedure", served_on=timezone.localdate(),
                            unit=world.dept, description="代办施工许可")
    assert ServiceRecord.objects.get().recorded_by == desk["steward"]
    page = client_for(desk["steward"]).get(f"/projects/{project.pk}/").content.decode()
    assert "代办施工许可" in page
