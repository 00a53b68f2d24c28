"""The district model: regions, zones, units, people and their role assignments."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import ScopedModel
from wanghua.core.models import Role
from wanghua.core.pii import MaskedPersonalData, mask_id_number, mask_phone
from wanghua.core.scopes import DataScope

from .geo import validate_outline


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Town/street")
    COMMUNITY = "community", _("Village/community")
    GRID = "grid", _("Grid")


# The only parent level each level may hang under.
PARENT_LEVEL: dict[str, str | None] = {
    RegionLevel.DISTRICT: None,
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
    RegionLevel.GRID: RegionLevel.COMMUNITY,
}


class RegionKind(models.TextChoices):
    DISTRICT = "区", _("district")
    TOWN = "镇", _("town")
    STREET = "街道", _("street")
    VILLAGE = "村", _("village")
    COMMUNITY = "社区", _("community")
    GRID = "网格", _("grid")


class Zone(ScopedModel):
    """One of the five functional areas of 一核一带三区."""

    class Kind(models.TextChoices):
        CORE = "core", _("Core (一核)")
        BELT = "belt", _("Belt (一带)")
        AREA = "area", _("Zone (三区)")

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    geojson = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True, validators=[validate_outline])
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_region = None  # reference data: anyone allowed to view zones sees all of them

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class TreeNode(ScopedModel):
    """A node with a materialised path of codes ("/210404/210404001/"): a subtree is one indexed
    prefix query. The invariants live here, so admin, services and scripts all keep them."""

    parent: Any  # each tree's own ForeignKey to itself

    code = models.CharField(_("code"), max_length=32, unique=True,
                            error_messages={"unique": _("This code is already used.")})
    name = models.CharField(_("name"), max_length=100)
    path = models.CharField(max_length=255, db_index=True, editable=False, blank=True, default="",
                            verbose_name=_("path"))
    depth = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("depth"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = self._stored_path()
        self._refuse_cycle(stored)
        parent = self.parent
        self.path = (parent.path if parent else "/") + self.code + "/"
        self.depth = parent.depth + 1 if parent else 0
        with transaction.atomic():
            super().save(*args, **kwargs)
            if stored and stored != self.path:
                self._repath_descendants(stored)

    def clean(self) -> None:
        super().clean()
        if not CODE_PATTERN.match(self.code or ""):
            raise ValidationError({"code": _("Use 1–32 letters, digits, '-' or '_'.")})
        self._refuse_cycle(self._stored_path())

    def descendants(self, include_self: bool = True) -> models.QuerySet[Any]:
        qs = type(self).objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self) -> models.QuerySet[Any]:
        codes = [part for part in self.path.strip("/").split("/")[:-1] if part]
        return type(self).objects.filter(code__in=codes).order_by("depth")

    def _stored_path(self) -> str | None:
        if self.pk is None:
            return None
        return type(self)._base_manager.filter(pk=self.pk).values_list("path", flat=True).first()

    def _refuse_cycle(self, stored: str | None) -> None:
        parent = self.parent
        if parent is not None and stored and (parent.pk == self.pk or parent.path.startswith(stored)):
            raise ValidationError({"parent": _("A node cannot be placed under itself or its own descendant.")})

    def _repath_descendants(self, old_path: str) -> None:
        depth_change = self.depth - (old_path.count("/") - 2)
        type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
            depth=models.F("depth") + depth_change,
        )


class Region(TreeNode):
    """District → 镇/街道 → 村/社区 → 网格."""

    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=4, choices=RegionKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="regions")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    geojson = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True, validators=[validate_outline])
    # 托管: a town/street the district lists but another body runs (李石街道 and 拉古满族乡 by 抚顺经济开发区);
    # the district's own programmes (the stations' 90 villages/communities) count the others.
    entrusted_to = models.CharField(_("entrusted to (托管)"), max_length=50, blank=True)

    scope_region = "pk"

    def clean(self) -> None:
        super().clean()
        wanted = PARENT_LEVEL.get(self.level)
        if wanted is None and self.parent is not None:
            raise ValidationError({"parent": _("A district cannot have a parent region.")})
        if wanted is not None and (self.parent is None or self.parent.level != wanted):
            raise ValidationError({"parent": _("A %(level)s must be placed under a %(parent)s.") % {
                "level": self.get_level_display(), "parent": Region(level=wanted).get_level_display()}})
        stored_level = type(self)._base_manager.filter(pk=self.pk).values_list("level", flat=True).first()
        if stored_level and stored_level != self.level and self.children.exists():
            raise ValidationError({"level": _("The level of a region with sub-regions cannot change.")})

    class Meta(TreeNode.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def get_absolute_url(self) -> str:
        return reverse("org:region_detail", args=[self.pk])


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("District government")
    DEPARTMENT = "department", _("Department")
    STREET_GOV = "street_gov", _("Town/street government")
    COMMUNITY_COMMITTEE = "committee", _("Village/community committee")
    ENTERPRISE = "enterprise", _("Enterprise")
    COOPERATIVE = "cooperative", _("Co-operative")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    STATION = "station", _("Proxy service station")
    OTHER = "other", _("Other")


class Unit(TreeNode):
    """A department, a town/street government, an enterprise, a co-operative, a volunteer team."""

    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent unit"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="units")
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="units")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
                              validators=[MinValueValidator(-180), MaxValueValidator(180)])

    scope_region = "region"
    scope_unit = "pk"

    class Meta(TreeNode.Meta):
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def get_absolute_url(self) -> str:
        return reverse("org:unit_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Person(MaskedPersonalData, ScopedModel):
    """Someone the district works with: staff, agents, operators, volunteers. Has PII."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    title = models.CharField(_("position"), max_length=50, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="people")
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("login account"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="person")
    party_member = models.BooleanField(_("party member"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_region = "region"
    scope_unit = "unit"
    scope_owner = "user"
    audit_masked = {"id_number": mask_id_number, "phone": mask_phone}  # the trail never holds them in full

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:person_detail", args=[self.pk])


class RoleAssignment(ScopedModel):
    """A user holds a role over a region subtree or a unit subtree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="role_assignments")
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments")
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="role_assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="role_assignments")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("granted"), default=timezone.now)
    # 自定义数据权限: this assignment's own data scope (blank: its role's); "custom" reaches exactly the
    # chosen regions and units (each with what lies below it), and the region/unit above only files it.
    data_scope = models.CharField(_("data scope"), max_length=10, choices=DataScope.choices, blank=True)
    regions = models.ManyToManyField(Region, verbose_name=_("custom regions"), blank=True,
                                     related_name="custom_role_assignments")
    units = models.ManyToManyField(Unit, verbose_name=_("custom units"), blank=True,
                                   related_name="custom_role_assignments")

    # A role held at a unit (an agent's station) is within the region the unit sits in: a community's
    # secretary appoints and revokes the agents of the community's stations.
    scope_region = ("region", "unit__region")
    scope_unit = "unit"
    scope_owner = "user"

    class Meta:
        ordering = ["user__username", "role__sort_order"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(region__isnull=False, unit__isnull=True)
                           | models.Q(region__isnull=True, unit__isnull=False)),
                name="role_assignment_one_scope",
            ),
            # One constraint per kind of scope: the other column is NULL, and NULLs never collide in a unique index
            # (a single constraint over user, role, region and unit held for no grant at all).
            models.UniqueConstraint(fields=["user", "role", "region"], condition=models.Q(unit__isnull=True),
                                    name="role_assignment_unique_at_region"),
            models.UniqueConstraint(fields=["user", "role", "unit"], condition=models.Q(region__isnull=True),
                                    name="role_assignment_unique_at_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.scope}"

    @property
    def scope(self) -> Region | Unit | None:
        return self.region or self.unit

    @property
    def effective_scope(self) -> str:
        return self.data_scope or self.role.data_scope
