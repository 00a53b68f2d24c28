"""Stored indicator values (per month and scope, with history), yearly targets, external statistics, and
the log of refresh runs. Values are computed from records by `refresh.py`; only external statistics are
typed in, each with its source."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel
from wanghua.core.indicators import Goal, name_of
from wanghua.org.models import Region, Unit


class IndicatorValue(ScopedModel):
    """One indicator's value for one month and one scope: the district, a region subtree, or a unit. The
    month's value is rewritten by every refresh within the month, so the last one stands. Read through
    `visible_to` like any record: a street's grant sees its street's and communities' values, a department's
    its unit's, the district's values need a district-wide grant."""

    key = models.CharField(max_length=60, verbose_name=_("indicator"))
    period = models.DateField(verbose_name=_("value period"))  # the first day of the month
    scope = models.CharField(max_length=20, verbose_name=_("scope"))  # "district", "r<region id>" or "u<unit id>"
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("region"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("unit"))
    value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("indicator value"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

    scope_region = "region"
    scope_unit = "unit"

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["scope", "period", "key"], name="indicator_value_unique")]

    def __str__(self) -> str:
        return f"{name_of(self.key)} {self.scope} {self.period:%Y-%m} = {self.value}"


class IndicatorTarget(ScopedModel):
    """A yearly target for an indicator, for the whole district (no region) or for one region."""

    key = models.CharField(_("indicator"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("region"), help_text=_("Empty for the whole district."))
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    note = models.CharField(_("note"), max_length=200, blank=True)

    audit_value_labels = {"key": name_of}  # the trail names the indicator, not its key

    class Meta:
        ordering = ["-year", "key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "year", "region"], name="indicator_target_unique"),
            models.UniqueConstraint(fields=["key", "year"], condition=Q(region__isnull=True),
                                    name="indicator_target_unique_district"),
        ]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")

    def __str__(self) -> str:
        return f"{self.year} {name_of(self.key)} {self.value}"


class ExternalStatistic(ScopedModel):
    """A figure the platform cannot count (GDP, investment growth from the statistics bureau …), entered
    with its source and the date it was published."""

    key = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    goal = models.CharField(_("goal"), max_length=20, choices=Goal.choices)
    unit = models.CharField(_("unit"), max_length=20)
    period = models.DateField(_("month"), help_text=_("The month the figure is for (its first day)."))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.CharField(_("source"), max_length=200)
    published_on = models.DateField(_("published on"))
    entered_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))

    scope_region = None  # district statistics, public figures

    class Meta:
        ordering = ["-period", "key"]
        constraints = [models.UniqueConstraint(fields=["key", "period"], name="external_statistic_unique")]
        verbose_name = _("external statistic")
        verbose_name_plural = _("external statistics")

    def __str__(self) -> str:
        return f"{self.name} {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dashboard:statistics")


class RefreshRun(models.Model):
    """One refresh of the stored values: when, for which month, how many values, which indicators failed."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True)
    period = models.DateField(_("month"))
    trigger = models.CharField(_("trigger"), max_length=20)  # schedule, demand, history
    values = models.PositiveIntegerField(_("values"), default=0)
    failures = models.JSONField(_("failures"), default=list)
    seconds = models.FloatField(_("seconds"), default=0)
    requested_by = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("requested by"))

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("indicator refresh")
        verbose_name_plural = _("indicator refreshes")
        permissions = [("refresh_indicators", _("Can refresh the indicators on demand"))]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.period:%Y-%m}"
