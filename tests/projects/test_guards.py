"""Every refusing guard of the project services, each with its own message and nothing saved (issue 22).

scripts/guard_mutants.py deletes one guard at a time; a test here fails for each of these guards: the refusal
asserted is the guard's own (a model check or a database error further on would say something else)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.projects.test_ledger_and_pipeline import _row, _sheet
from tests.projects.test_projects import _labels, new_project
from wanghua.org.models import Person
from wanghua.projects import services
from wanghua.projects.models import Application, AssessmentIndicator, Lead, Project, ProjectList, Stage
from wanghua.projects.services import ledger
from wanghua.projects.services.ledger import RowError


def _lead(desk, world, **fields) -> Lead:
    values = {"name": "光伏组件", "investor": "某集团", "industry": "新能源", "zone": world.zone, "unit": world.dept,
              "town": world.street1, "amount": Decimal("30000"), "contacted_on": timezone.localdate()}
    return services.create_lead(desk["unit"], **{**values, **fields})


# --- 向上争取 -------------------------------------------------------------------------------------------

def test_application_town_must_be_the_projects(desk, world):
    project = new_project(desk, world, code="AP1")  # in 一街道
    with pytest.raises(ValidationError) as refused:
        services.create_application(desk["unit"], title="专项债", kind="bonds", level="省财政厅", unit=world.dept,
                                    town=world.street2, project=project, requested=Decimal("800"))
    assert refused.value.message_dict == {"town": ["申报的镇街须与项目所在镇街一致。"]}
    with pytest.raises(ValidationError) as huge:
        services.create_application(desk["unit"], title="专项债", kind="bonds", level="省财政厅", unit=world.dept,
                                    town=world.street1, requested=Decimal("10000001"))
    assert huge.value.message_dict == {"requested": ["10000001 万元超出任何申请的规模：请检查单位（万元）。"]}
    assert not Application.objects.exists()


# --- 招商引资 -------------------------------------------------------------------------------------------

def test_lead_beyond_any_project_or_contacted_tomorrow_is_refused(desk, world):
    with pytest.raises(ValidationError) as huge:
        _lead(desk, world, amount=Decimal("10000001"))  # within the column's 12 digits: only the guard refuses
    assert huge.value.message_dict == {"amount": ["10000001 万元超出全区任何项目的规模：请检查单位（万元）。"]}
    with pytest.raises(ValidationError) as ahead:
        _lead(desk, world, contacted_on=timezone.localdate() + timedelta(days=1))
    assert ahead.value.message_dict == {"contacted_on": ["日期不能晚于今天。"]}
    assert not Lead.objects.exists()


def test_lead_step_is_dated_between_first_contact_and_today(desk, world):
    today = timezone.localdate()
    lead = _lead(desk, world, contacted_on=today - timedelta(days=5))
    for on in (today + timedelta(days=1), today - timedelta(days=6)):
        with pytest.raises(ValidationError) as refused:
            services.advance_lead(desk["unit"], lead.pk, "negotiation", on=on)
        assert refused.value.message_dict == {"on": ["日期须在首次接洽与今天之间。"]}
    assert Lead.objects.get(pk=lead.pk).stage == "lead" and _labels("lead", lead.pk) == []


def test_a_lead_lands_as_one_attraction_project_of_its_own(desk, world):
    unit = desk["unit"]
    lead = _lead(desk, world)
    services.advance_lead(unit, lead.pk, "negotiation")
    services.advance_lead(unit, lead.pk, "signed")
    planned = new_project(desk, world, code="LG1")  # in the planned list
    attracted = new_project(desk, world, code="LG2")
    Project.objects.filter(pk=attracted.pk).update(project_list=ProjectList.ATTRACTED)
    refusals = {None: "请选择线索落地后的项目。", planned.pk: "落地的线索须对应招商引资清单中的项目。"}
    for project_id, message in refusals.items():
        with pytest.raises(ValidationError) as refused:
            services.advance_lead(unit, lead.pk, "landed", project_id=project_id)
        assert refused.value.message_dict == {"project": [message]}
    assert (Lead.objects.get(pk=lead.pk).stage, Lead.objects.get(pk=lead.pk).project_id) == ("signed", None)
    services.advance_lead(unit, lead.pk, "landed", project_id=attracted.pk)
    second = _lead(desk, world, name="第二条线索")
    services.advance_lead(unit, second.pk, "negotiation")
    services.advance_lead(unit, second.pk, "signed")
    with pytest.raises(ValidationError) as taken:
        services.advance_lead(unit, second.pk, "landed", project_id=attracted.pk)
    assert taken.value.message_dict == {"project": ["已有其他线索落地为该项目。"]}
    assert (Lead.objects.get(pk=second.pk).stage, Lead.objects.get(pk=second.pk).project_id) == ("signed", None)


# --- 双考核 weights -------------------------------------------------------------------------------------

def _weights() -> dict[tuple[str, str], tuple[Decimal, bool]]:
    return {(r.kind, r.metric): (r.weight, r.active) for r in AssessmentIndicator.objects.all()}


def test_weights_lie_between_0_and_100_and_one_must_count(desk, world, make_user):
    admin = make_user("weights-guard", "sysadmin", region=world.district)
    before = _weights()
    assert before  # seeded after migrating
    for bad in (Decimal(150), Decimal(-1)):  # with a valid change beside it: neither is saved
        with pytest.raises(ValidationError) as refused:
            services.set_weights(admin, "department", {"report_timeliness": Decimal(0), "funds_won": bad}, {})
        assert refused.value.messages == ["权重须在 0 到 100 分之间。"]
    metrics = [m for kind, m in before if kind == "department"]
    for weights, active in (({m: Decimal(0) for m in metrics}, {}), ({}, dict.fromkeys(metrics, False))):
        with pytest.raises(ValidationError) as nothing_counts:
            services.set_weights(admin, "department", weights, active)
        assert nothing_counts.value.messages == ["至少要有一个启用的指标权重大于零。"]
    assert _weights() == before


# --- 项目台账 import -------------------------------------------------------------------------------------

def _refused(desk, sheet) -> list[RowError]:
    with pytest.raises(ledger.LedgerError) as refused:
        ledger.import_ledger(desk["unit"], sheet)
    return refused.value.errors


def test_ledger_without_a_column_is_refused_by_its_header(desk):
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append([h for h in ledger.HEADERS if h != "项目名称"])
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert _refused(desk, buffer) == [RowError(1, "项目名称", "表头缺少此列。")]


def test_ledger_longer_than_its_limit_is_refused(desk, world, monkeypatch):
    monkeypatch.setattr(ledger, "MAX_ROWS", 2)
    rows = [_row(world, f"M{n}") for n in range(3)]
    assert _refused(desk, _sheet(rows)) == [RowError(4, "—", "一份台账最多 2 行。")]
    assert not Project.objects.exists()


def test_ledger_names_must_be_known_and_unambiguous(desk, world):
    Person.objects.create(name="孙管家", region=world.street2)  # a second 孙管家: the steward is ambiguous
    errors = _refused(desk, _sheet([_row(world, "N1", **{"镇街": "不存在街道"})]))
    assert errors == [RowError(2, "项目管家", "名为“孙管家”的人员不止一个。"),
                      RowError(2, "镇街", "没有名为“不存在街道”的所在镇街。")]
    assert not Project.objects.exists()


def test_ledger_stage_cannot_go_back(desk, world):
    ledger.import_ledger(desk["unit"], _sheet([_row(world, "B1", **{"建设阶段": "签约"})]))
    errors = _refused(desk, _sheet([_row(world, "B1", **{"建设阶段": "谋划"})]))  # 谋划 is no step
    assert errors == [RowError(2, "建设阶段", "项目处于“签约”，只能进入下一阶段。")]
    assert Project.objects.get(code="B1").stage == Stage.SIGNED


def test_ledger_rows_of_a_unit_not_kept_are_refused(desk, world):
    errors = _refused(desk, _sheet([_row(world, "U1"), _row(world, "U2", **{"主管单位": world.gov.name})]))
    assert errors == [RowError(3, "主管单位", "您无权维护该单位的项目。")]
    assert not Project.objects.exists()
