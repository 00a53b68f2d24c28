"""一核: 党员家庭代办站 — stations, residents, errands and each errand's cash ledger."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Sum, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wanghua.core.access import ScopedModel, VisibilityMixin
from wanghua.core.pii import MaskedPersonalData, mask_id_number, mask_phone
from wanghua.core.transitions import StateMachine, Transition
from wanghua.org.models import Person, Region, Unit


class Station(ScopedModel):
    """A party-member household that runs errands for its neighbours. Its unit is what agents are
    granted, so an agent sees their own station only."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="station", verbose_name=_("unit"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="stations",
                                  verbose_name=_("village/community"))
    host_household = models.CharField(_("host household"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    service_hours = models.CharField(_("service hours"), max_length=100, blank=True, default="08:00-17:00")
    agents = models.ManyToManyField(Person, blank=True, related_name="stations", verbose_name=_("agents"))
    active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)

    scope_region = "community"
    scope_unit = "unit"

    class Meta:
        ordering = ["community__code", "unit__code"]
        verbose_name = _("proxy service station")
        verbose_name_plural = _("proxy service stations")

    def __str__(self) -> str:
        return self.unit.name

    def get_absolute_url(self) -> str:
        return reverse("services:station_detail", args=[self.pk])


class Resident(MaskedPersonalData, ScopedModel):
    """A resident the stations serve. ID number and phone are personal data: masked, logged in full."""

    class Consent(models.TextChoices):
        SIGNED = "signed", _("Signed form")
        VERBAL = "verbal", _("Verbal, witnessed")
        GUARDIAN = "guardian", _("By guardian")

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="residents",
                                  verbose_name=_("village/community"))
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="residents",
                                verbose_name=_("station"))
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    empty_nest = models.BooleanField(_("empty-nest"), default=False)
    living_alone = models.BooleanField(_("living alone"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    emergency_contact = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_phone = models.CharField(_("emergency phone"), max_length=20, blank=True)
    consent_on = models.DateField(_("consent date"), null=True, blank=True)
    consent_how = models.CharField(_("consent given"), max_length=10, choices=Consent.choices, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    # The resident's own login, when they have one: it sees their own errands on 我的 (data scope "self").
    user = models.OneToOneField("core.User", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="resident", verbose_name=_("login account"))
    first_served_on = models.DateField(_("first served"), null=True, blank=True, editable=False, db_index=True)

    scope_region = "community"
    scope_unit = "station__unit"
    scope_owner = "user"
    audit_masked = {"id_number": mask_id_number, "phone": mask_phone, "emergency_phone": mask_phone}

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:resident_detail", args=[self.pk])

    @property
    def age(self) -> int | None:
        return timezone.localdate().year - self.birth_year if self.birth_year else None

    @property
    def is_senior(self) -> bool:
        return (self.age or 0) >= 65


class ErrandStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")  # 受理
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    DONE = "done", _("Done")  # 办结
    VISITED = "visited", _("Followed up")  # 回访
    CANCELLED = "cancelled", _("Cancelled")  # 取消
    RETURNED = "returned", _("Returned")  # 退回


OPEN_STATUSES = (ErrandStatus.ACCEPTED, ErrandStatus.IN_PROGRESS)


class ErrandStep(models.TextChoices):
    """The steps of an errand after it is accepted (accepting creates it; it is not a step)."""

    START = "start", _("Start")  # 开始办理
    COMPLETE = "complete", _("Done")  # 办结
    VISIT = "visit", _("Follow-up visit")  # 回访: the resident's satisfaction
    CANCEL = "cancel", _("Cancel errand")  # 取消
    RETURN = "return", _("Return")  # 退回


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    DOOR = "door", _("Door visit")
    WALK_IN = "walk_in", _("Walk-in")
    ONLINE = "online", _("Online")


class Errand(ScopedModel):
    """One errand run for a resident: 受理 → 办理中 → 办结 → 回访 (or 取消 / 退回)."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="errands", verbose_name=_("station"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", editable=False,
                                  verbose_name=_("village/community"))  # the station's, kept for fast scoping
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="errands",
                                 verbose_name=_("resident"))
    agent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="errands", verbose_name=_("agent"))
    category = models.CharField(_("category"), max_length=60)  # an item of the errand_category dictionary
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    description = models.CharField(_("description"), max_length=500)
    handles_money = models.BooleanField(_("handles money"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=ErrandStatus.choices,
                              default=ErrandStatus.ACCEPTED, db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"))
    started_at = models.DateTimeField(pgettext_lazy("errand", "started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    visited_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    visit_comment = models.CharField(_("follow-up comment"), max_length=500, blank=True)
    closing_reason = models.CharField(_("reason"), max_length=300, blank=True)  # for 取消 / 退回

    dictionary_fields = {"category": "errand_category"}  # stored values read through 字典管理
    scope_region = "community"
    scope_unit = "station__unit"
    scope_owner = "resident__user"  # a resident sees their own errands

    class Meta:
        ordering = ["-accepted_at", "-id"]
        indexes = [models.Index(fields=["agent", "accepted_at"]), models.Index(fields=["station", "accepted_at"]),
                   models.Index(fields=["community", "accepted_at"]),  # scoped lists and statistics by period
                   # the list seeks in its order (-accepted_at, -id), whole or by status or category
                   models.Index(fields=["status", "accepted_at", "id"]),
                   models.Index(fields=["category", "accepted_at", "id"]),
                   # 超期 (the homes' count and the overdue filter): open errands past their due time
                   models.Index(fields=["status", "due_at"])]
        constraints = [models.CheckConstraint(
            condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
            name="errand_satisfaction_1_to_5")]
        verbose_name = _("errand")
        verbose_name_plural = _("errands")

    def __str__(self) -> str:
        return f"{self.resident.name} · {self.description[:20]}"

    def get_absolute_url(self) -> str:
        return reverse("services:errand_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        end = self.done_at or timezone.now()
        return self.status not in (ErrandStatus.CANCELLED, ErrandStatus.RETURNED) and end > self.due_at

    def balance(self) -> Decimal:
        """Money still held for the resident: received − paid out − returned (0.00 when balanced)."""
        return ledger_balance(self.ledger.all())


def _ledger_balanced(errand: Errand) -> None:
    """办结 only when every fen received has been paid out or returned."""
    held = errand.balance()
    if held != 0:
        raise ValidationError(_("The ledger does not balance: %(amount)s yuan are still held for the resident.")
                              % {"amount": held})


def _nothing_held(errand: Errand) -> None:
    """取消 and 退回 only once the resident's money is back with them."""
    if errand.balance() != 0:
        raise ValidationError(_("Return the money held for the resident before closing the errand."))


# 受理 → 办理中 → 办结 → 回访, or 取消 (while open) / 退回 (before starting).
ERRAND_FLOW = StateMachine("errand", Errand, states=ErrandStatus, steps=ErrandStep, transitions=[
    Transition(ErrandStep.START, (ErrandStatus.ACCEPTED,), ErrandStatus.IN_PROGRESS, "change"),
    Transition(ErrandStep.COMPLETE, (ErrandStatus.IN_PROGRESS,), ErrandStatus.DONE, "change", guard=_ledger_balanced),
    Transition(ErrandStep.VISIT, (ErrandStatus.DONE,), ErrandStatus.VISITED, "change"),
    Transition(ErrandStep.CANCEL, OPEN_STATUSES, ErrandStatus.CANCELLED, "change", guard=_nothing_held),
    Transition(ErrandStep.RETURN, (ErrandStatus.ACCEPTED,), ErrandStatus.RETURNED, "change", guard=_nothing_held),
], terminal={ErrandStatus.VISITED, ErrandStatus.CANCELLED, ErrandStatus.RETURNED})


class LedgerKind(models.TextChoices):
    RECEIVED = "received", _("Received from the resident")
    PAID = "paid", _("Paid out")
    RETURNED = "returned", _("Change returned")


def signed_amount() -> Case:
    """An entry's amount as it counts: a void takes its voided line's amount back."""
    return Case(When(voids__isnull=True, then=F("amount")), default=-F("amount"),
                output_field=models.DecimalField(max_digits=12, decimal_places=2))


def ledger_totals(entries) -> dict[str, Decimal]:
    """What each kind of entry adds up to, voided lines taken back by their voids."""
    rows = entries.order_by().values("kind").annotate(total=Sum(signed_amount())).values_list("kind", "total")
    totals = {kind: Decimal("0") for kind in LedgerKind.values}
    for kind, total in rows:
        totals[kind] += total or Decimal("0")
    return totals


def ledger_balance(entries) -> Decimal:
    """Money still held: received − paid out − returned, voided lines excluded."""
    totals = ledger_totals(entries)
    received = totals[LedgerKind.RECEIVED]
    spent = totals[LedgerKind.PAID] + totals[LedgerKind.RETURNED]
    return (received - spent).quantize(Decimal("0.01"))


class LedgerEntry(ScopedModel):
    """One movement of a resident's money. Append-only: a wrong line is voided by a compensating line (its
    `voids`, same kind and amount, with the reason), never changed or deleted."""

    errand = models.ForeignKey(Errand, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("errand"))
    kind = models.CharField(_("kind"), max_length=10, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    receipt_no = models.CharField(_("receipt number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    voids = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="voided_by",
                                 verbose_name=_("voids entry"))
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    scope_region = "errand__community"
    scope_unit = "errand__station__unit"
    scope_owner = "errand__resident__user"

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
                       models.CheckConstraint(condition=Q(voids__isnull=True) | ~Q(void_reason=""),
                                              name="ledger_void_has_reason")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_void(self) -> bool:
        return self.voids_id is not None


class DiaryNote(ScopedModel):
    """A free line in an agent's work diary (工作日记), beside the day's errands."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="diary_notes",
                                verbose_name=_("station"))
    agent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="diary_notes", verbose_name=_("agent"))
    day = models.DateField(_("day"), default=timezone.localdate, db_index=True)
    text = models.CharField(_("note"), max_length=1000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    scope_region = "station__community"
    scope_unit = "station__unit"

    class Meta:
        ordering = ["day", "created_at", "id"]
        verbose_name = _("diary note")
        verbose_name_plural = _("diary notes")

    def __str__(self) -> str:
        return f"{self.day} {self.text[:20]}"


def attachment_path(instance: ErrandAttachment, filename: str) -> str:
    return f"errands/{instance.errand_id}/{timezone.now():%Y%m%d%H%M%S%f}.{instance.image_format}"


class ErrandAttachment(ScopedModel):
    """A photo for an errand (a receipt, a completed form). Checked to be a real image, served only
    through the access rules."""

    errand = models.ForeignKey(Errand, on_delete=models.PROTECT, related_name="attachments",
                               verbose_name=_("errand"))
    image = models.FileField(_("photo"), upload_to=attachment_path)
    image_format = models.CharField(max_length=10, editable=False, verbose_name=_("image format"))
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    # A receipt's photo belongs to the 代付 line it proves.
    ledger_entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="photos", verbose_name=_("ledger entry"))
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    scope_region = "errand__community"
    scope_unit = "errand__station__unit"

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class TallyQuerySet(VisibilityMixin, models.QuerySet):
    """Derived counts: scoped reads (by the errand permissions), rewritten by services, never audited."""


class ErrandTally(models.Model):
    """Errands of one station, accepted in one month, of one category, counted by outcome.

    Statistics and indicators read these instead of scanning every errand. `tally.refresh` rewrites
    a station-month inside the transaction that changed one of its errands; `tally.rebuild` recounts all.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+", verbose_name=_("station"))
    community = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    # the first day of the month the errands were accepted in (local time)
    month = models.DateField(verbose_name=_("month"))
    category = models.CharField(max_length=60, verbose_name=_("category"))
    total = models.PositiveIntegerField(default=0, verbose_name=_("total"))
    open = models.PositiveIntegerField(default=0, verbose_name=_("errands open"))
    closed = models.PositiveIntegerField(default=0, verbose_name=_("errands closed"))
    on_time = models.PositiveIntegerField(default=0, verbose_name=_("on time"))
    withdrawn = models.PositiveIntegerField(default=0, verbose_name=_("withdrawn"))  # 取消 and 退回
    satisfaction_sum = models.PositiveIntegerField(default=0, verbose_name=_("satisfaction sum"))
    satisfaction_count = models.PositiveIntegerField(default=0, verbose_name=_("satisfaction count"))

    scope_region = "community"
    scope_unit = "station__unit"

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("errand tally")
        verbose_name_plural = _("errand tallies")
        constraints = [models.UniqueConstraint(fields=["station", "month", "category"], name="errand_tally_key")]
        indexes = [models.Index(fields=["community", "month"]), models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m} {self.category}: {self.total}"
