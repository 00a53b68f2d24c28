"""三区 + 项目建设: projects in the district's three lists, their stages and monthly investment reports."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel
from wanghua.org.models import Person, Region, Unit, Zone

AMOUNT = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}  # 万元


class ProjectList(models.TextChoices):
    PLANNED = "planned", _("Planned starts (计划开复工)")
    HIGHER = "higher", _("Won from higher levels (向上争取)")
    ATTRACTED = "attracted", _("Investment attraction (招商引资)")


class Stage(models.TextChoices):
    PLANNING = "planning", _("Planning")  # 谋划
    SIGNED = "signed", _("Signed")  # 签约
    PREPARATION = "preparation", _("Preliminary procedures")  # 前期手续
    STARTED = "started", _("Started")  # 开工
    RESUMED = "resumed", _("Resumed")  # 复工
    CONTINUING = "continuing", _("Under construction")  # 续建
    COMPLETED = "completed", _("Completed")  # 竣工
    OPERATING = "operating", _("In operation")  # 投产


STARTED_STAGES = (Stage.STARTED, Stage.RESUMED, Stage.CONTINUING, Stage.COMPLETED, Stage.OPERATING)


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
    started_on = models.DateField(_("started"), null=True, blank=True)
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


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


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
        return self.project.get_absolute_url()


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
