"""一带: production lines and their live data — equipment, tags, samples, alarms and stops.

Enterprises are org units of kind "enterprise"; an operator granted on the enterprise unit sees
its lines and nothing else. Samples and rollups are high-volume telemetry written by the ingest
pipeline in batches (never one audited save per value); definitions are ordinary audited records.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel, VisibilityMixin
from wanghua.core.boundary import BoundedModel
from wanghua.core.transitions import StateMachine, Transition
from wanghua.org.models import Unit

CODE = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", _("Use letters, digits, - and _ (at most 40)."))


class LineStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    STOPPED = "stopped", _("Stopped")
    FAULT = "fault", _("Fault")
    UNKNOWN = "unknown", _("No data")


class ProductFamily(models.TextChoices):
    """What a line rolls: the family its steel grades (and the simulator's) are drawn from."""

    AUTO_STEEL = "auto", _("Automotive special steel")  # 汽车用特殊钢: SWRCH cold-heading, SCM/Cr-Mo, gear steel
    REBAR = "rebar", _("Rebar")  # 热轧带肋钢筋: HRB400E, HRB500E …


class ProductionLine(ScopedModel):
    enterprise = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="production_lines",
                                   limit_choices_to={"kind": "enterprise"}, verbose_name=_("enterprise"))
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[CODE],
                            help_text=_("Used in the MQTT topic and the QR code."))
    name = models.CharField(_("name"), max_length=100)
    capacity_tonnes = models.PositiveIntegerField(_("capacity (t/year)"), default=0)
    product_family = models.CharField(_("product family"), max_length=10, choices=ProductFamily.choices,
                                      default=ProductFamily.AUTO_STEEL)
    ideal_rate = models.DecimalField(_("ideal rate (pieces/min)"), max_digits=8, decimal_places=2, default=1,
                                     validators=[MinValueValidator(0)])
    # Stop rule: a stop is cold when it lasts at least `cold_after_minutes`, or when the temperature
    # tag falls below `cold_below` during it; otherwise it is hot (the line stays at temperature).
    cold_after_minutes = models.PositiveIntegerField(_("cold stop after (minutes)"), default=120)
    temperature_tag = models.ForeignKey("Tag", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                        verbose_name=_("temperature tag"))
    cold_below = models.FloatField(_("cold below (temperature)"), null=True, blank=True)
    min_stop_seconds = models.PositiveIntegerField(_("shortest stop counted (s)"), default=60)
    shift_anchor = models.DateTimeField(_("shift calendar start"), default=timezone.now,
                                        help_text=_("The start of a 夜班 on which crew 甲 works."))
    active = models.BooleanField(_("active"), default=True)

    scope_region = "enterprise__region"
    scope_unit = "enterprise"

    class Meta:
        ordering = ["enterprise__code", "code"]
        verbose_name = _("production line")
        verbose_name_plural = _("production lines")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("industry:line_live", args=[self.code])


class Equipment(ScopedModel):
    """A piece of equipment; its location code is where alarms and stops are attributed."""

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="equipment",
                             verbose_name=_("production line"))
    location = models.CharField(_("location code"), max_length=40, validators=[CODE])
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"

    class Meta:
        ordering = ["line", "sort_order", "location"]
        constraints = [models.UniqueConstraint(fields=["line", "location"], name="equipment_location_unique")]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self) -> str:
        return f"{self.location} {self.name}"


class TagKind(models.TextChoices):
    NUMBER = "number", _("Number")
    STATE = "state", _("Discrete state")
    TEXT = "text", _("Text")


# What the plants' gateways send for a discrete tag, read as words (a value not listed is shown as sent).
DEVICE_STATE_LABELS = {"run": _("Running"), "running": _("Running"), "stop": _("Stopped"), "stopped": _("Stopped"),
                       "fault": _("Fault"), "idle": _("Idle")}


def device_state_label(value: str) -> str:
    return str(DEVICE_STATE_LABELS.get(value.strip().lower(), value)) if value else value


class TagRole(models.TextChoices):
    """What the live snapshot takes from a tag."""

    NONE = "", _("Measurement")
    STATUS = "status", _("Line status")
    GRADE = "grade", _("Steel grade")
    HEAT = "heat", _("Heat number")
    SPEC = "spec", _("Product spec")
    COUNT = "count", _("Processed count")
    SPEED = "speed", _("Line speed")
    GOOD = "good", _("Good count")


class Tag(ScopedModel):
    # set by telemetry.pipeline on the tags it caches: is it a number, the range it accepts, its longest text
    numeric: bool
    lowest: float
    highest: float
    longest: int

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="tags",
                             verbose_name=_("production line"))
    equipment = models.ForeignKey(Equipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="tags",
                                  verbose_name=_("equipment"))
    code = models.CharField(_("code"), max_length=40, validators=[CODE])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("type"), max_length=10, choices=TagKind.choices, default=TagKind.NUMBER)
    role = models.CharField(_("role"), max_length=10, choices=TagRole.choices, blank=True, default="")
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    low = models.FloatField(_("lowest valid value"), null=True, blank=True)
    high = models.FloatField(_("highest valid value"), null=True, blank=True)
    key = models.BooleanField(_("key tag"), default=False, help_text=_("Shown with a sparkline on the phone page."))

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"

    class Meta:
        ordering = ["line", "code"]
        constraints = [models.UniqueConstraint(fields=["line", "code"], name="tag_code_unique")]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return f"{self.line.code} · {self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("industry:line_setup", args=[self.line.code]) + f"#tag-{self.code}"


class TelemetryQuerySet(VisibilityMixin, models.QuerySet):
    """Telemetry: scoped reads; written in batches by the ingest pipeline, not audited row by row."""


class LiveSnapshot(models.Model):
    """The line as the phone page shows it, rewritten with every committed batch."""

    line = models.OneToOneField(ProductionLine, on_delete=models.CASCADE, related_name="snapshot", primary_key=True)
    status = models.CharField(max_length=10, choices=LineStatus.choices, default=LineStatus.UNKNOWN,
                              verbose_name=_("line status"))
    grade = models.CharField(max_length=40, blank=True, verbose_name=_("grade"))
    heat = models.CharField(max_length=40, blank=True, verbose_name=_("heat number"))
    spec = models.CharField(max_length=40, blank=True, verbose_name=_("spec"))
    count = models.BigIntegerField(default=0, verbose_name=_("piece count"))
    good = models.BigIntegerField(default=0, verbose_name=_("good pieces"))
    speed = models.FloatField(null=True, verbose_name=_("speed"))
    values = models.JSONField(default=dict, verbose_name=_("live values"))  # tag code → latest value
    # the newest sample time taken; older samples are out of order
    watermark = models.DateTimeField(null=True, verbose_name=_("watermark"))
    updated_at = models.DateTimeField(null=True, verbose_name=_("updated at"))

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        verbose_name = _("live snapshot")
        verbose_name_plural = _("live snapshots")

    def __str__(self) -> str:
        return f"{self.line_id} {self.status}"


class Sample(models.Model):
    """One value of one tag at one time; (tag, ts) is the primary key and the idempotency key, so a redelivery
    adds nothing. On PostgreSQL the table is partitioned by day on `ts` (telemetry/partitions.py): the key
    includes the partition column, as PostgreSQL requires, and retention drops whole days."""

    pk = models.CompositePrimaryKey("tag", "ts")
    # No database constraint on PostgreSQL (migration 0009): its deferred check ran once per sample at commit,
    # half of ingest's time (a 50,000-sample batch took 0.5 s to commit). Ingest takes only the tags it loaded,
    # and deleting a tag deletes its samples through Django, as before.
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False,
                            verbose_name=_("tag"))
    ts = models.DateTimeField(verbose_name=_("sample time"))
    value = models.FloatField(null=True, verbose_name=_("sample value"))
    text = models.CharField(max_length=60, blank=True, verbose_name=_("text value"))

    scope_region = "tag__line__enterprise__region"
    scope_unit = "tag__line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        verbose_name = _("telemetry sample")
        verbose_name_plural = _("telemetry samples")
        indexes = [models.Index(fields=["ts"])]  # SQLite's retention sweeps (PostgreSQL drops partitions instead)

    def __str__(self) -> str:
        return f"{self.tag_id}@{self.ts:%Y-%m-%d %H:%M:%S}={self.value if self.value is not None else self.text}"


class MinuteRollup(models.Model):
    """Per tag and minute: what charts read instead of raw samples. Partitioned by week on PostgreSQL."""

    pk = models.CompositePrimaryKey("tag", "minute")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("tag"))
    minute = models.DateTimeField(verbose_name=_("minute"))
    n = models.PositiveIntegerField(default=0, verbose_name=_("samples"))
    total = models.FloatField(default=0, verbose_name=_("total"))
    low = models.FloatField(null=True, verbose_name=_("minimum"))
    high = models.FloatField(null=True, verbose_name=_("maximum"))
    last = models.FloatField(null=True, verbose_name=_("last sample"))

    scope_region = "tag__line__enterprise__region"
    scope_unit = "tag__line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        verbose_name = _("minute rollup")
        verbose_name_plural = _("minute rollups")
        indexes = [models.Index(fields=["minute"])]  # SQLite's retention sweeps

    def __str__(self) -> str:
        return f"{self.tag_id}@{self.minute:%Y-%m-%d %H:%M}"

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


class HourRollup(models.Model):
    """Per tag and hour, summed from the minute rollups by the job worker (telemetry/rollups.py): what long
    trends and 30-day KPIs read. An hour still marked in `PendingHour` is read from the minute rollups."""

    pk = models.CompositePrimaryKey("tag", "hour")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("tag"))
    hour = models.DateTimeField(verbose_name=_("hour"))
    n = models.PositiveIntegerField(default=0, verbose_name=_("samples"))
    total = models.FloatField(default=0, verbose_name=_("total"))
    low = models.FloatField(null=True, verbose_name=_("minimum"))
    high = models.FloatField(null=True, verbose_name=_("maximum"))

    scope_region = "tag__line__enterprise__region"
    scope_unit = "tag__line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        verbose_name = _("hour rollup")
        verbose_name_plural = _("hour rollups")
        indexes = [models.Index(fields=["hour"])]  # retention

    def __str__(self) -> str:
        return f"{self.tag_id}@{self.hour:%Y-%m-%d %H}"

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


class PendingHour(models.Model):
    """An hour of a line whose minute rollups changed after its hour rollups were last summed: ingest marks it
    (bumping `version`), the job worker sums it again and removes the mark if no batch bumped it meanwhile."""

    pk = models.CompositePrimaryKey("line", "hour")
    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="+", db_index=False,
                             verbose_name=_("production line"))
    hour = models.DateTimeField(verbose_name=_("hour"))
    version = models.BigIntegerField(default=1, verbose_name=_("version"))

    class Meta:
        verbose_name = _("pending hour rollup")
        verbose_name_plural = _("pending hour rollups")

    def __str__(self) -> str:
        return f"{self.line_id}@{self.hour:%Y-%m-%d %H}"


class DeadLetter(models.Model):
    """A message (or one value of it) the pipeline could not take, with why and the raw payload."""

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=10)  # mqtt, http, local
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    line = models.ForeignKey(ProductionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("production line"))
    reason = models.CharField(_("reason"), max_length=300)
    payload = models.TextField(_("payload"))

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M:%S} {self.reason}"


class Heat(models.Model):
    """A heat (炉号) as the line ran it: grade and spec, first and last seen, pieces made."""

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="heats",
                             verbose_name=_("production line"))
    number = models.CharField(_("heat number"), max_length=40)
    grade = models.CharField(_("steel grade"), max_length=40, blank=True)
    spec = models.CharField(_("spec"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    pieces = models.PositiveIntegerField(_("pieces"), default=0)

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["line", "number"], name="heat_number_per_line")]
        verbose_name = _("heat")
        verbose_name_plural = _("heats")

    def __str__(self) -> str:
        return self.number


class Stop(ScopedModel):
    """A stop of the line: detected from its status, classified hot or cold when it ends."""

    class Kind(models.TextChoices):
        HOT = "hot", _("Hot stop")  # 热停
        COLD = "cold", _("Cold stop")  # 冷停

    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="stops",
                             verbose_name=_("production line"))
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, blank=True)
    location = models.ForeignKey(Equipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="stops",
                                 verbose_name=_("cause location"))
    min_temperature = models.FloatField(_("lowest temperature"), null=True, blank=True)
    by_fault = models.BooleanField(_("caused by a fault"), default=False)  # the line reported "fault", not "stopped"
    # 计划停机 (the weekly 定修, a planned roll change): not lost time. It is left out of planned production time
    # (OEE availability), of the downtime Pareto and of MTBF/MTTR, and shown on its own.
    planned = models.BooleanField(_("planned stop"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("reason given by"))

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["line"], condition=Q(ended_at__isnull=True),
                                               name="one_open_stop_per_line")]
        indexes = [models.Index(fields=["line", "started_at"])]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"{self.line} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self) -> float | None:
        return (self.ended_at - self.started_at).total_seconds() if self.ended_at else None


class Priority(models.TextChoices):
    """ISA-18.2 recommends about 80 % low, 15 % medium and 5 % high."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class AlarmKind(models.TextChoices):
    HIHI = "HIHI", _("High-high")
    HI = "HI", _("High")
    LO = "LO", _("Low")
    LOLO = "LOLO", _("Low-low")
    STATE = "STATE", _("Discrete state")


class AlarmDefinition(ScopedModel):
    """What makes a tag alarm: a limit (or a state), with deadband and on/off delays."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="alarms", verbose_name=_("tag"))
    kind = models.CharField(_("kind"), max_length=5, choices=AlarmKind.choices)
    limit = models.FloatField(_("limit"), null=True, blank=True)
    state = models.CharField(_("alarm state"), max_length=40, blank=True, help_text=_("For discrete tags."))
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, default=Priority.LOW)
    deadband = models.FloatField(_("deadband"), default=0, validators=[MinValueValidator(0)])
    on_delay = models.PositiveIntegerField(_("on-delay (s)"), default=0)
    off_delay = models.PositiveIntegerField(_("off-delay (s)"), default=0)
    message = models.CharField(_("message"), max_length=200)

    scope_region = "tag__line__enterprise__region"
    scope_unit = "tag__line__enterprise"

    class Meta:
        ordering = ["tag", "kind"]
        constraints = [models.UniqueConstraint(fields=["tag", "kind"], name="alarm_kind_per_tag")]
        verbose_name = _("alarm definition")
        verbose_name_plural = _("alarm definitions")

    def __str__(self) -> str:
        return self.message

    def get_absolute_url(self) -> str:
        return reverse("industry:line_setup", args=[self.tag.line.code]) + f"#tag-{self.tag.code}"


class AlarmState(models.Model):
    """The live state of one alarm (ISA-18.2): kept by the ingest pipeline and the operators' actions."""

    class State(models.TextChoices):
        NORMAL = "normal", _("Normal")
        UNACKED = "unacked", _("Unacknowledged")
        ACKED = "acked", _("Acknowledged")
        RTN_UNACKED = "rtn_unacked", _("Returned, unacknowledged")
        SHELVED = "shelved", _("Shelved")
        SUPPRESSED = "suppressed", _("Suppressed")
        OUT_OF_SERVICE = "oos", _("Out of service")

    definition = models.OneToOneField(AlarmDefinition, on_delete=models.CASCADE, primary_key=True,
                                      related_name="live")
    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("production line"))
    active = models.BooleanField(default=False, verbose_name=_("alarm active"))
    acked = models.BooleanField(default=True, verbose_name=_("acknowledged"))
    active_since = models.DateTimeField(null=True, verbose_name=_("active since"))
    pending_since = models.DateTimeField(null=True, verbose_name=_("pending since"))  # condition true, on-delay running
    # condition false, off-delay running
    clearing_since = models.DateTimeField(null=True, verbose_name=_("clearing since"))
    shelved_until = models.DateTimeField(null=True, verbose_name=_("shelved until"))
    suppressed = models.BooleanField(default=False, verbose_name=_("suppressed"))
    out_of_service = models.BooleanField(default=False, verbose_name=_("out of service"))
    last_value = models.CharField(max_length=60, blank=True, verbose_name=_("last value"))

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        verbose_name = _("alarm state")
        verbose_name_plural = _("alarm states")

    def __str__(self) -> str:
        return f"{self.definition_id} {self.state_at(timezone.now())}"

    def state_at(self, now) -> str:
        if self.out_of_service:
            return self.State.OUT_OF_SERVICE
        if self.suppressed:
            return self.State.SUPPRESSED
        if self.shelved_until and self.shelved_until > now:
            return self.State.SHELVED
        return self.process_state

    @property
    def process_state(self) -> str:
        """Normal, unacknowledged, acknowledged or returned-unacknowledged: what the condition and the
        operators made of the alarm, whether or not it is shelved (shelved alarms are still evaluated)."""
        if self.active:
            return self.State.ACKED if self.acked else self.State.UNACKED
        return self.State.NORMAL if self.acked else self.State.RTN_UNACKED

    @property
    def state(self) -> str:
        """The ISA-18.2 state now: the field ALARM_FLOW reads and sets."""
        return self.state_at(timezone.now())

    @state.setter
    def state(self, target: str) -> None:
        """Enter `target` (ALARM_FLOW sets it once a step's own changes are made). Suppressed and out of service
        clear the alarm; leaving shelved, suppressed or out of service lifts only that, so the alarm then shows
        what its condition says (ISA-18.2: normal, or unacknowledged while still active)."""
        state = self.State
        if target in (state.SUPPRESSED, state.OUT_OF_SERVICE):
            if target == state.SUPPRESSED:
                self.suppressed = True
            else:
                self.out_of_service = True
            self.active, self.acked, self.pending_since, self.clearing_since = False, True, None, None
        elif target == state.SHELVED:
            if not self.shelved_until:
                raise ValueError("a shelved alarm needs shelved_until")
        else:
            current = self.state
            if current == state.OUT_OF_SERVICE:
                self.out_of_service = False
            elif current == state.SUPPRESSED:
                self.suppressed = False
            elif current == state.SHELVED:
                self.shelved_until = None
            else:
                self.enter_process_state(target)

    def enter_process_state(self, target: str) -> None:
        """The condition and acknowledgement flags of a process state (the evaluator's steps)."""
        self.active = target in (self.State.UNACKED, self.State.ACKED)
        self.acked = target in (self.State.ACKED, self.State.NORMAL)


class AlarmStep(models.TextChoices):
    """The steps of ALARM_FLOW: operators' and managers' actions, and the evaluator's (system) steps."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    SHELVE = "shelve", _("Shelve")
    UNSHELVE = "unshelve", _("Unshelve")
    SUPPRESS = "suppress", _("Suppress")
    UNSUPPRESS = "unsuppress", _("Unsuppress")
    REMOVE_FROM_SERVICE = "remove_from_service", _("Remove from service")
    RETURN_TO_SERVICE = "return_to_service", _("Return to service")
    ACTIVATE = "activate", _("Alarm activates")
    RETURN_TO_NORMAL = "return_to_normal", _("Alarm returns to normal")
    RE_ALARM = "re_alarm", _("Re-alarm")
    SHELF_EXPIRES = "shelf_expires", _("Shelf expires")


_A = AlarmState.State
_PROCESS = (_A.NORMAL, _A.UNACKED, _A.ACKED, _A.RTN_UNACKED)
_OPERATE, _MANAGE = "industry.add_alarmevent", "industry.change_alarmdefinition"

# ISA-18.2 / IEC 62682. A shelved alarm keeps being evaluated: the evaluator takes its steps on the
# process state (`AlarmState.process_state`) underneath the shelf.
ALARM_FLOW = StateMachine("alarm", AlarmState, states=AlarmState.State, steps=AlarmStep, field="state", transitions=[
    Transition(AlarmStep.ACKNOWLEDGE, (_A.UNACKED,), _A.ACKED, _OPERATE),
    Transition(AlarmStep.ACKNOWLEDGE, (_A.RTN_UNACKED,), _A.NORMAL, _OPERATE),
    Transition(AlarmStep.ACKNOWLEDGE, (_A.SHELVED,), _A.SHELVED, _OPERATE),
    Transition(AlarmStep.SHELVE, (*_PROCESS, _A.SHELVED), _A.SHELVED, _MANAGE),
    Transition(AlarmStep.UNSHELVE, (_A.SHELVED,), _A.NORMAL, _MANAGE),
    Transition(AlarmStep.SUPPRESS, (*_PROCESS, _A.SHELVED), _A.SUPPRESSED, _MANAGE),
    Transition(AlarmStep.UNSUPPRESS, (_A.SUPPRESSED,), _A.NORMAL, _MANAGE),
    Transition(AlarmStep.REMOVE_FROM_SERVICE, (*_PROCESS, _A.SHELVED, _A.SUPPRESSED), _A.OUT_OF_SERVICE, _MANAGE),
    Transition(AlarmStep.RETURN_TO_SERVICE, (_A.OUT_OF_SERVICE,), _A.NORMAL, _MANAGE),
    Transition(AlarmStep.ACTIVATE, (_A.NORMAL,), _A.UNACKED, "", system=True),
    Transition(AlarmStep.RE_ALARM, (_A.RTN_UNACKED,), _A.UNACKED, "", system=True),
    Transition(AlarmStep.RETURN_TO_NORMAL, (_A.ACKED,), _A.NORMAL, "", system=True),
    Transition(AlarmStep.RETURN_TO_NORMAL, (_A.UNACKED,), _A.RTN_UNACKED, "", system=True),
    Transition(AlarmStep.SHELF_EXPIRES, (_A.SHELVED,), _A.NORMAL, "", system=True),
])


class AlarmEvent(BoundedModel):
    """The alarm journal: append-only; an event is never changed or removed."""

    boundary_exempt = ("value",)  # the reading as the gateway sent it: the telemetry pipeline validates it

    class Kind(models.TextChoices):
        ACTIVATED = "activated", _("Activated")
        CLEARED = "cleared", _("Returned to normal")
        ACKNOWLEDGED = "acked", _("Acknowledged")
        REGISTERED = "registered", _("Registered")  # 报警登记: cause and action taken
        SHELVED = "shelved", _("Shelved")
        UNSHELVED = "unshelved", _("Unshelved")
        SUPPRESSED = "suppressed", _("Suppressed")
        UNSUPPRESSED = "unsuppressed", _("Unsuppressed")
        OUT_OF_SERVICE = "oos", _("Out of service")
        IN_SERVICE = "in_service", _("Back in service")

    definition = models.ForeignKey(AlarmDefinition, on_delete=models.PROTECT, related_name="events",
                                   verbose_name=_("alarm"))
    line = models.ForeignKey(ProductionLine, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("production line"))
    equipment = models.ForeignKey(Equipment, on_delete=models.SET_NULL, null=True, related_name="+",
                                  verbose_name=_("location"))
    at = models.DateTimeField(_("time"))
    # Unix seconds of `at`: KPIs bucket and window on integers
    epoch = models.BigIntegerField(editable=False, verbose_name=_("epoch second"))
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices)
    value = models.CharField(_("value"), max_length=60, blank=True)
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("operator"))
    cause = models.CharField(_("cause"), max_length=300, blank=True)
    action = models.CharField(_("action taken"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_region = "line__enterprise__region"
    scope_unit = "line__enterprise"
    objects = TelemetryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["line", "at"]), models.Index(fields=["definition", "at"]),
                   models.Index(fields=["line", "kind", "epoch"])]
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm journal")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.definition_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("the alarm journal is append-only")
        self.epoch = int(self.at.timestamp())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the alarm journal is append-only")
