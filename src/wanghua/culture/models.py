"""一核 雷锋文化核心区: heritage sites (事迹原点) with QR plaques and visits, study routes (研学路线), 身边榜样
nominations with their review and 公示, and volunteer points (积分) with the 积分超市."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel, VisibilityMixin
from wanghua.core.pii import mask_phone
from wanghua.core.transitions import StateMachine, Transition
from wanghua.org.models import Person, Region, Zone


def new_token() -> str:
    return secrets.token_urlsafe(12)


# --- heritage sites and routes ------------------------------------------------------------------------

class HeritageSite(ScopedModel):
    """A place of Lei Feng's life in the district (his barracks, the savings office, the bank), with its story and
    a QR plaque whose public page counts visits."""

    name = models.CharField(_("site name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="heritage_sites",
                                  verbose_name=_("village/community"))
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="heritage_sites",
                             verbose_name=_("zone"))
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    story = models.TextField(_("story"), max_length=5000)
    source = models.CharField(_("source"), max_length=300)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    plaque_token = models.CharField(_("plaque code"), max_length=32, unique=True, default=new_token, editable=False)
    active = models.BooleanField(_("open to visitors"), default=True)

    scope_region = "community"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("heritage site")
        verbose_name_plural = _("heritage sites")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("culture:site_detail", args=[self.pk])

    def plaque_url(self) -> str:
        return reverse("culture:plaque", args=[self.plaque_token])


def site_photo_path(instance: SitePhoto, filename: str) -> str:
    return f"heritage/{instance.site_id}/{timezone.now():%Y%m%d%H%M%S%f}.{instance.image_format}"


class SitePhoto(ScopedModel):
    """A photo of a site, shown on its public plaque page while the site is open to visitors."""

    site = models.ForeignKey(HeritageSite, on_delete=models.CASCADE, related_name="photos",
                             verbose_name=_("heritage site"))
    image = models.FileField(_("photo"), upload_to=site_photo_path)
    image_format = models.CharField(_("image format"), max_length=10, editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    scope_region = "site__community"

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("site photo")
        verbose_name_plural = _("site photos")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class CountQuerySet(VisibilityMixin, models.QuerySet):
    """Anonymous counts: scoped reads, written by services, not audited (a scan is no one's change)."""


class SiteVisit(models.Model):
    """One device's visit to a site on one day (a scan of its plaque). The device is a salted hash, never an id."""

    site = models.ForeignKey(HeritageSite, on_delete=models.CASCADE, related_name="visits",
                             verbose_name=_("heritage site"))
    day = models.DateField(_("day"), db_index=True)
    device = models.CharField(_("device fingerprint"), max_length=64)
    visited_at = models.DateTimeField(_("visited"), default=timezone.now)

    scope_region = "site__community"
    objects = CountQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at"]
        constraints = [models.UniqueConstraint(fields=["site", "day", "device"], name="one_visit_per_device_day")]
        indexes = [models.Index(fields=["site", "day"])]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}"


class StudyRoute(ScopedModel):
    """A 研学路线: heritage sites to visit in order. District-wide, so anyone who may read routes reads them all."""

    name = models.CharField(_("route name"), max_length=100)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    active = models.BooleanField(_("published"), default=True)

    scope_region = None

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("study route")
        verbose_name_plural = _("study routes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("culture:route_detail", args=[self.pk])


class RouteStop(ScopedModel):
    route = models.ForeignKey(StudyRoute, on_delete=models.CASCADE, related_name="stops",
                              verbose_name=_("study route"))
    site = models.ForeignKey(HeritageSite, on_delete=models.PROTECT, related_name="stops",
                             verbose_name=_("heritage site"))
    position = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])

    scope_region = None

    class Meta:
        ordering = ["route", "position"]
        constraints = [models.UniqueConstraint(fields=["route", "position"], name="one_stop_per_position")]
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")

    def __str__(self) -> str:
        return f"{self.position}. {self.site}"


# --- 身边榜样 ------------------------------------------------------------------------------------------

class DeedCategory(models.TextChoices):
    POST = "post", _("Learning from Lei Feng at work (岗位学雷锋)")
    HELPING = "helping", _("Helping others (助人为乐)")
    BRAVE = "brave", _("Acting bravely for justice (见义勇为)")
    HONEST = "honest", _("Honesty and trustworthiness (诚实守信)")
    DEDICATED = "dedicated", _("Dedication to work (敬业奉献)")
    FILIAL = "filial", _("Filial piety and family love (孝老爱亲)")


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting community review")  # 待社区审核
    COMMUNITY_PASSED = "community_passed", _("Awaiting street review")  # 待街道审核
    STREET_PASSED = "street_passed", _("Awaiting civilisation office review")  # 待文明办审核
    PUBLICITY = "publicity", _("Public notice")  # 公示中
    RECOGNISED = "recognised", _("Recognised")  # 已认定
    REJECTED = "rejected", _("Not adopted")  # 未通过


class NominationStep(models.TextChoices):
    APPROVE = "approve", _("Pass review")  # 审核通过 (at the community, the street, the 文明办)
    REJECT = "reject", _("Reject")  # 不予通过
    RECOGNISE = "recognise", _("Recognise")  # 公示期满，认定


MIN_PUBLICITY_DAYS = 5  # working days


class Nomination(ScopedModel):
    """A person nominated as a 身边榜样 with their deed: community → street → 文明办 → 公示 → recognition."""

    nominee_name = models.CharField(_("nominee"), max_length=50)
    nominee_phone = models.CharField(_("nominee phone"), max_length=20, blank=True)
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="nominations",
                                  verbose_name=_("village/community"))
    category = models.CharField(_("category"), max_length=12, choices=DeedCategory.choices)
    title = models.CharField(_("honour"), max_length=100, blank=True)  # e.g. 全国三八红旗手, shown on the 好人榜
    deed = models.TextField(_("deed"), max_length=3000)
    deed_date = models.DateField(_("date of the deed"))
    nominated_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("nominated by"))
    by_community = models.BooleanField(_("nominated by the community"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=NominationStatus.choices,
                              default=NominationStatus.SUBMITTED, db_index=True)
    community_opinion = models.CharField(_("community opinion"), max_length=500, blank=True)
    street_opinion = models.CharField(_("street opinion"), max_length=500, blank=True)
    office_opinion = models.CharField(_("civilisation office opinion"), max_length=500, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("public notice (working days)"), default=MIN_PUBLICITY_DAYS,
                                                      validators=[MinValueValidator(MIN_PUBLICITY_DAYS),
                                                                  MaxValueValidator(30)])
    publicity_starts = models.DateField(_("public notice from"), null=True, blank=True)
    publicity_ends = models.DateField(_("public notice until"), null=True, blank=True)
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True, db_index=True)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)

    scope_region = "community"
    scope_owner = "nominated_by"
    audit_masked = {"nominee_phone": mask_phone}

    class Meta:
        ordering = ["-submitted_at", "-id"]
        permissions = [("review_nomination", "community review"), ("endorse_nomination", "street review"),
                       ("approve_nomination", "civilisation office review"),
                       ("answer_objection", "answer objections")]
        verbose_name = _("role-model nomination")
        verbose_name_plural = _("role-model nominations")

    def __str__(self) -> str:
        return f"{self.nominee_name} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("culture:nomination_detail", args=[self.pk])

    @property
    def nominee_phone_masked(self) -> str:
        return mask_phone(self.nominee_phone)

    def in_publicity(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        # From the 文明办's pass (the notice is posted then, even when it counts from the next working day) to its end.
        return (self.status == NominationStatus.PUBLICITY and self.publicity_ends is not None
                and day <= self.publicity_ends)


def _publicity_over_and_answered(nomination: Nomination) -> None:
    """认定 only after the whole 公示 period, and once every objection filed during it has its answer."""
    if nomination.publicity_ends is None or timezone.localdate() <= nomination.publicity_ends:
        raise ValidationError(_("The public notice runs until %(day)s: recognition comes after it ends.")
                              % {"day": nomination.publicity_ends})
    open_objections = nomination.objections.filter(answered_at__isnull=True).count()
    if open_objections:
        raise ValidationError(_("%(count)s objections still need an answer before recognition.")
                              % {"count": open_objections})


REVIEW_LEVELS = ((NominationStatus.SUBMITTED, NominationStatus.COMMUNITY_PASSED, "culture.review_nomination"),
                 (NominationStatus.COMMUNITY_PASSED, NominationStatus.STREET_PASSED, "culture.endorse_nomination"),
                 (NominationStatus.STREET_PASSED, NominationStatus.PUBLICITY, "culture.approve_nomination"))

# 社区审核 → 街道审核 → 文明办审核 → 公示 (≥ 5 working days, objections answered) → 认定; each review may reject,
# and the 文明办 may still reject during the 公示 when an objection holds.
NOMINATION_FLOW = StateMachine("nomination", Nomination, states=NominationStatus, steps=NominationStep, transitions=[
    *(Transition(NominationStep.APPROVE, (source,), target, permission)
      for source, target, permission in REVIEW_LEVELS),
    *(Transition(NominationStep.REJECT, (source,), NominationStatus.REJECTED, permission)
      for source, _target, permission in REVIEW_LEVELS),
    Transition(NominationStep.REJECT, (NominationStatus.PUBLICITY,), NominationStatus.REJECTED,
               "culture.approve_nomination"),
    Transition(NominationStep.RECOGNISE, (NominationStatus.PUBLICITY,), NominationStatus.RECOGNISED,
               "culture.approve_nomination", guard=_publicity_over_and_answered),
], terminal={NominationStatus.RECOGNISED, NominationStatus.REJECTED})


def nomination_photo_path(instance: NominationPhoto, filename: str) -> str:
    return f"nominations/{instance.nomination_id}/{timezone.now():%Y%m%d%H%M%S%f}.{instance.image_format}"


class NominationPhoto(ScopedModel):
    """Evidence of a deed (a photo, a letter of thanks), seen by the reviewers."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="photos",
                                   verbose_name=_("role-model nomination"))
    image = models.FileField(_("photo"), upload_to=nomination_photo_path)
    image_format = models.CharField(_("image format"), max_length=10, editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    scope_region = "nomination__community"
    scope_owner = "nomination__nominated_by"

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Objection(ScopedModel):
    """An objection filed during a nomination's 公示 (by anyone, account or not); it must be answered."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections",
                                   verbose_name=_("role-model nomination"))
    text = models.CharField(_("objection"), max_length=1000)
    contact = models.CharField(_("contact phone"), max_length=20, blank=True)
    filed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("filed by"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    answer = models.CharField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    scope_region = "nomination__community"
    audit_masked = {"contact": mask_phone}

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def contact_masked(self) -> str:
        return mask_phone(self.contact)


# --- volunteer points and the 积分超市 ----------------------------------------------------------------

class PointsRule(ScopedModel):
    """How checked-out volunteer hours become points: 1 h = `points_per_hour`, plus `bonus_per_hour` for the
    学雷锋 activities of the bonus day (3月5日). The newest rule is the one in force."""

    points_per_hour = models.PositiveSmallIntegerField(_("points per hour"), default=10,
                                                       validators=[MinValueValidator(1), MaxValueValidator(1000)])
    bonus_month = models.PositiveSmallIntegerField(_("bonus month"), default=3,
                                                   validators=[MinValueValidator(1), MaxValueValidator(12)])
    bonus_day = models.PositiveSmallIntegerField(_("bonus day"), default=5,
                                                 validators=[MinValueValidator(1), MaxValueValidator(31)])
    bonus_per_hour = models.PositiveSmallIntegerField(_("bonus points per hour"), default=10,
                                                      validators=[MaxValueValidator(1000)])
    bonus_keyword = models.CharField(_("bonus activities (title contains)"), max_length=20, blank=True,
                                     default="雷锋")
    created_at = models.DateTimeField(_("set"), default=timezone.now)

    scope_region = None

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")

    def __str__(self) -> str:
        return f"1h={self.points_per_hour}"


class PointsAccount(ScopedModel):
    """A volunteer's points. `balance` is kept beside the entries under the account's row lock and can never go
    below zero (a database constraint says so too)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="points_account",
                                  verbose_name=_("volunteer"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("village/community"))
    balance = models.PositiveIntegerField(_("points balance"), default=0)
    earned = models.PositiveIntegerField(_("points earned"), default=0)
    redeemed = models.PositiveIntegerField(_("points redeemed"), default=0)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)

    scope_region = "community"
    scope_owner = "person__user"

    class Meta:
        ordering = ["-balance", "id"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative"),
                       models.CheckConstraint(condition=Q(balance=models.F("earned") - models.F("redeemed")),
                                              name="points_balance_is_earned_minus_redeemed")]
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")

    def __str__(self) -> str:
        return f"{self.person.name} {self.balance}"

    def get_absolute_url(self) -> str:
        return reverse("culture:account_detail", args=[self.pk])


class EntryKind(models.TextChoices):
    EARNED = "earned", _("Earned")
    REDEEMED = "redeemed", _("Redeemed")


class PointsEntry(ScopedModel):
    """One movement of a volunteer's points. Append-only: earned once per checked-out sign-up, spent by a
    redemption."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=_("points account"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    points = models.PositiveIntegerField(_("points"))
    balance_after = models.PositiveIntegerField(_("balance after"))
    signup_id = models.PositiveBigIntegerField(_("volunteer sign-up"), null=True, blank=True, unique=True)
    activity = models.CharField(_("volunteer activity"), max_length=200, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    hours = models.DecimalField(_("hours served"), max_digits=5, decimal_places=2, null=True, blank=True)
    bonus = models.BooleanField(_("bonus day"), default=False)
    redemption = models.OneToOneField("Redemption", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="entry", verbose_name=_("redemption"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)

    scope_region = "account__community"
    scope_owner = "account__person__user"

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="points_entry_positive")]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"


class Goods(ScopedModel):
    """An article on a community's 积分超市 shelf, priced in points, with a stock."""

    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="points_goods",
                                  verbose_name=_("village/community"))
    name = models.CharField(_("goods"), max_length=100)
    points = models.PositiveIntegerField(_("price (points)"), validators=[MinValueValidator(1),
                                                                         MaxValueValidator(1_000_000)])
    stock = models.PositiveIntegerField(_("stock"), validators=[MaxValueValidator(1_000_000)])
    active = models.BooleanField(_("on the shelf"), default=True)

    scope_region = "community"

    class Meta:
        ordering = ["community__code", "points", "id"]
        constraints = [models.CheckConstraint(condition=Q(stock__gte=0), name="goods_stock_not_negative"),
                       models.CheckConstraint(condition=Q(points__gt=0), name="goods_price_positive")]
        verbose_name = _("points-shop goods")
        verbose_name_plural = _("points-shop goods")

    def __str__(self) -> str:
        return self.name


class Redemption(ScopedModel):
    """Goods taken from a 积分超市 for points: the account and the goods were locked, balance and stock checked."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="redemptions",
                                verbose_name=_("points account"))
    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("goods"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), validators=[MinValueValidator(1),
                                                                          MaxValueValidator(100)])
    points = models.PositiveIntegerField(_("points"))
    redeemed_at = models.DateTimeField(_("redeemed"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))

    scope_region = "goods__community"
    scope_owner = "account__person__user"

    class Meta:
        ordering = ["-redeemed_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self) -> str:
        return f"{self.goods} ×{self.quantity}"


class ServiceCertificate(ScopedModel):
    """志愿服务证明: a volunteer's hours as of its issue, frozen, numbered and checkable by QR on a public page."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="service_certificates",
                               verbose_name=_("volunteer"))
    community = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("village/community"))
    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    token = models.CharField(_("check code"), max_length=32, unique=True, default=new_token, editable=False)
    content = models.JSONField(_("content"))
    digest = models.CharField("SHA-256", max_length=64)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))

    scope_region = "community"
    scope_owner = "person__user"

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")

    def __str__(self) -> str:
        return self.number

    def verify_path(self) -> str:
        return reverse("culture:verify", args=[self.token])
