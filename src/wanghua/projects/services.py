"""Project rules: explicit stage transitions, monthly reports (submit → approve or return → correct), and
the headline figures, all computed from the records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, require
from wanghua.org.models import Unit, UnitKind

from .models import (
    STARTED_STAGES,
    Application,
    ApplicationStatus,
    CooperativeCrop,
    IssueStatus,
    Lead,
    LeadStage,
    MonthlyReport,
    Programme,
    Project,
    ProjectIssue,
    ProjectList,
    ReportStatus,
    ServiceRecord,
    Stage,
)

# Under construction: these report monthly (a completed or operating project no longer does).
BUILDING_STAGES = (Stage.STARTED, Stage.RESUMED, Stage.CONTINUING)
# Each stage and the stages that may follow it; a skipped stage is refused.
NEXT = {
    Stage.PLANNING: (Stage.SIGNED,),
    Stage.SIGNED: (Stage.PREPARATION,),
    Stage.PREPARATION: (Stage.STARTED, Stage.RESUMED),
    Stage.STARTED: (Stage.CONTINUING, Stage.COMPLETED),
    Stage.RESUMED: (Stage.CONTINUING, Stage.COMPLETED),
    Stage.CONTINUING: (Stage.COMPLETED,),
    Stage.COMPLETED: (Stage.OPERATING,),
    Stage.OPERATING: (),
}
LARGEST_PROJECT = Decimal("10000000")  # 万元: 1,000 亿元; anything larger is a typing error
REPORT_DUE_DAY = 5  # a month's report is due by the 5th of the next month


def month_start(day: date) -> date:
    return day.replace(day=1)


def _check_amounts(project: Project) -> None:
    if project.total_investment > LARGEST_PROJECT:
        raise ValidationError({"total_investment": _("%(amount)s 万元 is beyond any project in the district: check "
                                                     "the unit (万元).") % {"amount": project.total_investment}})
    if project.annual_plan > project.total_investment:
        raise ValidationError({"annual_plan": _("This year's plan cannot exceed the total investment.")})
    if project.planned_start and project.planned_completion and project.planned_completion < project.planned_start:
        raise ValidationError({"planned_completion": _("Completion cannot come before the start.")})


@transaction.atomic
def create_project(actor, **fields: Any) -> Project:
    project = Project(**fields)
    require(actor, "add", project)
    _check_amounts(project)
    project.full_clean()
    with audit.acting_as(actor):
        project.save()
    return project


@transaction.atomic
def advance_stage(actor, project_id: int, to: str, on: date | None = None) -> Project:
    """One step along 谋划 → 签约 → 前期手续 → 开工/复工 → 续建 → 竣工 → 投产."""
    project = fetch_for_change(Project, actor, "change", project_id)
    if to not in NEXT.get(project.stage, ()):
        allowed = "、".join(str(Stage(s).label) for s in NEXT.get(project.stage, ())) or "—"
        raise ValidationError(_("From “%(now)s” the project can only move to: %(allowed)s.")
                              % {"now": project.get_stage_display(), "allowed": allowed})
    if to == Stage.RESUMED and not project.continuing:
        raise ValidationError(_("Only a continuing project resumes (复工); a new one starts (开工)."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    project.stage = to
    if to in (Stage.STARTED, Stage.RESUMED):
        project.started_on = on
    if to == Stage.COMPLETED:
        project.completed_on = on
    with audit.acting_as(actor), audit.labelled(f"transition:{to}"):
        project.save()
    return project


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


def _due(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following.replace(day=REPORT_DUE_DAY)


@transaction.atomic
def submit_report(actor, project_id: int, *, month: date, fai: Decimal, progress: str,
                  next_steps: str = "") -> MonthlyReport:
    project = fetch_for_change(Project, actor, "projects.add_monthlyreport", project_id)
    month = month_start(month)
    if MonthlyReport.objects.filter(project=project, month=month).exists():
        raise ValidationError({"month": _("This month is already reported; correct that report instead.")})
    now = timezone.now()
    report = MonthlyReport(project=project, month=month, fai=fai, progress=progress.strip(),
                           next_steps=next_steps.strip(), submitted_at=now,
                           late=timezone.localdate() > _due(month))
    _check_report(report)
    report.full_clean()
    with audit.acting_as(actor):
        report.save()
    return report


@transaction.atomic
def correct_report(actor, report_id: int, **fields: Any) -> MonthlyReport:
    """A returned (or not yet reviewed) report corrected by the steward; the audit trail keeps the old values."""
    report = fetch_for_change(MonthlyReport, actor, "change", report_id)
    if report.status == ReportStatus.APPROVED:
        raise ValidationError(_("An approved report cannot be changed."))
    for name in ("fai", "progress", "next_steps"):
        if name in fields:
            setattr(report, name, fields[name])
    report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    _check_report(report)
    report.full_clean()
    with audit.acting_as(actor), audit.labelled("report:correct"):
        report.save()
    return report


@transaction.atomic
def review_report(actor, report_id: int, *, approve: bool, comment: str = "") -> MonthlyReport:
    report = fetch_for_change(MonthlyReport, actor, "projects.review_monthlyreport", report_id)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why the report is returned.")})
    report.status = ReportStatus.APPROVED if approve else ReportStatus.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_comment = actor, timezone.now(), comment.strip()
    with audit.acting_as(actor), audit.labelled("report:approve" if approve else "report:return"):
        report.save()
    return report


# --- headline figures ---------------------------------------------------------------------------------

@dataclass
class Headline:
    year: int
    through_month: int
    started: int
    started_investment: Decimal  # 万元
    fai: Decimal  # 万元, approved reports of the year through `through_month`
    fai_last_year: Decimal
    by_list: list[dict]

    @property
    def growth_percent(self) -> Decimal | None:
        if not self.fai_last_year:
            return None
        return (Decimal(100) * (self.fai - self.fai_last_year) / self.fai_last_year).quantize(Decimal("0.1"))


CENT = Decimal("0.01")


def _cents(value) -> Decimal:
    """Sums come back from SQLite with float-like scale: amounts are kept to the fen."""
    return Decimal(value or 0).quantize(CENT)


def _fai(reports, year: int, through: int) -> Decimal:
    return _cents(reports.filter(status=ReportStatus.APPROVED, month__gte=date(year, 1, 1),
                                 month__lte=date(year, through, 1)).aggregate(total=Sum("fai"))["total"])


def headline(projects, year: int, through_month: int) -> Headline:
    """Projects started in the year through the month, their total investment, fixed-asset investment
    completed through the month, and its growth on the same months of the year before."""
    through = month_start(date(year, through_month, 28) + timedelta(days=4)) - timedelta(days=1)
    started = projects.filter(stage__in=STARTED_STAGES, started_on__year=year, started_on__lte=through)
    reports = MonthlyReport.objects.filter(project__in=projects)
    rows = (started.values("project_list").annotate(n=Count("pk"), investment=Sum("total_investment"))
            .order_by("project_list"))
    return Headline(
        year=year, through_month=through_month, started=started.count(),
        started_investment=_cents(started.aggregate(total=Sum("total_investment"))["total"]),
        fai=_fai(reports, year, through_month), fai_last_year=_fai(reports, year - 1, through_month),
        by_list=[{"list": r["project_list"], "projects": r["n"], "investment": _cents(r["investment"])} for r in rows])


@dataclass
class ReportReminder:
    project: Project
    month: date  # the month to report
    due: date
    overdue: bool


def report_reminders(projects, today: date | None = None) -> list[ReportReminder]:
    """月报提醒: projects under construction whose report for last month is missing — due by the 5th, then
    overdue (late reports are still accepted, and flagged)."""
    today = today or timezone.localdate()
    last_month = month_start(month_start(today) - timedelta(days=1))
    due = _due(last_month)
    missing = (projects.filter(stage__in=BUILDING_STAGES).exclude(reports__month=last_month)
               .filter(Q(started_on__isnull=True) | Q(started_on__lt=month_start(today)))
               .select_related("steward").order_by("steward__name", "code"))
    return [ReportReminder(project, last_month, due, today > due) for project in missing]


# --- 问题清单 -------------------------------------------------------------------------------------------

@transaction.atomic
def raise_issue(actor, project_id: int, *, category: str, description: str, owner_unit, deadline: date) -> ProjectIssue:
    project = fetch_for_change(Project, actor, "projects.add_projectissue", project_id)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    issue = ProjectIssue(project=project, category=category, description=description.strip(), owner_unit=owner_unit,
                         deadline=deadline, raised_at=timezone.now())
    issue.full_clean()
    with audit.acting_as(actor):
        issue.save()
    return issue


@transaction.atomic
def resolve_issue(actor, issue_id: int, *, resolution: str) -> ProjectIssue:
    issue = fetch_for_change(ProjectIssue, actor, "projects.change_projectissue", issue_id)
    if issue.status != IssueStatus.OPEN:
        raise ValidationError(_("Only an open issue can be resolved."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the issue was resolved.")})
    issue.status, issue.resolution, issue.resolved_at = IssueStatus.RESOLVED, resolution.strip(), timezone.now()
    with audit.acting_as(actor), audit.labelled("issue:resolve"):
        issue.save()
    return issue


@transaction.atomic
def confirm_issue(actor, issue_id: int, *, satisfied: bool, note: str = "") -> ProjectIssue:
    """The enterprise's answer (recorded by the steward): confirmed closes it, not satisfied reopens it."""
    issue = fetch_for_change(ProjectIssue, actor, "projects.change_projectissue", issue_id)
    if issue.status != IssueStatus.RESOLVED:
        raise ValidationError(_("Only a resolved issue can be confirmed or reopened."))
    if not satisfied and not note.strip():
        raise ValidationError({"note": _("Say what the enterprise still needs.")})
    issue.confirmation = note.strip()
    if satisfied:
        issue.status, issue.confirmed_at = IssueStatus.CONFIRMED, timezone.now()
    else:
        issue.status, issue.resolved_at = IssueStatus.OPEN, None
    with audit.acting_as(actor), audit.labelled("issue:confirm" if satisfied else "issue:reopen"):
        issue.save()
    return issue


def escalate_overdue(today: date | None = None) -> int:
    """Open issues past their deadline go to the project's 包保领导 (once); returns how many were escalated."""
    today = today or timezone.localdate()
    overdue = ProjectIssue.objects.filter(status=IssueStatus.OPEN, deadline__lt=today, escalated_at__isnull=True)
    with audit.labelled("issue:escalate"):
        return overdue.update(escalated_at=timezone.now())


# --- 服务事项 -------------------------------------------------------------------------------------------

@transaction.atomic
def record_service(actor, project_id: int, *, kind: str, served_on: date, unit, description: str) -> ServiceRecord:
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
    if application.project_id and application.project.town_id != application.town_id:
        raise ValidationError({"town": _("The application's town/street must be the project's.")})


@transaction.atomic
def create_application(actor, **fields: Any) -> Application:
    application = Application(**fields)
    require(actor, "add", application)
    application.status, application.won, application.decided_on = ApplicationStatus.PREPARING, Decimal(0), None
    _check_application(application)
    application.full_clean()
    with audit.acting_as(actor):
        application.save()
    return application


@transaction.atomic
def submit_application(actor, application_id: int, on: date | None = None) -> Application:
    application = fetch_for_change(Application, actor, "change", application_id)
    if application.status != ApplicationStatus.PREPARING:
        raise ValidationError(_("Only an application in preparation can be submitted."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    application.status, application.submitted_on = ApplicationStatus.SUBMITTED, on
    with audit.acting_as(actor), audit.labelled("application:submit"):
        application.save()
    return application


@transaction.atomic
def decide_application(actor, application_id: int, *, won: Decimal, on: date | None = None,
                       note: str = "") -> Application:
    """The higher level's answer: an amount won (0 = not granted), never more than was requested."""
    application = fetch_for_change(Application, actor, "change", application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be decided."))
    on = on or timezone.localdate()
    if on > timezone.localdate() or (application.submitted_on and on < application.submitted_on):
        raise ValidationError({"on": _("The decision date lies between the submission and today.")})
    if won < 0 or won > application.requested:
        raise ValidationError({"won": _("The amount won lies between 0 and the %(requested)s 万元 requested.")
                               % {"requested": application.requested}})
    application.won, application.decided_on = won, on
    application.status = ApplicationStatus.WON if won > 0 else ApplicationStatus.REJECTED
    application.note = note.strip() or application.note
    with audit.acting_as(actor), audit.labelled(f"application:{application.status}"):
        application.save()
    return application


def funds_won(applications, year: int) -> dict:
    """向上争取 in a year: applications decided, and the amount won."""
    decided = applications.filter(decided_on__year=year)
    totals = decided.aggregate(n=Count("pk"), won=Sum("won"), granted=Count("pk", filter=Q(
        status=ApplicationStatus.WON)))
    return {"decided": totals["n"], "granted": totals["granted"], "won": _cents(totals["won"]),
            "pending": applications.filter(status=ApplicationStatus.SUBMITTED).count()}


# --- 招商引资 -------------------------------------------------------------------------------------------

LEAD_NEXT = {
    LeadStage.LEAD: (LeadStage.NEGOTIATION, LeadStage.DROPPED),
    LeadStage.NEGOTIATION: (LeadStage.SIGNED, LeadStage.DROPPED),
    LeadStage.SIGNED: (LeadStage.LANDED, LeadStage.DROPPED),
    LeadStage.LANDED: (),
    LeadStage.DROPPED: (),
}


@transaction.atomic
def create_lead(actor, **fields: Any) -> Lead:
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


@transaction.atomic
def advance_lead(actor, lead_id: int, to: str, *, on: date | None = None, project_id: int | None = None) -> Lead:
    """线索 → 洽谈 → 签约 → 落地 (or dropped); landing names the project it became (in the attraction list)."""
    lead = fetch_for_change(Lead, actor, "change", lead_id)
    if to not in LEAD_NEXT.get(lead.stage, ()):
        allowed = "、".join(str(LeadStage(s).label) for s in LEAD_NEXT.get(lead.stage, ())) or "—"
        raise ValidationError(_("From “%(now)s” the lead can only move to: %(allowed)s.")
                              % {"now": lead.get_stage_display(), "allowed": allowed})
    on = on or timezone.localdate()
    if on > timezone.localdate() or on < lead.contacted_on:
        raise ValidationError({"on": _("The date lies between the first contact and today.")})
    if to == LeadStage.SIGNED:
        lead.signed_on = on
    if to == LeadStage.LANDED:
        project = Project.objects.visible_to(actor, "view").filter(pk=project_id).first() if project_id else None
        if project is None:
            raise ValidationError({"project": _("Name the project the lead became.")})
        if project.project_list != ProjectList.ATTRACTED:
            raise ValidationError({"project": _("A landed lead becomes a project in the investment-attraction "
                                                "list.")})
        if Lead.objects.filter(project=project).exclude(pk=lead.pk).exists():
            raise ValidationError({"project": _("Another lead already landed as this project.")})
        lead.project, lead.landed_on = project, on
    lead.stage = to
    with audit.acting_as(actor), audit.labelled(f"lead:{to}"):
        lead.save()
    return lead


def pipeline(leads) -> list[dict]:
    """招商 funnel: leads and planned investment at each stage."""
    rows = {r["stage"]: r for r in leads.values("stage").annotate(n=Count("pk"), amount=Sum("amount")).order_by()}
    return [{"stage": stage, "label": label, "leads": rows.get(stage, {}).get("n", 0),
             "amount": _cents(rows.get(stage, {}).get("amount"))} for stage, label in LeadStage.choices]


# --- zone programmes ------------------------------------------------------------------------------------

# Standard coal saved per 万kWh of solar power, as the article's figures imply (8.8万 t for 2.8亿 kWh a year).
COAL_TONNES_PER_10K_KWH = Decimal("3.143")


@dataclass
class ZoneProgramme:
    pv_plants: int
    pv_capacity_mw: Decimal
    pv_generation: Decimal  # 万kWh a year
    coal_saved_t: Decimal
    waste_energy_investment: Decimal  # 万元
    idle_property_m2: Decimal
    cooperatives: int
    crops: int


def zone_programme(projects, zone, region=None) -> ZoneProgramme:
    """What a zone's programme projects and co-operatives (within `region`, when given) add up to."""
    mine = projects.filter(zone=zone)
    pv = mine.filter(programme=Programme.PV).aggregate(n=Count("pk"), mw=Sum("capacity_mw"), out=Sum("annual_output"))
    generation = pv["out"] or Decimal(0)
    coops = Unit.objects.filter(kind=UnitKind.COOPERATIVE, zone=zone, active=True)
    if region is not None:
        coops = coops.filter(region__path__startswith=region.path)
    return ZoneProgramme(
        pv_plants=pv["n"], pv_capacity_mw=pv["mw"] or Decimal(0), pv_generation=generation,
        coal_saved_t=(generation * COAL_TONNES_PER_10K_KWH).quantize(Decimal(1)),
        waste_energy_investment=mine.filter(programme=Programme.WASTE_TO_ENERGY)
        .aggregate(total=Sum("total_investment"))["total"] or Decimal(0),
        idle_property_m2=mine.filter(programme=Programme.IDLE_PROPERTY)
        .aggregate(total=Sum("revived_area_m2"))["total"] or Decimal(0),
        cooperatives=coops.count(),
        crops=CooperativeCrop.objects.filter(cooperative__in=coops).values("crop").distinct().count())


def breakdown(projects, year: int, through_month: int, by: str) -> list[dict]:
    """Started projects, their investment and the year's FAI, by zone or by competent unit."""
    field = {"zone": "zone__name", "unit": "competent_unit__name"}[by]
    started = projects.filter(stage__in=STARTED_STAGES, started_on__year=year)
    counts = {r[field]: r for r in started.values(field).annotate(n=Count("pk"), investment=Sum("total_investment"))
              .order_by()}
    approved = MonthlyReport.objects.filter(project__in=projects, status=ReportStatus.APPROVED,
                                            month__gte=date(year, 1, 1), month__lte=date(year, through_month, 1))
    fai = dict(approved.values(f"project__{field}").annotate(fai=Sum("fai"))
               .values_list(f"project__{field}", "fai").order_by())
    names = sorted(set(counts) | set(fai), key=lambda n: -(fai.get(n) or 0))
    return [{"name": name, "projects": counts.get(name, {}).get("n", 0),
             "investment": _cents(counts.get(name, {}).get("investment")), "fai": _cents(fai.get(name))}
            for name in names]
