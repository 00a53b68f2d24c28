"""双考核: scores computed from records, weights configurable, ties share a rank, the calculation is shown."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.projects.test_projects import new_project
from wanghua.org.models import Unit, UnitKind
from wanghua.projects import assessment, services
from wanghua.projects.models import AssessmentIndicator, MonthlyReport, Stage


def test_period_keys():
    assert assessment.parse_period("2026").months == 12
    q2 = assessment.parse_period("2026-q2")
    assert (q2.first, q2.last, q2.end) == (date(2026, 4, 1), date(2026, 6, 1), date(2026, 7, 1))
    assert assessment.parse_period("2026-12").end == date(2027, 1, 1)
    for bad in ("2026-13", "2026-Q5", "26", "1999", "", "2026-05-01"):
        with pytest.raises(ValidationError):
            assessment.parse_period(bad)


def _started(desk, world, code, plan="12000", started_on=date(2026, 2, 1)):
    project = new_project(desk, world, code=code, total="100000", plan=plan)
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(desk["unit"], project.pk, stage, on=started_on if stage == Stage.STARTED else None)
    project.refresh_from_db()
    project.planned_start = date(2026, 1, 1)
    project.save()
    return project


def _report(project, month, fai, late=False):
    return MonthlyReport.objects.create(project=project, month=month, fai=Decimal(fai), progress="施工",
                                        submitted_at=timezone.now(), late=late, status="approved")


def test_department_scores_are_computed_from_records_and_explained(desk, world):
    project = _started(desk, world, "A1")  # annual plan 12,000 万元 → 3,000 a quarter
    _report(project, date(2026, 4, 1), "1000")
    _report(project, date(2026, 5, 1), "500", late=True)
    _report(project, date(2026, 6, 1), "300")
    services.create_application(desk["unit"], title="中省资金", kind="funds", level="省发改委", unit=world.dept,
                                town=world.street1, requested=Decimal("900"))
    idle = Unit.objects.create(code="dept-idle", name="区卫健局", kind=UnitKind.DEPARTMENT, region=world.district)
    ranking = assessment.assess("department", assessment.parse_period("2026-Q2"))
    mine = next(s for s in ranking if s.subject_id == world.dept.pk)
    fai = mine.measures["fai_plan"]
    assert (fai.numerator, fai.denominator, fai.score) == (Decimal("1800.00"), Decimal("3000.00"), Decimal("60.0"))
    assert "1,800.00 ÷ 3,000.00" in fai.explanation
    assert mine.measures["report_timeliness"].score == Decimal("66.7")  # 2 of 3 on time
    assert mine.measures["start_rate"].score == Decimal("100.0")
    assert mine.measures["issues_on_time"].score is None  # nothing was due: it does not count
    assert mine.measures["funds_won"].score is None  # nobody won anything yet
    # weighted over what counted: (100×25 + 60×30 + 66.7×15) / 70
    assert mine.total == Decimal("75.7") and mine.rank == 1
    unranked = next(s for s in ranking if s.subject_id == idle.pk)
    assert (unranked.total, unranked.rank) == (None, None) and ranking[-1] is unranked  # nothing applied to it


def test_weights_change_the_ranking_and_are_audited(desk, world, make_user):
    project = _started(desk, world, "A2")
    _report(project, date(2026, 3, 1), "1000", late=True)
    period = assessment.parse_period("2026-03")
    before = next(s for s in assessment.assess("department", period) if s.subject_id == world.dept.pk).total
    admin = make_user("weights-admin", "sysadmin", region=world.district)
    with pytest.raises(PermissionDenied):
        services.set_weights(desk["unit"], "department", {"report_timeliness": Decimal(0)}, {})
    with pytest.raises(ValidationError):
        services.set_weights(admin, "department", {}, {m: False for m in assessment.MEASURES})
    services.set_weights(admin, "department", {"report_timeliness": Decimal(0)}, {})
    after = next(s for s in assessment.assess("department", period) if s.subject_id == world.dept.pk).total
    assert before < after == Decimal("100.0")  # the late report no longer weighs
    assert AssessmentIndicator.objects.get(kind="department", metric="report_timeliness").weight == 0
    from wanghua.core.models import AuditEntry

    assert AuditEntry.objects.filter(content_type__model="assessmentindicator", actor=admin, action="update").exists()


def test_issues_and_deals_count_for_the_owner(desk, world):
    project = _started(desk, world, "A3")
    today = timezone.localdate()
    issue = services.raise_issue(desk["steward"], project.pk, category="land", description="用地",
                                 owner_unit=world.dept, deadline=today + timedelta(days=1))
    services.resolve_issue(desk["unit"], issue.pk, resolution="已解决")
    lead = services.create_lead(desk["unit"], name="线索", investor="某集团", industry="新能源", zone=world.zone,
                                unit=world.dept, town=world.street1, amount=Decimal("5000"), contacted_on=today)
    services.advance_lead(desk["unit"], lead.pk, "negotiation")
    services.advance_lead(desk["unit"], lead.pk, "signed")
    period = assessment.parse_period(f"{today.year}")
    for kind, subject in (("department", world.dept.pk), ("town", world.street1.pk)):
        mine = next(s for s in assessment.assess(kind, period) if s.subject_id == subject)
        assert mine.measures["issues_on_time"].score == Decimal("100.0")
        assert mine.measures["deals_signed"].numerator == Decimal("5000.00")
        assert mine.measures["deals_signed"].score == Decimal("100.0")  # the best scores 100


def test_ranking_page_and_excel(desk, world, client_for, make_user):
    project = _started(desk, world, "A4")
    _report(project, date(2026, 1, 1), "1000")
    client = client_for(desk["unit"])
    html = client.get("/projects/assessment/?period=2026-01").content.decode()
    assert "min(1, 1,000.00 ÷ 1,000.00) × 100 = 100.0" in html and 'id="chart-ranking"' in html
    refused = client.get("/projects/assessment/?period=2026-13")
    assert refused.status_code == 400 and "2026-13" in refused.content.decode()
    export = client.get("/projects/assessment/?period=2026-01&export=xlsx")
    from wanghua.core.testing import body_text

    sheet = body_text(export)
    assert export.status_code == 200 and (world.dept.short_name or world.dept.name) in sheet and "1000" in sheet
    admin = client_for(make_user("weights-admin2", "sysadmin", region=world.district))
    assert admin.post("/projects/assessment/weights/?kind=town", {
        f"weight_{m}": "10" for m in assessment.MEASURES} | {f"active_{m}": "on" for m in assessment.MEASURES}
    ).status_code == 302
    assert set(AssessmentIndicator.objects.filter(kind="town").values_list("weight", flat=True)) == {10}
    assert admin.post("/projects/assessment/weights/?kind=town", {"weight_fai_plan": "-3"}).status_code == 400
