"""Projects: explicit stages, monthly reports and their review, headline figures from the records."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wanghua.projects import services
from wanghua.projects.models import MonthlyReport, Project, ReportStatus, Stage


def new_project(desk, world, code="P1", continuing=False, total="50000", plan="20000") -> Project:
    steward, leader = desk["people"]
    return services.create_project(
        desk["unit"], code=code, name="垃圾焚烧发电项目", project_list="planned", zone=world.zone, industry="环保",
        sponsor="某环保能源公司", continuing=continuing, total_investment=Decimal(total), annual_plan=Decimal(plan),
        steward=steward, competent_unit=world.dept, leader=leader, town=world.street1)


def test_stages_move_one_step_at_a_time(desk, world):
    project = new_project(desk, world)
    with pytest.raises(ValidationError):
        services.advance_stage(desk["unit"], project.pk, Stage.STARTED)  # skips 签约 and 前期手续
    for stage in (Stage.SIGNED, Stage.PREPARATION):
        services.advance_stage(desk["unit"], project.pk, stage)
    with pytest.raises(ValidationError):
        services.advance_stage(desk["unit"], project.pk, Stage.RESUMED)  # a new project starts, it does not resume
    started = services.advance_stage(desk["unit"], project.pk, Stage.STARTED, on=date(2026, 3, 2))
    assert started.stage == Stage.STARTED and started.started_on == date(2026, 3, 2)
    with pytest.raises(ValidationError):
        services.advance_stage(desk["unit"], project.pk, Stage.OPERATING)


def test_bad_amounts_are_refused(desk, world):
    with pytest.raises(ValidationError):
        new_project(desk, world, total="-5")
    with pytest.raises(ValidationError):
        new_project(desk, world, total="99999999999")  # typed in 元, not 万元
    with pytest.raises(ValidationError):
        new_project(desk, world, total="100", plan="200")
    assert not Project.objects.exists()


def test_monthly_report_cycle(desk, world):
    project = new_project(desk, world)
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError):
        services.submit_report(desk["steward"], project.pk, month=date(2099, 1, 1), fai=Decimal(1), progress="x")
    report = services.submit_report(desk["steward"], project.pk, month=this_month, fai=Decimal("1200.50"),
                                    progress="主厂房基础施工", next_steps="钢结构吊装")
    with pytest.raises(ValidationError):
        services.submit_report(desk["steward"], project.pk, month=this_month, fai=Decimal(1), progress="又报")
    with pytest.raises(PermissionDenied):
        services.review_report(desk["steward"], report.pk, approve=True)  # the unit reviews, not the steward
    with pytest.raises(ValidationError):
        services.review_report(desk["unit"], report.pk, approve=False)  # a return needs a reason
    services.review_report(desk["unit"], report.pk, approve=False, comment="投资额与监理报告不符")
    corrected = services.correct_report(desk["steward"], report.pk, fai=Decimal("1100"))
    assert corrected.status == ReportStatus.SUBMITTED
    approved = services.review_report(desk["unit"], report.pk, approve=True)
    assert approved.status == ReportStatus.APPROVED and approved.fai == Decimal("1100")
    with pytest.raises(ValidationError):
        services.correct_report(desk["steward"], report.pk, fai=Decimal("1"))
    with pytest.raises(ValidationError):
        services.submit_report(desk["steward"], project.pk, month=date(2025, 1, 1), fai=Decimal("49000"),
                               progress="超出总投资")


def test_headline_figures_are_computed_from_records(desk, world):
    year = timezone.localdate().year
    for code, total in (("P1", "30000"), ("P2", "20000")):
        project = new_project(desk, world, code=code, total=total, plan="10000")
        for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
            services.advance_stage(desk["unit"], project.pk, stage, on=date(year, 1, 10))
        for month_year, fai in ((year - 1, "100"), (year, "138.70")):
            report = services.submit_report(desk["steward"], project.pk, month=date(month_year, 1, 1),
                                            fai=Decimal(fai), progress="施工")
            services.review_report(desk["unit"], report.pk, approve=True)
    figures = services.headline(Project.objects.all(), year, 6)
    assert (figures.started, figures.started_investment) == (2, Decimal("50000"))
    assert (figures.fai, figures.fai_last_year, figures.growth_percent) == (Decimal("277.40"), Decimal("200"),
                                                                            Decimal("38.7"))
    assert MonthlyReport.objects.filter(late=True).count() == 4  # January reports, all sent after the 5th of February


def test_issue_list_escalates_and_closes_only_on_confirmation(desk, world, client_for):
    from datetime import timedelta

    from wanghua.projects.models import IssueStatus, ProjectIssue

    project = new_project(desk, world)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.raise_issue(desk["steward"], project.pk, category="land", description="用地指标",
                             owner_unit=world.dept, deadline=today - timedelta(days=1))
    issue = services.raise_issue(desk["steward"], project.pk, category="utilities", description="施工用电未接入",
                                 owner_unit=world.dept, deadline=today)
    assert services.escalate_overdue(today) == 0
    assert services.escalate_overdue(today + timedelta(days=1)) == 1
    assert services.escalate_overdue(today + timedelta(days=2)) == 0  # once
    with pytest.raises(ValidationError):
        services.confirm_issue(desk["steward"], issue.pk, satisfied=True)  # not resolved yet
    services.resolve_issue(desk["unit"], issue.pk, resolution="供电公司已架设临时线路")
    with pytest.raises(ValidationError):
        services.confirm_issue(desk["steward"], issue.pk, satisfied=False)  # reopening needs what is missing
    services.confirm_issue(desk["steward"], issue.pk, satisfied=False, note="容量不足，仍需增容")
    assert ProjectIssue.objects.get(pk=issue.pk).status == IssueStatus.OPEN
    services.resolve_issue(desk["unit"], issue.pk, resolution="已增容至2000kVA")
    closed = services.confirm_issue(desk["steward"], issue.pk, satisfied=True, note="企业确认")
    assert closed.status == IssueStatus.CONFIRMED and closed.escalated_at
    page = client_for(desk["unit"]).get(project.get_absolute_url()).content.decode()
    assert "已增容至2000kVA" in page and 'data-issue-status="confirmed"' in page
    listed = client_for(desk["unit"]).get("/projects/issues/?escalated=true").content.decode()
    assert "施工用电未接入" in listed


def test_report_reminders_turn_overdue_after_the_fifth(desk, world):
    project = new_project(desk, world, code="R1")
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(desk["unit"], project.pk, stage, on=date(2026, 1, 10))
    on_the_third = services.report_reminders(Project.objects.all(), today=date(2026, 3, 3))
    assert [(r.project.code, r.month, r.due, r.overdue) for r in on_the_third] == [
        ("R1", date(2026, 2, 1), date(2026, 3, 5), False)]
    assert services.report_reminders(Project.objects.all(), today=date(2026, 3, 6))[0].overdue
    MonthlyReport.objects.create(project=project, month=date(2026, 2, 1), fai=Decimal(1), progress="施工",
                                 submitted_at=timezone.now())
    assert services.report_reminders(Project.objects.all(), today=date(2026, 3, 6)) == []
    Project.objects.filter(pk=project.pk).update(stage=Stage.COMPLETED)  # a completed project no longer reports
    assert services.report_reminders(Project.objects.all(), today=date(2026, 4, 9)) == []
