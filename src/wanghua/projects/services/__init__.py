"""Project rules: projects and their stages, monthly reports (submit → approve or return → correct), the issue
list, service records, applications to higher levels, investment leads and the assessment weights. Every status
changes through its table in models.py; the ledger import is `services.ledger`. Figures are in queries.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.core.models import User
from wanghua.core.transitions import StateMachine, TransitionError
from wanghua.org.models import Unit

from ..models import (
    APPLICATION_FLOW,
    ISSUE_FLOW,
    LEAD_FLOW,
    PROJECT_FLOW,
    REPORT_FLOW,
    Application,
    ApplicationStatus,
    ApplicationStep,
    AssessedKind,
    AssessmentIndicator,
    IssueStatus,
    IssueStep,
    Lead,
    LeadStage,
    LeadStep,
    Metric,
    MonthlyReport,
    Project,
    ProjectIssue,
    ProjectList,
    ProjectStep,
    ReportStep,
    ServiceRecord,
    month_start,
    report_due,
)

LARGEST_PROJECT = Decimal("10000000")  # 万元: 1,000 亿元; anything larger is a typing error


_M = TypeVar("_M", bound=models.Model)


def _not_in_future(on: date) -> None:
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))


def _step_along(machine: StateMachine[_M], actor: User, pk: int, step: str, refusal: str, **kwargs: Any) -> _M:
    """Take a step named for the stage it leads to; out of order, say which stages may follow the current one."""
    try:
        if step not in machine.steps.values:
            raise TransitionError(step)
        return machine.perform(actor, pk, step, **kwargs)
    except TransitionError:
        obj = machine.model.objects.visible_to(actor, "view").get(pk=pk)  # type: ignore[attr-defined]  # scoped
        allowed = "、".join(str(machine.states(t.target).label) for t in machine.leaving(machine.state_of(obj)))
        raise ValidationError(refusal % {"now": getattr(obj, f"get_{machine.field}_display")(),
                                         "allowed": allowed or "—"}) from None


# --- projects -------------------------------------------------------------------------------------------

def check_amounts(project: Project) -> None:
    if project.total_investment > LARGEST_PROJECT:
        raise ValidationError({"total_investment": _("%(amount)s 万元 is beyond any project in the district: check "
                                                     "the unit (万元).") % {"amount": project.total_investment}})
    if project.annual_plan > project.total_investment:
        raise ValidationError({"annual_plan": _("This year's plan cannot exceed the total investment.")})
    if project.planned_start and project.planned_completion and project.planned_completion < project.planned_start:
        raise ValidationError({"planned_completion": _("Completion cannot come before the start.")})


@transaction.atomic
def create_project(actor: User, **fields: Any) -> Project:
    project = Project(**fields)
    require(actor, "add", project)
    check_amounts(project)
    project.full_clean()
    with audit.acting_as(actor):
        project.save()
    return project


def advance_stage(actor: User, project_id: int, to: str, on: date | None = None) -> Project:
    """One step along 谋划 → 签约 → 前期手续 → 开工/复工 → 续建 → 竣工 → 投产 (`to`: the stage it leads to)."""
    on = on or timezone.localdate()

    def stamp(project: Project) -> None:
        if to in (ProjectStep.STARTED, ProjectStep.RESUMED):
            project.started_on = on
        if to == ProjectStep.COMPLETED:
            project.completed_on = on

    return _step_along(PROJECT_FLOW, actor, project_id, to,
                       _("From “%(now)s” the project can only move to: %(allowed)s."),
                       guards=[lambda _project: _not_in_future(on)], apply=stamp)


# --- monthly reports ------------------------------------------------------------------------------------

def _check_report(report: MonthlyReport) -> None:
    today = timezone.localdate()
    if report.month > month_start(today):
        raise ValidationError({"month": _("A report cannot be made for a future month.")})
    reported = (MonthlyReport.objects.filter(project=report.project).exclude(pk=report.pk)
                .aggregate(total=Sum("fai"))["total"] or Decimal(0))
    if reported + report.fai > report.project.total_investment:
        raise ValidationError({"fai": _("With this month the completed investment would exceed the project's total "
                                        "of %(total)s 万元.") % {"total": report.project.total_investment}})
    if not report.progress.strip():
        raise ValidationError({"progress": _("Describe the progress this month.")})


@transaction.atomic
def submit_report(actor: User, project_id: int, *, month: date, fai: Decimal, progress: str,
                  next_steps: str = "") -> MonthlyReport:
    project = fetch_for_change(Project, actor, "projects.add_monthlyreport", project_id)
    month = month_start(month)
    if MonthlyReport.objects.filter(project=project, month=month).exists():
        raise ValidationError({"month": _("This month is already reported; correct that report instead.")})
    now = timezone.now()
    report = MonthlyReport(project=project, month=month, fai=fai, progress=progress.strip(),
                           next_steps=next_steps.strip(), submitted_at=now,
                           late=timezone.localdate() > report_due(month))
    _check_report(report)
    report.full_clean()
    with audit.acting_as(actor):
        report.save()
    return report


def correct_report(actor: User, report_id: int, **fields: Any) -> MonthlyReport:
    """A returned (or not yet reviewed) report corrected by the steward, and so submitted again; the audit trail
    keeps the old values. An approved report is final."""

    def amend(report: MonthlyReport) -> None:
        for name in ("fai", "progress", "next_steps"):
            if name in fields:
                setattr(report, name, fields[name])
        report.submitted_at = timezone.now()
        _check_report(report)
        report.full_clean()

    return REPORT_FLOW.perform(actor, report_id, ReportStep.CORRECT, apply=amend)


def review_report(actor: User, report_id: int, *, approve: bool, comment: str = "") -> MonthlyReport:
    """The unit approves the report, or returns it with the reason."""
    comment = comment.strip()

    def reason_given(_report: MonthlyReport) -> None:
        if not approve and not comment:
            raise ValidationError({"comment": _("Say why the report is returned.")})

    def stamp(report: MonthlyReport) -> None:
        report.reviewed_by, report.reviewed_at, report.review_comment = actor, timezone.now(), comment

    return REPORT_FLOW.perform(actor, report_id, ReportStep.APPROVE if approve else ReportStep.RETURN,
                               guards=[reason_given], apply=stamp)


# --- 问题清单 -------------------------------------------------------------------------------------------

@transaction.atomic
def raise_issue(actor: User, project_id: int, *, category: str, description: str, owner_unit: Unit,
                deadline: date) -> ProjectIssue:
    project = fetch_for_change(Project, actor, "projects.add_projectissue", project_id)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    issue = ProjectIssue(project=project, category=category, description=description.strip(), owner_unit=owner_unit,
                         deadline=deadline, raised_at=timezone.now())
    issue.full_clean()
    with audit.acting_as(actor):
        issue.save()
    return issue


def resolve_issue(actor: User, issue_id: int, *, resolution: str) -> ProjectIssue:
    resolution = resolution.strip()

    def record(issue: ProjectIssue) -> None:
        if not resolution:
            raise ValidationError({"resolution": _("Say how the issue was resolved.")})
        issue.resolution, issue.resolved_at = resolution, timezone.now()

    return ISSUE_FLOW.perform(actor, issue_id, IssueStep.RESOLVE, apply=record)


def confirm_issue(actor: User, issue_id: int, *, satisfied: bool, note: str = "") -> ProjectIssue:
    """The enterprise's answer (recorded by the steward): confirmed closes it, not satisfied reopens it."""
    note = note.strip()

    def record(issue: ProjectIssue) -> None:
        if not satisfied and not note:
            raise ValidationError({"note": _("Say what the enterprise still needs.")})
        issue.confirmation = note
        if satisfied:
            issue.confirmed_at = timezone.now()
        else:
            issue.resolved_at = None

    return ISSUE_FLOW.perform(actor, issue_id, IssueStep.CONFIRM if satisfied else IssueStep.REOPEN, apply=record)


def escalate_overdue(today: date | None = None) -> int:
    """Open issues past their deadline go to the project's 包保领导 (once); returns how many were escalated.
    The status stays open: escalation is a stamp, not a step of the issue's table."""
    today = today or timezone.localdate()
    overdue = ProjectIssue.objects.filter(status=IssueStatus.OPEN, deadline__lt=today, escalated_at__isnull=True)
    with audit.labelled(audit.Label.ISSUE_ESCALATE):
        return overdue.update(escalated_at=timezone.now())


# --- 服务事项 -------------------------------------------------------------------------------------------

@transaction.atomic
def record_service(actor: User, project_id: int, *, kind: str, served_on: date, unit: Unit,
                   description: str) -> ServiceRecord:
    project = fetch_for_change(Project, actor, "projects.add_servicerecord", project_id)
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": _("The date cannot be in the future.")})
    record = ServiceRecord(project=project, kind=kind, served_on=served_on, unit=unit,
                           description=description.strip(), recorded_by=actor)
    record.full_clean()
    with audit.acting_as(actor):
        record.save()
    return record


# --- 向上争取 -------------------------------------------------------------------------------------------

def _check_application(application: Application) -> None:
    if application.requested > LARGEST_PROJECT:
        raise ValidationError({"requested": _("%(amount)s 万元 is beyond any application: check the unit (万元).")
                               % {"amount": application.requested}})
    if application.project and application.project.town_id != application.town_id:
        raise ValidationError({"town": _("The application's town/street must be the project's.")})


@transaction.atomic
def create_application(actor: User, **fields: Any) -> Application:
    application = Application(**fields)
    require(actor, "add", application)
    application.status, application.won, application.decided_on = ApplicationStatus.PREPARING, Decimal(0), None
    _check_application(application)
    application.full_clean()
    with audit.acting_as(actor):
        application.save()
    return application


def submit_application(actor: User, application_id: int, on: date | None = None) -> Application:
    on = on or timezone.localdate()

    def stamp(application: Application) -> None:
        _not_in_future(on)
        application.submitted_on = on

    return APPLICATION_FLOW.perform(actor, application_id, ApplicationStep.SUBMIT, apply=stamp)


def decide_application(actor: User, application_id: int, *, won: Decimal, on: date | None = None,
                       note: str = "") -> Application:
    """The higher level's answer: an amount won (0 = not granted), never more than was requested."""
    on = on or timezone.localdate()

    def record(application: Application) -> None:
        if on > timezone.localdate() or (application.submitted_on and on < application.submitted_on):
            raise ValidationError({"on": _("The decision date lies between the submission and today.")})
        if won < 0 or won > application.requested:
            raise ValidationError({"won": _("The amount won lies between 0 and the %(requested)s 万元 requested.")
                                   % {"requested": application.requested}})
        application.won, application.decided_on = won, on
        application.note = note.strip() or application.note

    step = ApplicationStep.GRANT if won > 0 else ApplicationStep.REFUSE
    return APPLICATION_FLOW.perform(actor, application_id, step, apply=record)


# --- 招商引资 -------------------------------------------------------------------------------------------

@transaction.atomic
def create_lead(actor: User, **fields: Any) -> Lead:
    lead = Lead(**fields)
    require(actor, "add", lead)
    lead.stage, lead.signed_on, lead.landed_on, lead.project = LeadStage.LEAD, None, None, None
    if lead.amount > LARGEST_PROJECT:
        raise ValidationError({"amount": _("%(amount)s 万元 is beyond any project in the district: check the unit "
                                           "(万元).") % {"amount": lead.amount}})
    if lead.contacted_on and lead.contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("The date cannot be in the future.")})
    lead.full_clean()
    with audit.acting_as(actor):
        lead.save()
    return lead


def advance_lead(actor: User, lead_id: int, to: str, *, on: date | None = None, project_id: int | None = None) -> Lead:
    """线索 → 洽谈 → 签约 → 落地 (or dropped); landing names the project it became (in the attraction list)."""
    on = on or timezone.localdate()

    def dated(lead: Lead) -> None:
        if on > timezone.localdate() or on < lead.contacted_on:
            raise ValidationError({"on": _("The date lies between the first contact and today.")})

    def record(lead: Lead) -> None:
        if to == LeadStep.SIGNED:
            lead.signed_on = on
        if to == LeadStep.LANDED:
            lead.project, lead.landed_on = _landed_as(actor, lead, project_id), on

    return _step_along(LEAD_FLOW, actor, lead_id, to, _("From “%(now)s” the lead can only move to: %(allowed)s."),
                       guards=[dated], apply=record)


def _landed_as(actor: User, lead: Lead, project_id: int | None) -> Project:
    """The project of the investment-attraction list a landed lead became (one lead per project)."""
    project: Project | None = (Project.objects.visible_to(actor, "view").filter(pk=project_id).first()
                               if project_id else None)
    if project is None:
        raise ValidationError({"project": _("Name the project the lead became.")})
    if project.project_list != ProjectList.ATTRACTED:
        raise ValidationError({"project": _("A landed lead becomes a project in the investment-attraction list.")})
    if Lead.objects.filter(project=project).exclude(pk=lead.pk).exists():
        raise ValidationError({"project": _("Another lead already landed as this project.")})
    return project


# --- 双考核 weights -------------------------------------------------------------------------------------

DEFAULT_WEIGHTS = {
    AssessedKind.DEPARTMENT: {Metric.START_RATE: 25, Metric.FAI_PLAN: 30, Metric.REPORT_TIMELINESS: 15,
                              Metric.ISSUES_ON_TIME: 15, Metric.FUNDS_WON: 10, Metric.DEALS_SIGNED: 5},
    AssessedKind.TOWN: {Metric.START_RATE: 20, Metric.FAI_PLAN: 25, Metric.REPORT_TIMELINESS: 15,
                        Metric.ISSUES_ON_TIME: 20, Metric.FUNDS_WON: 5, Metric.DEALS_SIGNED: 15},
}


def seed_default_weights(**kwargs: Any) -> None:
    """post_migrate: the district's starting weights, for indicators that have none yet (edits are kept)."""
    for kind, weights in DEFAULT_WEIGHTS.items():
        for metric, weight in weights.items():
            AssessmentIndicator.objects.get_or_create(kind=kind, metric=metric, defaults={"weight": weight})


@transaction.atomic
def set_weights(actor: User, kind: str, weights: dict[str, Decimal], active: dict[str, bool]) -> None:
    """The assessment office's weights for one kind of subject; every change is audited."""
    rows = list(AssessmentIndicator.objects.select_for_update().filter(kind=kind))
    for row in rows:
        require(actor, "change", row)
    if sum(weights.get(r.metric, r.weight) for r in rows if active.get(r.metric, r.active)) <= 0:
        raise ValidationError(_("At least one active indicator needs a weight above zero."))
    with audit.acting_as(actor):
        for row in rows:
            weight, is_active = weights.get(row.metric, row.weight), active.get(row.metric, row.active)
            if weight < 0 or weight > 100:
                raise ValidationError(_("A weight lies between 0 and 100 points."))
            if (weight, is_active) != (row.weight, row.active):
                row.weight, row.active = weight, is_active
                row.save()

