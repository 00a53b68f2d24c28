"""一带 · 智检中心: the steel test lab — standards as data, orders per heat, specimens, results from the
instruments (append-only, hash-chained), verdicts naming their rule.

Split from `industry`: the tables keep their names (`industry_laborder`, ...), so databases built before
the split keep their rows and ids (see migrations/0001_initial.py and 0002_move_from_industry.py). A lab
order names its heat by number; the heat itself (`industry.Heat`) belongs to the line.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel, VisibilityMixin
from wanghua.core.audit import AuditedModel
from wanghua.core.boundary import BoundedModel
from wanghua.core.transitions import StateMachine, Transition
from wanghua.org.models import Unit


class Standard(AuditedModel):
    """A product standard as data (e.g. GB/T 1499.2-2018); a revision is a new row, old verdicts keep theirs."""

    code = models.CharField(_("standard"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    effective_on = models.DateField(_("effective from"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "industry_standard"  # the table of before the split: rows and ids kept
        ordering = ["code", "-effective_on"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="standard_version_unique")]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return f"{self.code}-{self.version}"


class GradeLimit(AuditedModel):
    """What one grade must reach under one standard. Bend mandrels and weight tolerances depend on the
    nominal diameter: lists of [largest diameter in mm, value] in rising order."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="grades",
                                 verbose_name=_("standard"))
    grade = models.CharField(_("steel grade"), max_length=20)
    yield_min = models.DecimalField(_("ReL min (MPa)"), max_digits=6, decimal_places=1)
    tensile_min = models.DecimalField(_("Rm min (MPa)"), max_digits=6, decimal_places=1)
    elongation_min = models.DecimalField(_("A min (%)"), max_digits=4, decimal_places=1, null=True, blank=True)
    agt_min = models.DecimalField(_("Agt min (%)"), max_digits=4, decimal_places=1)
    tensile_yield_ratio_min = models.DecimalField(_("Rm/ReL min"), max_digits=4, decimal_places=2, null=True,
                                                  blank=True)
    yield_overstrength_max = models.DecimalField(_("ReL/ReL,min max"), max_digits=4, decimal_places=2, null=True,
                                                 blank=True)
    bend_mandrels = models.JSONField(_("bend mandrel (× d) by diameter"))
    rebend = models.BooleanField(_("re-bend test required"), default=False)
    weight_tolerances = models.JSONField(_("weight tolerance (%) by diameter"))
    # GB/T 1499.2-2018 Table 2: the melt analysis (熔炼分析), mass fraction in %, not more than.
    c_max = models.DecimalField(_("C max (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    si_max = models.DecimalField(_("Si max (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    mn_max = models.DecimalField(_("Mn max (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    p_max = models.DecimalField(_("P max (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    s_max = models.DecimalField(_("S max (%)"), max_digits=5, decimal_places=3, null=True, blank=True)
    ceq_max = models.DecimalField(_("Ceq max (%)"), max_digits=5, decimal_places=3, null=True, blank=True)

    class Meta:
        db_table = "industry_gradelimit"  # the table of before the split: rows and ids kept
        ordering = ["standard", "grade"]
        constraints = [models.UniqueConstraint(fields=["standard", "grade"], name="grade_per_standard")]
        verbose_name = _("grade limits")
        verbose_name_plural = _("grade limits")

    def __str__(self) -> str:
        return f"{self.grade} ({self.standard})"


class TestKind(models.TextChoices):
    __test__ = False  # not a pytest test class
    TENSILE = "tensile", _("Tensile")
    BEND = "bend", _("Bend")
    REBEND = "rebend", _("Re-bend")
    WEIGHT = "weight", _("Weight deviation")


class Verdict(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    RETEST = "retest", _("Retest")


class Review(models.TextChoices):
    """审核/批准: a decided heat waits for a second person; only an approved verdict is final."""

    OPEN = "open", _("Not decided yet")
    AWAITING = "awaiting", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Sent back")


class LabOrder(ScopedModel):
    """The tests of one heat (炉号): sampled on the line, run by the robot, decided against the standard."""

    enterprise = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lab_orders",
                                   limit_choices_to={"kind": "enterprise"}, verbose_name=_("enterprise"))
    heat = models.CharField(_("heat number"), max_length=40)
    grade = models.CharField(_("steel grade"), max_length=20)
    diameter = models.PositiveSmallIntegerField(_("nominal diameter (mm)"))
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+", verbose_name=_("standard"))
    sampled_at = models.DateTimeField(_("sampled"))
    sampled_where = models.CharField(_("sampling place"), max_length=100, blank=True)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices, default=Verdict.PENDING)
    verdict_rule = models.CharField(_("deciding rule"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    certificate_token = models.CharField(max_length=32, blank=True, editable=False, verbose_name=_("certificate token"))
    review = models.CharField(_("review"), max_length=8, choices=Review.choices, default=Review.OPEN)
    reviewed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.CharField(_("reason for sending back"), max_length=300, blank=True)

    scope_region = "enterprise__region"
    scope_unit = "enterprise"

    class Meta:
        db_table = "industry_laborder"  # the table of before the split: rows and ids kept
        ordering = ["-sampled_at"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "heat"], name="lab_order_per_heat")]
        indexes = [models.Index(fields=["grade", "sampled_at"]), models.Index(fields=["review"])]
        permissions = [("approve_laborder", "Can review and approve a heat's verdict")]
        verbose_name = _("lab order")
        verbose_name_plural = _("lab orders")

    def __str__(self) -> str:
        return f"{self.heat} {self.grade} Φ{self.diameter}"

    def get_absolute_url(self) -> str:
        return reverse("lab:order", args=[self.pk])


class LabOrderStep(models.TextChoices):
    """How a heat's verdict moves. Each step is taken by recording a result (or a correction): the services
    decide the heat from the latest revision of every specimen (`services.decide_order`), never a page."""

    RETEST = "retest", _("Call a double retest")
    PASS = "pass", _("Pass the heat")
    FAIL = "fail", _("Fail the heat")


RECORDS_RESULTS = "lab.add_testresult"
# A decided heat (pass or fail) can still move when a result behind it is corrected: a new revision may turn
# the verdict, and the certificate's public check then shows the record as it is now.
LAB_ORDER_FLOW = StateMachine("lab_order", LabOrder, states=Verdict, steps=LabOrderStep, field="verdict",
                              transitions=[
    Transition(LabOrderStep.RETEST, (Verdict.PENDING, Verdict.PASS, Verdict.FAIL), Verdict.RETEST, RECORDS_RESULTS),
    Transition(LabOrderStep.PASS, (Verdict.PENDING, Verdict.RETEST, Verdict.FAIL), Verdict.PASS, RECORDS_RESULTS),
    Transition(LabOrderStep.FAIL, (Verdict.PENDING, Verdict.RETEST, Verdict.PASS), Verdict.FAIL, RECORDS_RESULTS),
], terminal={Verdict.PASS, Verdict.FAIL})


class ReviewStep(models.TextChoices):
    """How a heat's review moves. SUBMIT and REOPEN are taken by recording a result (the services send a decided
    heat to review and take an undecided one back); APPROVE and REFUSE by a reviewer, never the entrant."""

    SUBMIT = "submit", _("Send for review")
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Send back")
    REOPEN = "reopen", _("Reopen for testing")


APPROVES = "lab.approve_laborder"
# Approved is final until a result or analysis behind it is corrected: then the heat goes back to review (or to
# testing, when the verdict is open again), and its certificates are superseded in the same transaction.
LAB_REVIEW_FLOW = StateMachine("lab_review", LabOrder, states=Review, steps=ReviewStep, field="review",
                               transitions=[
    Transition(ReviewStep.SUBMIT, (Review.OPEN, Review.APPROVED, Review.REFUSED), Review.AWAITING, RECORDS_RESULTS),
    Transition(ReviewStep.APPROVE, (Review.AWAITING,), Review.APPROVED, APPROVES),
    Transition(ReviewStep.REFUSE, (Review.AWAITING,), Review.REFUSED, APPROVES),
    Transition(ReviewStep.REOPEN, (Review.AWAITING, Review.APPROVED, Review.REFUSED), Review.OPEN, RECORDS_RESULTS),
], terminal={Review.APPROVED})


class Source(models.TextChoices):
    INSTRUMENT = "instrument", _("Instrument")
    MANUAL = "manual", _("Manual entry")


class Specimen(ScopedModel):
    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="specimens",
                              verbose_name=_("lab order"))
    kind = models.CharField(_("test"), max_length=8, choices=TestKind.choices)
    number = models.PositiveSmallIntegerField(_("specimen number"))
    retest = models.BooleanField(_("retest"), default=False)

    scope_region = "order__enterprise__region"
    scope_unit = "order__enterprise"

    class Meta:
        db_table = "industry_specimen"  # the table of before the split: rows and ids kept
        ordering = ["order", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "kind", "number"], name="specimen_number")]
        verbose_name = _("specimen")
        verbose_name_plural = _("specimens")

    def __str__(self) -> str:
        return f"{self.order.heat}-{self.get_kind_display()}-{self.number}"


class TestResultQuerySet(VisibilityMixin, models.QuerySet):
    __test__ = False
    def update(self, **kwargs):
        raise ValueError("test results are append-only: record a corrected revision instead")

    def delete(self):
        raise ValueError("test results are append-only")


class AppendOnly:
    """A record on a hash chain: written once, corrected by a new revision, never edited or deleted."""

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:  # type: ignore[attr-defined]  # mixed into a Model
            raise ValueError(f"{self._meta.verbose_name_plural} are append-only: record a corrected revision instead")  # type: ignore[attr-defined]  # as above
        super().save(*args, **kwargs)  # type: ignore[misc]  # as above

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name_plural} are append-only")


class TestResult(AppendOnly, BoundedModel):
    """One revision of one specimen's result. Never changed: a correction is a new revision with a reason.
    Each row carries the SHA-256 of its content chained to the previous row's, so `wanghua lab_verify`
    finds any edit made outside the application."""

    __test__ = False

    specimen = models.ForeignKey(Specimen, on_delete=models.PROTECT, related_name="results",
                                 verbose_name=_("specimen"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    yield_strength = models.DecimalField(_("ReL/Rp0.2 (MPa)"), max_digits=6, decimal_places=1, null=True)
    tensile_strength = models.DecimalField(_("Rm (MPa)"), max_digits=6, decimal_places=1, null=True)
    elongation = models.DecimalField(_("A (%)"), max_digits=4, decimal_places=1, null=True)
    agt = models.DecimalField(_("Agt (%)"), max_digits=4, decimal_places=1, null=True)
    passed_bend = models.BooleanField(_("no cracks"), null=True)
    weight_deviation = models.DecimalField(_("weight deviation (%)"), max_digits=5, decimal_places=2, null=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    instrument = models.CharField(_("instrument"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)  # manual entry or correction
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"))
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    verdict_rule = models.CharField(_("deciding rule"), max_length=300)
    previous_hash = models.CharField(max_length=64, verbose_name=_("previous hash"))
    hash = models.CharField(max_length=64, unique=True, verbose_name=_("record hash"))

    scope_region = "specimen__order__enterprise__region"
    scope_unit = "specimen__order__enterprise"
    objects = TestResultQuerySet.as_manager()

    class Meta:
        db_table = "industry_testresult"  # the table of before the split: rows and ids kept
        ordering = ["specimen", "revision"]
        constraints = [models.UniqueConstraint(fields=["specimen", "revision"], name="result_revision")]
        verbose_name = _("test result")
        verbose_name_plural = _("test results")

    def __str__(self) -> str:
        return f"{self.specimen} r{self.revision}"


class LabChain(models.Model):
    """The head of one hash chain (results, analyses, certificates): locked by every append, so concurrent posts
    chain in order."""

    RESULTS, ANALYSES, CERTIFICATES = "results", "analyses", "certificates"
    name = models.CharField(max_length=20, default=RESULTS, unique=True, verbose_name=_("chain"))
    head = models.CharField(max_length=64, default="0" * 64, verbose_name=_("chain head"))
    length = models.PositiveBigIntegerField(default=0, verbose_name=_("length"))

    class Meta:
        verbose_name = _("lab chain")
        verbose_name_plural = _("lab chains")
        db_table = "industry_labchain"

    def __str__(self) -> str:
        return f"{self.name} {self.length}:{self.head[:12]}"


class AppendOnlyQuerySet(VisibilityMixin, models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("this record is append-only: record a corrected revision instead")

    def delete(self):
        raise ValueError("this record is append-only")


ELEMENTS = ("c", "si", "mn", "p", "s", "cr", "ni", "cu", "mo", "v", "nb", "ti")


def _element(symbol: str):
    return models.DecimalField(f"{symbol} (%)", max_digits=6, decimal_places=4, null=True, blank=True)


class HeatAnalysis(AppendOnly, BoundedModel):
    """One revision of a heat's melt analysis (熔炼分析), from the spectrometer or typed in with a reason.
    Append-only and hash-chained like the results (its own chain, checked by `wanghua lab_verify`)."""

    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="analyses",
                              verbose_name=_("lab order"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    c, si, mn, p, s = _element("C"), _element("Si"), _element("Mn"), _element("P"), _element("S")
    cr, ni, cu, mo = _element("Cr"), _element("Ni"), _element("Cu"), _element("Mo")
    v, nb, ti = _element("V"), _element("Nb"), _element("Ti")
    ceq = models.DecimalField("Ceq (%)", max_digits=6, decimal_places=4)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    instrument = models.CharField(_("instrument"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"))
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    verdict_rule = models.CharField(_("deciding rule"), max_length=300)
    previous_hash = models.CharField(max_length=64, verbose_name=_("previous hash"))
    hash = models.CharField(max_length=64, unique=True, verbose_name=_("record hash"))

    scope_region = "order__enterprise__region"
    scope_unit = "order__enterprise"
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "revision"]
        constraints = [models.UniqueConstraint(fields=["order", "revision"], name="analysis_revision")]
        verbose_name = _("melt analysis")
        verbose_name_plural = _("melt analyses")

    def __str__(self) -> str:
        return f"{self.order.heat} r{self.revision}"


class LabProfile(ScopedModel):
    """What an enterprise's lab prints on its certificates: the number pattern, the seal it uploads."""

    enterprise = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="lab_profile",
                                      limit_choices_to={"kind": "enterprise"}, verbose_name=_("enterprise"))
    lab_name = models.CharField(_("lab name"), max_length=100, blank=True)
    number_pattern = models.CharField(_("certificate number pattern"), max_length=60,
                                      default="ZB{year}-{seq:05d}")
    sequence_year = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("sequence year"))
    sequence = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("sequence"))
    seal = models.BinaryField(_("seal image"), blank=True, default=b"", editable=False)
    seal_format = models.CharField(max_length=4, blank=True, editable=False, verbose_name=_("seal format"))  # png, jpeg
    seal_sha256 = models.CharField(max_length=64, blank=True, editable=False, verbose_name=_("seal sha256"))

    scope_region = "enterprise__region"
    scope_unit = "enterprise"

    class Meta:
        verbose_name = _("lab profile")
        verbose_name_plural = _("lab profiles")

    def __str__(self) -> str:
        return self.lab_name or str(self.enterprise)


class Delivery(ScopedModel):
    """A delivery (交货批) to a customer: the heats it ships, their grade and size, bundles and weight."""

    enterprise = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lab_deliveries",
                                   limit_choices_to={"kind": "enterprise"}, verbose_name=_("enterprise"))
    customer = models.CharField(_("customer"), max_length=100)
    contract = models.CharField(_("contract number"), max_length=60)
    grade = models.CharField(_("steel grade"), max_length=20)
    diameter = models.PositiveSmallIntegerField(_("nominal diameter (mm)"))
    bundles = models.PositiveIntegerField(_("bundles"))
    weight = models.DecimalField(_("weight (t)"), max_digits=9, decimal_places=3)
    orders = models.ManyToManyField(LabOrder, related_name="deliveries", verbose_name=_("heats"))
    created_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_region = "enterprise__region"
    scope_unit = "enterprise"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.customer} {self.contract}"

    def get_absolute_url(self) -> str:
        return reverse("lab:delivery", args=[self.pk])


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    VOID = "void", _("Superseded")


class CertificateStep(models.TextChoices):
    """A certificate is void when a record behind it is corrected (in the correction's own transaction) or
    when a reviewer withdraws it; a reissue is a new certificate with a new number that names the old one."""

    SUPERSEDE = "supersede", _("Supersede after a correction")
    REVOKE = "revoke", _("Withdraw the certificate")


class Certificate(ScopedModel):
    """质量证明书 as a numbered document: its content is frozen at issue (values, limits, the records' hashes)
    and its SHA-256 covers that content, chained to the certificate issued before it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name=_("delivery"))
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    token = models.CharField(max_length=32, unique=True, editable=False, verbose_name=_("certificate token"))
    status = models.CharField(_("status"), max_length=8, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("replaces"))
    content = models.JSONField(editable=False, verbose_name=_("certificate content"))
    issued_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued"))
    void_reason = models.CharField(_("reason it is void"), max_length=300, blank=True)
    void_at = models.DateTimeField(_("void since"), null=True, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False, verbose_name=_("previous hash"))
    hash = models.CharField("SHA-256", max_length=64, unique=True, editable=False)

    scope_region = "delivery__enterprise__region"
    scope_unit = "delivery__enterprise"

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("lab:delivery", args=[self.delivery_id])


# A certificate's own status: void is final (a reissue is a new certificate).
CERTIFICATE_FLOW = StateMachine("lab_certificate", Certificate, states=CertificateStatus, steps=CertificateStep,
                                transitions=[
    Transition(CertificateStep.SUPERSEDE, (CertificateStatus.VALID,), CertificateStatus.VOID, RECORDS_RESULTS),
    Transition(CertificateStep.REVOKE, (CertificateStatus.VALID,), CertificateStatus.VOID, APPROVES),
], terminal={CertificateStatus.VOID})
