"""民生·创城: city-management cases in the digital urban management workflow (GB/T 30428, CJ/T 315), the
categories they are filed under and the campaign actions (十项创城攻坚行动) that group them."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel
from wanghua.core.pii import mask_name, mask_phone
from wanghua.core.transitions import StateMachine, Transition
from wanghua.org.models import Region, Unit


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("Component (部件)")  # street furniture, manholes, lamps …
    EVENT = "event", _("Event (事件)")  # road occupation, illegal parking, litter …


class CaseCategory(ScopedModel):
    """大类 (no parent) or 小类 (under a 大类). A case is filed under a 小类, which sets its deadlines in
    working hours and, for Open311, the attributes a report must carry."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=CategoryKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("main category"))
    accept_hours = models.PositiveSmallIntegerField(_("hours to accept (立案)"), default=1)
    handle_hours = models.PositiveSmallIntegerField(_("working hours to handle"), default=8,
                                                    validators=[MinValueValidator(1), MaxValueValidator(2000)])
    default_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("usual handling unit"))
    attributes = models.JSONField(_("report attributes (Open311)"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    scope_region = None  # reference data

    class Meta:
        ordering = ["code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return f"{self.parent.name} · {self.name}" if self.parent else self.name

    def get_absolute_url(self) -> str:
        return reverse("civic:categories") + f"#category-{self.code}"


class CaseSource(models.TextChoices):
    GRID = "grid", _("Grid inspector")  # 网格员
    RESIDENT = "resident", _("Resident")  # 公众举报
    HOTLINE = "12345", _("12345 hotline")
    VIDEO = "video", _("Video surveillance")
    HIGHER = "higher", _("Higher level")  # 上级交办


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")  # 上报
    REJECTED = "rejected", _("Not accepted")  # 不予立案
    ACCEPTED = "accepted", _("Accepted")  # 立案
    DISPATCHED = "dispatched", _("Dispatched")  # 派遣
    HANDLED = "handled", _("Handled, awaiting verification")  # 处置 done, 核查 pending
    CLOSED = "closed", _("Closed")  # 结案
    MERGED = "merged", _("Merged into another case")  # 并案


OPEN_STATUSES = (CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.HANDLED)


class CaseStep(models.TextChoices):
    """The steps of the workflow; the values are what the journal (CaseEvent.step) and the page's URLs say."""

    ACCEPT = "accept", _("Accept (立案)")
    REJECT = "reject", _("Not accepted")  # 不予立案
    DISPATCH = "dispatch", _("Dispatch (派遣)")
    REASSIGN = "reassign", _("Reassign (改派)")
    HANDLE = "handle", _("Handled (处置)")
    CLOSE = "close", _("Verified: close (结案)")  # 核查 passed
    REWORK = "rework", _("Not put right: rework (返工)")  # 核查 failed
    MERGE = "merge", _("Merge (并案)")


# The command centre (监督指挥中心) accepts, dispatches and merges; the unit a case is dispatched to handles it;
# 核查 is done on site by the grid inspector of the area (GB/T 30428's 监督员), or by the command centre from
# its desk (a camera, a call back), which holds every civic right.
COMMAND = "civic.dispatch_case"
HANDLE = "civic.handle_case"
VERIFY = "civic.verify_case"


class CampaignAction(ScopedModel):
    """One of the 十项创城攻坚行动: a named drive that groups cases and keeps their tallies."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    categories = models.ManyToManyField(CaseCategory, blank=True, related_name="actions",
                                        verbose_name=_("categories it takes on"))

    scope_region = None

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("campaign action")
        verbose_name_plural = _("campaign actions (十项创城攻坚行动)")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("civic:actions") + f"?year={self.year}"


class Case(ScopedModel):
    """A city-management case: 上报 → 立案 (or 不予立案) → 派遣 → 处置 → 核查 → 结案, with 返工 when the
    verification fails, 改派 to another unit, and 并案 of duplicates."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("category"))
    action = models.ForeignKey(CampaignAction, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="cases", verbose_name=_("campaign action"))
    description = models.CharField(_("description"), max_length=4000)
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("community"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=[MinValueValidator(-180), MaxValueValidator(180)])
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    # A resident's name and phone (随手拍, Open311) are never shown on the case's pages; the trail masks them.
    audit_masked = {"reporter_name": mask_name, "reporter_phone": mask_phone}
    reported_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # 立案 within the category's accept_hours (working hours) of the report; past it the case is overdue too.
    accept_due_at = models.DateTimeField(_("deadline to accept (立案期限)"), null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                             verbose_name=_("handling unit"))
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    due_at = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reworks = models.PositiveSmallIntegerField(_("reworks (返工)"), default=0)
    reassignments = models.PositiveSmallIntegerField(_("reassignments (改派)"), default=0)
    supervised_at = models.DateTimeField(_("supervised (督办)"), null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged",
                                    verbose_name=_("merged into"))
    public_token = models.CharField(_("follow-up token"), max_length=32, unique=True)
    details = models.JSONField(_("details asked by the category"), default=dict, blank=True)

    scope_region = "community"
    scope_unit = "unit"
    scope_owner = "reported_by"  # a resident with a login sees the cases they reported (我的)

    class Meta:
        ordering = ["-reported_at"]
        # The list pages seek on (…, reported_at, id) in the list's order (-reported_at, -id): one index for the
        # whole list, and one per common filter (status, category); the region filter reads them in order.
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["reported_at", "id"]),
                   models.Index(fields=["community", "reported_at"]),
                   models.Index(fields=["status", "reported_at", "id"]),
                   models.Index(fields=["category", "reported_at", "id"]),
                   models.Index(fields=["category", "community", "reported_at"]),
                   models.Index(fields=["status", "accept_due_at"])]
        verbose_name = _("city-management case")
        verbose_name_plural = _("city-management cases")

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"

    def get_absolute_url(self) -> str:
        return reverse("civic:case_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        """超期: not accepted by the 立案 deadline, or not handled by the handling deadline."""
        from django.utils import timezone

        deadlines: dict[str, dt.datetime | None] = {CaseStatus.REPORTED: self.accept_due_at,
                                                 CaseStatus.DISPATCHED: self.due_at}
        deadline = deadlines.get(self.status)
        return deadline is not None and deadline < timezone.now()


def overdue_q(now) -> models.Q:
    """The cases that are overdue at `now` (the list's 超期 filter and the command centre's count)."""
    return (models.Q(status=CaseStatus.REPORTED, accept_due_at__lt=now)
            | models.Q(status=CaseStatus.DISPATCHED, due_at__lt=now))


class CaseEvent(ScopedModel):
    """The case's journal: every step, who took it, when, and what they said. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    step = models.CharField(_("step"), max_length=20)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("by"))
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("unit"))
    note = models.CharField(_("note"), max_length=1000, blank=True)

    scope_region = "case__community"
    scope_unit = "case__unit"

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")

    def __str__(self) -> str:
        return f"{self.case.number} {self.step_label}"

    @property
    def step_label(self) -> str:
        """The step as people read it: a step of the table by its label, the journal's own entries likewise."""
        if self.step in CaseStep.values:
            return str(CaseStep(self.step).label)
        return str(JOURNAL_ENTRIES.get(self.step, self.step))


# Journal entries that are not steps of the case table: the report itself and the command centre's 督办 flag.
JOURNAL_ENTRIES = {"report": _("Reported (上报)"), "supervise": _("Supervised (督办)")}

# The journal names the unit the case is with at the steps that concern it.
UNIT_STEPS = {CaseStep.DISPATCH, CaseStep.REASSIGN, CaseStep.HANDLE, CaseStep.REWORK}


def journal(case: Case, step: str, actor, note: str = "", unit: Unit | None = None) -> CaseEvent:
    """One line of the case's journal (the report, each step, a supervision)."""
    from django.utils import timezone

    return CaseEvent.objects.create(case=case, step=step, at=timezone.now(), note=note.strip()[:1000], unit=unit,
                                    actor=actor if getattr(actor, "is_authenticated", False) else None)


def _journal_step(case: Case, transition: Transition, actor, note: str) -> None:
    journal(case, transition.step, actor, note, case.unit if transition.step in UNIT_STEPS else None)


S = CaseStatus
CASE_FLOW = StateMachine("case", Case, states=CaseStatus, steps=CaseStep, journal=_journal_step, transitions=[
    Transition(CaseStep.ACCEPT, (S.REPORTED,), S.ACCEPTED, COMMAND),
    Transition(CaseStep.REJECT, (S.REPORTED,), S.REJECTED, COMMAND),
    Transition(CaseStep.MERGE, (S.REPORTED, S.ACCEPTED), S.MERGED, COMMAND),
    Transition(CaseStep.DISPATCH, (S.ACCEPTED,), S.DISPATCHED, COMMAND),
    Transition(CaseStep.REASSIGN, (S.DISPATCHED,), S.DISPATCHED, COMMAND),
    Transition(CaseStep.HANDLE, (S.DISPATCHED,), S.HANDLED, HANDLE),
    Transition(CaseStep.CLOSE, (S.HANDLED,), S.CLOSED, VERIFY),
    Transition(CaseStep.REWORK, (S.HANDLED,), S.DISPATCHED, VERIFY),
], terminal={S.REJECTED, S.CLOSED, S.MERGED})


class CommitmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Under way")  # 推进中
    DELIVERED = "delivered", _("Delivered")  # 已兑现
    LAGGING = "lagging", _("Lagging")  # 滞后


class CommitmentStep(models.TextChoices):
    DELIVER = "deliver", _("Deliver (兑现)")  # the progress reaches the target
    RESUME = "resume", _("Back on track (恢复推进)")  # a milestone done, or a correction below the target
    FALL_BEHIND = "fall_behind", _("Fall behind (滞后)")  # a milestone or the deadline passed unmet


class Commitment(ScopedModel):
    """民生清单: one of the year's livelihood commitments with a quantitative target. Its status follows from
    its progress reports, milestones and deadline, never typed in: the services take the step that leads to it
    (COMMITMENT_FLOW) when a report or a milestone changes it, the daily `review_commitments` when time does."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("commitment"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    target_unit = models.CharField(_("unit of the target"), max_length=20)  # 栋, 户, 个社区, %, ㎡, 个学位 …
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="commitments",
                             verbose_name=_("responsible unit"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="commitments",
                               verbose_name=_("where"))
    budget = models.DecimalField(_("budget (10k yuan)"), max_digits=12, decimal_places=2, default=0,
                                 validators=[MinValueValidator(0)])
    deadline = models.DateField(_("deadline"))
    description = models.CharField(_("description"), max_length=1000, blank=True)
    delivered = models.DecimalField(_("delivered so far"), max_digits=12, decimal_places=2, default=0)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.IN_PROGRESS, editable=False)

    scope_region = "region"
    scope_unit = "unit"

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("livelihood commitment")
        verbose_name_plural = _("livelihood commitments (民生清单)")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("civic:commitment_detail", args=[self.pk])


C, REPORTS = CommitmentStatus, "civic.add_progressreport"
COMMITMENT_FLOW = StateMachine("commitment", Commitment, states=CommitmentStatus, steps=CommitmentStep, transitions=[
    Transition(CommitmentStep.DELIVER, (C.IN_PROGRESS, C.LAGGING), C.DELIVERED, REPORTS),
    Transition(CommitmentStep.RESUME, (C.LAGGING, C.DELIVERED), C.IN_PROGRESS, REPORTS),
    # Time passing is the usual cause (the daily job); a correction after the deadline is the other.
    Transition(CommitmentStep.FALL_BEHIND, (C.IN_PROGRESS, C.DELIVERED), C.LAGGING, REPORTS, system=True),
])


class Milestone(ScopedModel):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones",
                                   verbose_name=_("commitment"))
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)

    scope_region = "commitment__region"
    scope_unit = "commitment__unit"

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ProgressReport(ScopedModel):
    """What the responsible unit reports: the cumulative amount delivered, with a note (and evidence photos)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="reports",
                                   verbose_name=_("commitment"))
    reported_on = models.DateField(_("date"))
    delivered = models.DecimalField(_("delivered so far"), max_digits=12, decimal_places=2,
                                    validators=[MinValueValidator(0)])
    note = models.CharField(_("progress"), max_length=1000)
    reported_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reported by"))

    scope_region = "commitment__region"
    scope_unit = "commitment__unit"

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.commitment} {self.reported_on}"


def photo_upload_path(instance: CheckedPhoto, filename: str) -> str:
    from django.utils import timezone

    return f"{instance.folder()}/{timezone.now():%Y%m%d%H%M%S%f}.{instance.image_format}"


case_photo_path = progress_photo_path = photo_upload_path  # the names earlier migrations refer to


class CheckedPhoto(ScopedModel):
    """A photo checked to be a real image by its content (`core.photos.photo_format`) before it is stored, and
    served only through the access rules. Subclasses say which folder it goes in."""

    image = models.FileField(_("photo"), upload_to=photo_upload_path)
    image_format = models.CharField(max_length=10, editable=False, verbose_name=_("image format"))
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def folder(self) -> str:
        raise NotImplementedError

    def store(self, upload) -> Self:
        self.size = upload.size
        self.image.save("photo", upload, save=False)
        self.save()
        return self


class ProgressPhoto(CheckedPhoto):
    """Evidence with a progress report (the finished building, the new pipes)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos",
                               verbose_name=_("progress report"))

    scope_region = "report__commitment__region"
    scope_unit = "report__commitment__unit"

    class Meta(CheckedPhoto.Meta):
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")

    def __str__(self) -> str:
        return f"{self.report} {self.pk}"

    def folder(self) -> str:
        return f"commitments/{self.report.commitment_id}"


class CasePhoto(CheckedPhoto):
    """A photo of the problem (with the report), of the result (with the handling), or of what the inspector
    found at 核查 (step close or rework)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("case"))
    step = models.CharField(_("step"), max_length=20, default="report")

    scope_region = "case__community"
    scope_unit = "case__unit"

    class Meta(CheckedPhoto.Meta):
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self) -> str:
        return f"{self.case.number} {self.step}"

    def folder(self) -> str:
        return f"cases/{self.case_id}"


class Activity(ScopedModel):
    """A volunteer team's activity: when and where, how many it needs; linked to a 创城 action or to a 代办
    station when it serves one."""

    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activities",
                             limit_choices_to={"kind": "volunteer_team"}, verbose_name=_("volunteer team"))
    title = models.CharField(_("activity"), max_length=200)
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="activities",
                                  verbose_name=_("community"))
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("volunteers needed"), validators=[MinValueValidator(1),
                                                                                   MaxValueValidator(5000)])
    action = models.ForeignKey(CampaignAction, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="activities", verbose_name=_("campaign action"))
    station = models.ForeignKey("services.Station", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="activities", verbose_name=_("proxy service station"))
    description = models.CharField(_("description"), max_length=1000, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    scope_region = "community"
    scope_unit = "team"

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["starts_at"])]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("civic:activity_detail", args=[self.pk])


class SignUp(ScopedModel):
    """A volunteer's place on an activity; check-in and check-out give the hours served."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups",
                                 verbose_name=_("volunteer activity"))
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="signups",
                               verbose_name=_("volunteer"))
    signed_up_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    hours = models.DecimalField(_("hours served"), max_digits=5, decimal_places=2, default=0)

    scope_region = "activity__community"
    scope_unit = "activity__team"
    scope_owner = "person__user"

    class Meta:
        ordering = ["activity", "signed_up_at"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="one_signup_per_volunteer")]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")

    def __str__(self) -> str:
        return f"{self.person} · {self.activity}"


class CaseTally(ScopedModel):
    """Case counts per reported month, community and handling unit, kept by every step so the KPI board reads
    a few thousand rows instead of scanning a million cases. Merged duplicates are not counted."""

    month = models.DateField(_("month"))  # first day, local time, of the month reported
    community = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("handling unit"))
    reported = models.PositiveIntegerField(default=0, verbose_name=_("cases reported"))
    accepted = models.PositiveIntegerField(default=0, verbose_name=_("cases accepted"))
    handled = models.PositiveIntegerField(default=0, verbose_name=_("cases handled"))
    handled_on_time = models.PositiveIntegerField(default=0, verbose_name=_("cases handled on time"))
    closed = models.PositiveIntegerField(default=0, verbose_name=_("cases closed"))
    reworked = models.PositiveIntegerField(default=0, verbose_name=_("reworked"))
    # Σ (closed − accepted) of the closed cases
    closed_seconds = models.BigIntegerField(default=0, verbose_name=_("closed seconds"))

    scope_region = "community"
    scope_unit = "unit"

    class Meta:
        indexes = [models.Index(fields=["month", "community"])]
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.community_id} {self.unit_id}"  # (it had a category_id it has not: mypy)


class CaseNumber(models.Model):
    """The running number of each day's cases. Reports lock their day's row, so two reports in the same instant
    on PostgreSQL take consecutive numbers instead of colliding. Infrastructure, not audited."""

    day = models.CharField(max_length=8, primary_key=True)  # YYYYMMDD, local
    last = models.PositiveIntegerField(default=0, verbose_name=_("last number"))

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
