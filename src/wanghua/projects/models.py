"""三区 + 项目建设: projects in the district's three lists, their stages and monthly investment reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wanghua.core.access import ScopedModel
from wanghua.core.transitions import StateMachine, Transition
from wanghua.org.models import Person, Region, Unit, Zone

AMOUNT: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}  # 万元


class ProjectList(models.TextChoices):
    PLANNED = "planned", _("Planned starts (计划开复工)")
    HIGHER = "higher", _("Won from higher levels (向上争取)")
    ATTRACTED = "attracted", _("Investment attraction (招商引资)")


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")  # 谋划
    SIGNED = "signed", _("Signed")  # 签约
    PREPARATION = "preparation", _("Preliminary procedures")  # 前期手续
    STARTED = "started", pgettext_lazy("project stage", "Started")  # 开工
    RESUMED = "resumed", _("Resumed")  # 复工
    CONTINUING = "continuing", _("Under construction")  # 续建
    COMPLETED = "completed", _("Completed")  # 竣工
    OPERATING = "operating", _("In operation")  # 投产


class Programme(models.TextChoices):
    PV = "pv", _("Photovoltaic power")  # 光伏发电
    WASTE_TO_ENERGY = "waste_energy", _("Waste-to-energy")  # 垃圾焚烧发电
    IDLE_PROPERTY = "idle_property", _("Idle property revived")  # 盘活闲置资产
    AGRICULTURE = "agriculture", _("Modern agriculture")  # 现代农业


STARTED_STAGES = (Stage.STARTED, Stage.RESUMED, Stage.CONTINUING, Stage.COMPLETED, Stage.OPERATING)
# Under construction: these report monthly (a completed or operating project no longer does).
BUILDING_STAGES = (Stage.STARTED, Stage.RESUMED, Stage.CONTINUING)


class ProjectStep(models.TextChoices):
    """A step along the stages, named for the stage it leads to."""

    SIGNED = "signed", _("Sign the agreement")  # 签约
    PREPARATION = "preparation", _("Begin preliminary procedures")  # 前期手续
    STARTED = "started", _("Start construction")  # 开工
    RESUMED = "resumed", _("Resume construction")  # 复工
    CONTINUING = "continuing", _("Continue construction")  # 续建
    COMPLETED = "completed", _("Complete construction")  # 竣工
    OPERATING = "operating", _("Go into operation")  # 投产


class Project(ScopedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    project_list = models.CharField(_("list"), max_length=10, choices=ProjectList.choices)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="projects", verbose_name=_("zone"))
    industry = models.CharField(_("industry"), max_length=60)
    sponsor = models.CharField(_("sponsor"), max_length=200)
    continuing = models.BooleanField(_("continuing project"), default=False)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.PLANNING)
    total_investment = models.DecimalField(_("total investment (10k yuan)"), **AMOUNT)
    annual_plan = models.DecimalField(_("planned this year (10k yuan)"), **AMOUNT)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    started_on = models.DateField(pgettext_lazy("project", "started"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    steward = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="stewarded_projects",
                                verbose_name=_("steward (项目管家)"))
    competent_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="projects",
                                       verbose_name=_("competent unit (主管单位)"))
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="led_projects",
                               verbose_name=_("responsible leader (包保领导)"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects",
                             verbose_name=_("town/street"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=[MinValueValidator(-180), MaxValueValidator(180)])
    # What the project adds to its zone's programme (the zone cards sum these).
    programme = models.CharField(_("zone programme"), max_length=16, choices=Programme.choices, blank=True)
    capacity_mw = models.DecimalField(_("capacity (MW)"), max_digits=9, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(0)])
    annual_output = models.DecimalField(_("annual generation (10k kWh)"), max_digits=12, decimal_places=2, null=True,
                                        blank=True, validators=[MinValueValidator(0)])
    land_mu = models.DecimalField(_("land (mu)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(0)])
    revived_area_m2 = models.DecimalField(_("idle property revived (m²)"), max_digits=10, decimal_places=2,
                                          null=True, blank=True, validators=[MinValueValidator(0)])

    scope_region = "town"
    scope_unit = "competent_unit"

    class Meta:
        ordering = ["project_list", "code"]
        indexes = [models.Index(fields=["stage", "started_on"])]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])


def _only_a_continuing_project_resumes(project: Project) -> None:
    if not project.continuing:
        raise ValidationError(_("Only a continuing project resumes (复工); a new one starts (开工)."))


# 谋划 → 签约 → 前期手续 → 开工 (a new project) or 复工 (a continuing one) → 续建 → 竣工 → 投产; a skipped stage is
# refused. The step's date (`on`, not in the future) is the service's guard.
PROJECT_FLOW = StateMachine("project", Project, field="stage", states=Stage, steps=ProjectStep, transitions=[
    Transition(ProjectStep.SIGNED, (Stage.PLANNING,), Stage.SIGNED),
    Transition(ProjectStep.PREPARATION, (Stage.SIGNED,), Stage.PREPARATION),
    Transition(ProjectStep.STARTED, (Stage.PREPARATION,), Stage.STARTED),
    Transition(ProjectStep.RESUMED, (Stage.PREPARATION,), Stage.RESUMED, guard=_only_a_continuing_project_resumes),
    Transition(ProjectStep.CONTINUING, (Stage.STARTED, Stage.RESUMED), Stage.CONTINUING),
    Transition(ProjectStep.COMPLETED, (Stage.STARTED, Stage.RESUMED, Stage.CONTINUING), Stage.COMPLETED),
    Transition(ProjectStep.OPERATING, (Stage.COMPLETED,), Stage.OPERATING),
], terminal={Stage.OPERATING})


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ReportStep(models.TextChoices):
    APPROVE = "approve", _("Approve")  # 审核通过
    RETURN = "return", _("Return")  # 退回
    CORRECT = "correct", _("Correct")  # 更正 (and submit again)


REPORT_DUE_DAY = 5  # a month's report is due by the 5th of the next month


def month_start(day: date) -> date:
    return day.replace(day=1)


def report_due(month: date) -> date:
    """The day a month's report is due: the 5th of the following month."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following.replace(day=REPORT_DUE_DAY)


class MonthlyReport(ScopedModel):
    """月报: what the steward reports for one month; the unit approves or returns it. Corrections of a
    returned report change the record, and the audit trail keeps every earlier version."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reports", verbose_name=_("project"))
    month = models.DateField(_("month"))  # the first day of the month
    fai = models.DecimalField(_("fixed-asset investment completed (10k yuan)"), **AMOUNT)
    progress = models.CharField(_("progress"), max_length=1000)
    next_steps = models.CharField(_("next steps"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"))
    late = models.BooleanField(_("late"), default=False)
    reviewed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=500, blank=True)

    scope_region = "project__town"
    scope_unit = "project__competent_unit"

    class Meta:
        ordering = ["-month", "project"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="one_report_per_month")]
        indexes = [models.Index(fields=["month", "status"])]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url() + f"#report-{self.pk}"


# The steward submits (a new record); the unit approves or returns it with a reason; a returned report (or one
# not yet reviewed) is corrected and so submitted again. An approved report is final.
REPORT_FLOW = StateMachine("report", MonthlyReport, states=ReportStatus, steps=ReportStep, transitions=[
    Transition(ReportStep.APPROVE, (ReportStatus.SUBMITTED,), ReportStatus.APPROVED, "projects.review_monthlyreport"),
    Transition(ReportStep.RETURN, (ReportStatus.SUBMITTED,), ReportStatus.RETURNED, "projects.review_monthlyreport"),
    Transition(ReportStep.CORRECT, (ReportStatus.RETURNED, ReportStatus.SUBMITTED), ReportStatus.SUBMITTED),
], terminal={ReportStatus.APPROVED})


class IssueCategory(models.TextChoices):
    LAND = "land", _("Land")  # 用地
    PERMITS = "permits", _("Permits")  # 审批手续
    FUNDS = "funds", _("Funds")  # 资金
    UTILITIES = "utilities", _("Utilities")  # 水电气热
    OTHER = "other", _("Other")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by the enterprise")


class IssueStep(models.TextChoices):
    RESOLVE = "resolve", _("Resolve the issue")  # 办结
    CONFIRM = "confirm", _("Confirm the resolution")  # 企业确认
    REOPEN = "reopen", _("Reopen")  # 企业不满意，重新打开


class ProjectIssue(ScopedModel):
    """问题清单: what blocks a project, who owns it and by when; escalated to the project's 包保领导 once
    overdue; closed only when the enterprise confirms the resolution."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="issues", verbose_name=_("project"))
    category = models.CharField(_("category"), max_length=10, choices=IssueCategory.choices)
    description = models.CharField(_("description"), max_length=1000)
    owner_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_issues",
                                   verbose_name=_("owner unit"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_at = models.DateTimeField(_("raised"))
    escalated_at = models.DateTimeField(_("escalated to the leader"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=1000, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    confirmation = models.CharField(_("enterprise's confirmation"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    scope_region = "project__town"
    scope_unit = "project__competent_unit"

    class Meta:
        ordering = ["status", "deadline"]
        indexes = [models.Index(fields=["status", "deadline"])]
        verbose_name = _("project issue")
        verbose_name_plural = _("issue list")

    def __str__(self) -> str:
        return f"{self.project} · {self.description[:30]}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url() + f"#issue-{self.pk}"


# Open → resolved by the owner unit → confirmed by the enterprise (closed), or reopened when it is not satisfied.
# Escalating an overdue issue to the 包保领导 stamps `escalated_at` and leaves the status as it is.
ISSUE_FLOW = StateMachine("issue", ProjectIssue, states=IssueStatus, steps=IssueStep, transitions=[
    Transition(IssueStep.RESOLVE, (IssueStatus.OPEN,), IssueStatus.RESOLVED, "projects.change_projectissue"),
    Transition(IssueStep.CONFIRM, (IssueStatus.RESOLVED,), IssueStatus.CONFIRMED, "projects.change_projectissue"),
    Transition(IssueStep.REOPEN, (IssueStatus.RESOLVED,), IssueStatus.OPEN, "projects.change_projectissue"),
], terminal={IssueStatus.CONFIRMED})


class ServiceKind(models.TextChoices):
    VISIT = "visit", _("Site visit")  # 走访
    PROCEDURE = "procedure", _("Procedures handled on the enterprise's behalf")  # 代办手续
    COORDINATION = "coordination", _("Coordination meeting")  # 协调会
    POLICY = "policy", _("Policy briefing")  # 政策宣讲
    OTHER = "other", _("Other")


class ServiceRecord(ScopedModel):
    """服务事项: what the steward or a unit did for the project, kept as the project's service diary."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="services", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices)
    served_on = models.DateField(_("date"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="project_services",
                             verbose_name=_("serving unit"))
    description = models.CharField(_("description"), max_length=1000)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    scope_region = "project__town"
    scope_unit = "project__competent_unit"

    class Meta:
        ordering = ["-served_on", "-pk"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()} {self.served_on}"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url() + "#services"


class ApplicationKind(models.TextChoices):
    FUNDS = "funds", _("Central or provincial funds")  # 中省资金
    BONDS = "bonds", _("Special-purpose bonds")  # 专项债
    POLICY = "policy", _("Policy support")  # 政策支持


class ApplicationStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    SUBMITTED = "submitted", _("Submitted")
    WON = "won", _("Won")
    REJECTED = "rejected", _("Not granted")


class ApplicationStep(models.TextChoices):
    SUBMIT = "submit", _("Submit to the higher level")  # 向上级报送
    GRANT = "grant", _("Record as granted")  # 获批
    REFUSE = "refuse", _("Record as not granted")  # 未获批


class Application(ScopedModel):
    """向上争取: an application to the city, province or state for funds, bonds or policy support."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices)
    level = models.CharField(_("to"), max_length=60)  # 省发改委, 财政部 …
    project = models.ForeignKey(Project, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="applications", verbose_name=_("project"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("applying unit"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("town/street"))
    requested = models.DecimalField(_("requested (10k yuan)"), **AMOUNT)
    won = models.DecimalField(_("won (10k yuan)"), default=0, **AMOUNT)
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PREPARING)
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_region = "town"
    scope_unit = "unit"

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "decided_on"])]
        verbose_name = _("application to higher levels")
        verbose_name_plural = _("applications to higher levels (向上争取)")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:application_detail", args=[self.pk])


# In preparation → submitted → the higher level's answer: an amount won, or not granted.
APPLICATION_FLOW = StateMachine("application", Application, states=ApplicationStatus, steps=ApplicationStep,
                                transitions=[
    Transition(ApplicationStep.SUBMIT, (ApplicationStatus.PREPARING,), ApplicationStatus.SUBMITTED),
    Transition(ApplicationStep.GRANT, (ApplicationStatus.SUBMITTED,), ApplicationStatus.WON),
    Transition(ApplicationStep.REFUSE, (ApplicationStatus.SUBMITTED,), ApplicationStatus.REJECTED),
], terminal={ApplicationStatus.WON, ApplicationStatus.REJECTED})


class LeadStage(models.TextChoices):
    LEAD = "lead", _("Lead")  # 线索
    NEGOTIATION = "negotiation", _("Negotiation")  # 洽谈
    SIGNED = "signed", _("Signed")  # 签约
    LANDED = "landed", _("Landed")  # 落地
    DROPPED = "dropped", _("Dropped")


class LeadStep(models.TextChoices):
    """A step of the pipeline, named for the stage it leads to."""

    NEGOTIATION = "negotiation", _("Start negotiating")  # 洽谈
    SIGNED = "signed", _("Sign the investment agreement")  # 签约
    LANDED = "landed", _("Land as a project")  # 落地: becomes a project of the attraction list
    DROPPED = "dropped", _("Drop the lead")  # 放弃


class Lead(ScopedModel):
    """招商引资: an investment lead followed from first contact to a signed contract and a landed project."""

    name = models.CharField(_("name"), max_length=200)
    investor = models.CharField(_("investor"), max_length=200)
    industry = models.CharField(_("industry"), max_length=60)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="leads", verbose_name=_("zone"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="leads", verbose_name=_("attracting unit"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="leads", verbose_name=_("town/street"))
    amount = models.DecimalField(_("planned investment (10k yuan)"), **AMOUNT)
    stage = models.CharField(_("stage"), max_length=12, choices=LeadStage.choices, default=LeadStage.LEAD)
    contacted_on = models.DateField(_("first contact"))
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    landed_on = models.DateField(_("landed"), null=True, blank=True)
    project = models.OneToOneField(Project, on_delete=models.PROTECT, null=True, blank=True, related_name="lead",
                                   verbose_name=_("landed as project"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_region = "town"
    scope_unit = "unit"

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["stage", "signed_on"])]
        verbose_name = _("investment lead")
        verbose_name_plural = _("investment attraction (招商引资)")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:lead_detail", args=[self.pk])


# 线索 → 洽谈 → 签约 → 落地 (naming the project of the attraction list it became), or dropped on the way.
LEAD_FLOW = StateMachine("lead", Lead, field="stage", states=LeadStage, steps=LeadStep, transitions=[
    Transition(LeadStep.NEGOTIATION, (LeadStage.LEAD,), LeadStage.NEGOTIATION),
    Transition(LeadStep.SIGNED, (LeadStage.NEGOTIATION,), LeadStage.SIGNED),
    Transition(LeadStep.LANDED, (LeadStage.SIGNED,), LeadStage.LANDED),
    Transition(LeadStep.DROPPED, (LeadStage.LEAD, LeadStage.NEGOTIATION, LeadStage.SIGNED), LeadStage.DROPPED),
], terminal={LeadStage.LANDED, LeadStage.DROPPED})


class CooperativeCrop(ScopedModel):
    """A crop a co-operative grows (塔峪: 25 co-operatives, 20+ crops)."""

    cooperative = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="crops",
                                    limit_choices_to={"kind": "cooperative"}, verbose_name=_("co-operative"))
    crop = models.CharField(_("crop"), max_length=40)
    area_mu = models.DecimalField(_("area (mu)"), max_digits=9, decimal_places=1, validators=[MinValueValidator(0)])

    scope_region = "cooperative__region"
    scope_unit = "cooperative"

    class Meta:
        ordering = ["cooperative", "crop"]
        constraints = [models.UniqueConstraint(fields=["cooperative", "crop"], name="one_row_per_crop")]
        verbose_name = _("co-operative crop")
        verbose_name_plural = _("co-operative crops")

    def __str__(self) -> str:
        return f"{self.cooperative} · {self.crop}"


class AssessedKind(models.TextChoices):
    DEPARTMENT = "department", _("Departments (区直部门)")
    TOWN = "town", _("Towns and streets (镇街)")


class Metric(models.TextChoices):
    START_RATE = "start_rate", _("Planned projects started")  # 开工率
    FAI_PLAN = "fai_plan", _("Fixed-asset investment against plan")
    REPORT_TIMELINESS = "report_timeliness", _("Monthly reports on time")
    ISSUES_ON_TIME = "issues_on_time", _("Issues resolved by their deadline")
    FUNDS_WON = "funds_won", _("Funds won from higher levels")
    DEALS_SIGNED = "deals_signed", _("Investment signed")


class AssessmentIndicator(ScopedModel):
    """双考核: one scored indicator and its weight for departments or for towns/streets. Weights are
    configurable; the ranking page shows how every score was computed."""

    kind = models.CharField(_("assessed"), max_length=10, choices=AssessedKind.choices)
    metric = models.CharField(_("indicator"), max_length=20, choices=Metric.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=1,
                                 validators=[MinValueValidator(0)])
    active = models.BooleanField(_("active"), default=True)

    scope_region = None  # district-wide rules: whoever may view the assessment sees them all

    class Meta:
        ordering = ["kind", "-weight", "metric"]
        constraints = [models.UniqueConstraint(fields=["kind", "metric"], name="one_weight_per_metric")]
        verbose_name = _("assessment indicator")
        verbose_name_plural = _("assessment indicators")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_metric_display()} ({self.weight})"
