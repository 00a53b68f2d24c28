"""Projects: explicit stages, monthly reports and their review, headline figures from the records."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wanghua.projects import queries, services
from wanghua.projects.models import MonthlyReport, Project, ReportStatus, Stage


def new_project(desk, world, code="P1", continuing=False, total="50000", plan="20000", **extra) -> Project:
    steward, leader = desk["people"]
    return services.create_project(
        desk["unit"], code=code, name="垃圾焚烧发电项目", project_list="planned", zone=world.zone, industry="环保",
        sponsor="某环保能源公司", continuing=continuing, total_investment=Decimal(total), annual_plan=Decimal(plan),
        steward=steward, competent_unit=world.dept, leader=leader, town=world.street1, **extra)


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
    assert _labels("project", project.pk) == ["transition:project.signed", "transition:project.preparation",
                                              "transition:project.started"]


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
    figures = queries.headline(Project.objects.all(), year, 6)
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
    assert _labels("projectissue", issue.pk) == ["transition:issue.resolve", "transition:issue.reopen",
                                                 "transition:issue.resolve", "transition:issue.confirm"]
    page = client_for(desk["unit"]).get(project.get_absolute_url()).content.decode()
    assert "已增容至2000kVA" in page and 'data-issue-status="confirmed"' in page
    listed = client_for(desk["unit"]).get("/projects/issues/?escalated=true").content.decode()
    assert "施工用电未接入" in listed


def test_report_reminders_turn_overdue_after_the_fifth(desk, world):
    project = new_project(desk, world, code="R1")
    for stage in (Stage.SIGNED, Stage.PREPARATION, Stage.STARTED):
        services.advance_stage(desk["unit"], project.pk, stage, on=date(2026, 1, 10))
    on_the_third = queries.report_reminders(Project.objects.all(), today=date(2026, 3, 3))
    assert [(r.project.code, r.month, r.due, r.overdue) for r in on_the_third] == [
        ("R1", date(2026, 2, 1), date(2026, 3, 5), False)]
    assert queries.report_reminders(Project.objects.all(), today=date(2026, 3, 6))[0].overdue
    MonthlyReport.objects.create(project=project, month=date(2026, 2, 1), fai=Decimal(1), progress="施工",
                                 submitted_at=timezone.now())
    assert queries.report_reminders(Project.objects.all(), today=date(2026, 3, 6)) == []
    Project.objects.filter(pk=project.pk).update(stage=Stage.COMPLETED)  # a completed project no longer reports
    assert queries.report_reminders(Project.objects.all(), today=date(2026, 4, 9)) == []


def _labels(model: str, pk: int) -> list[str]:
    from wanghua.core.models import AuditEntry

    return list(AuditEntry.objects.filter(content_type__model=model, object_id=str(pk), label__startswith="transition:")
                .order_by("pk").values_list("label", flat=True))


def test_report_table_walk_submitted_returned_corrected_approved(desk, world):
    from wanghua.core.transitions import TransitionError
    from wanghua.projects.models import REPORT_FLOW, ReportStep

    project = new_project(desk, world)
    report = services.submit_report(desk["steward"], project.pk, month=timezone.localdate().replace(day=1),
                                    fai=Decimal("500"), progress="场平")
    assert [t.step for t in REPORT_FLOW.available(desk["unit"], report)] == [ReportStep.APPROVE, ReportStep.RETURN,
                                                                             ReportStep.CORRECT]
    returned = services.review_report(desk["unit"], report.pk, approve=False, comment="缺监理签字")
    assert returned.status == ReportStatus.RETURNED and returned.reviewed_by == desk["unit"]
    assert [t.step for t in REPORT_FLOW.available(desk["steward"], returned)] == [ReportStep.CORRECT]
    with pytest.raises(TransitionError):
        services.review_report(desk["unit"], report.pk, approve=True)  # a returned report is corrected first
    assert services.correct_report(desk["steward"], report.pk, progress="场平（补监理签字）").status == \
        ReportStatus.SUBMITTED
    services.review_report(desk["unit"], report.pk, approve=True)
    assert _labels("monthlyreport", report.pk) == ["transition:report.return", "transition:report.correct",
                                                    "transition:report.approve"]
    assert REPORT_FLOW.available(desk["steward"], MonthlyReport.objects.get(pk=report.pk)) == []  # final


def test_a_returned_report_is_corrected_on_its_page(desk, world, client_for):
    project = new_project(desk, world)
    month = timezone.localdate().replace(day=1)
    report = services.submit_report(desk["steward"], project.pk, month=month, fai=Decimal("900"), progress="基础施工")
    steward, unit = client_for(desk["steward"]), client_for(desk["unit"])
    correct_url = f"/projects/reports/{report.pk}/correct/"
    assert correct_url not in steward.get(project.get_absolute_url()).content.decode()  # not returned: no control
    services.review_report(desk["unit"], report.pk, approve=False, comment="投资额与监理报告不符")
    page = steward.get(project.get_absolute_url()).content.decode()
    assert correct_url in page and "投资额与监理报告不符" in page
    again = steward.post(f"/projects/{project.pk}/reports/", {"month": month.strftime("%Y-%m"), "fai": "800",
                                                             "progress": "重报"})
    assert again.status_code == 400 and "本月已报送，请更正已报送的月报。" in again.content.decode()
    form = steward.get(correct_url)
    assert form.status_code == 200 and "基础施工" in form.content.decode()
    too_much = steward.post(correct_url, {"fai": "60000", "progress": "基础施工"})  # beyond the 50,000 万元 total
    assert too_much.status_code == 400 and MonthlyReport.objects.get(pk=report.pk).fai == Decimal("900")
    done = steward.post(correct_url, {"fai": "800", "progress": "基础施工（已更正）", "next_steps": "主体施工"})
    assert done.status_code == 302 and done.url == report.get_absolute_url()
    corrected = MonthlyReport.objects.get(pk=report.pk)
    assert (corrected.status, corrected.fai, corrected.progress) == (ReportStatus.SUBMITTED, Decimal("800"),
                                                                     "基础施工（已更正）")
    assert _labels("monthlyreport", report.pk)[-1] == "transition:report.correct"
    assert correct_url not in steward.get(project.get_absolute_url()).content.decode()  # resubmitted
    assert unit.post(f"/projects/reports/{report.pk}/approve/").status_code == 302
    assert MonthlyReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    assert steward.post(correct_url, {"fai": "1", "progress": "x"}).status_code == 400  # an approved report is final
    assert MonthlyReport.objects.get(pk=report.pk).fai == Decimal("800")


def test_the_menu_offers_the_ledger_import_only_to_who_may_import(desk, client_for):
    assert "/projects/ledger/import/" not in client_for(desk["steward"]).get("/").content.decode()
    unit = client_for(desk["unit"])
    assert "/projects/ledger/import/" in unit.get("/").content.decode()
    assert unit.get("/projects/ledger/import/").status_code == 200


# Guards that scripts/guard_mutants.py could delete with every test still passing, each pinned here.

def test_amounts_beyond_the_district_and_backward_dates_are_refused(desk, world):
    with pytest.raises(ValidationError) as too_large:  # 2,000 亿元: within the field's digits, beyond any project
        new_project(desk, world, total="20000000", plan="1")
    assert "total_investment" in too_large.value.message_dict
    with pytest.raises(ValidationError) as backwards:
        new_project(desk, world, planned_start=date(2026, 6, 1), planned_completion=date(2026, 1, 1))
    assert "planned_completion" in backwards.value.message_dict
    assert not Project.objects.exists()


def test_a_stage_is_not_dated_ahead_nor_unknown(desk, world):
    project = new_project(desk, world)
    with pytest.raises(ValidationError):
        services.advance_stage(desk["unit"], project.pk, Stage.SIGNED, on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError):
        services.advance_stage(desk["unit"], project.pk, "flying")
    assert Project.objects.get(pk=project.pk).stage == Stage.PLANNING


def test_a_report_describes_its_progress_and_an_issue_its_resolution(desk, world):
    project = new_project(desk, world)
    with pytest.raises(ValidationError) as no_progress:
        services.submit_report(desk["steward"], project.pk, month=timezone.localdate().replace(day=1),
                               fai=Decimal(1), progress="   ")
    assert "progress" in no_progress.value.message_dict
    issue = services.raise_issue(desk["steward"], project.pk, category="utilities", description="施工用电未接入",
                                 owner_unit=world.dept, deadline=timezone.localdate() + timedelta(days=7))
    with pytest.raises(ValidationError) as no_resolution:
        services.resolve_issue(desk["unit"], issue.pk, resolution="  ")
    assert "resolution" in no_resolution.value.message_dict
