"""Core records: accounts, roles, the audit trail, the login log and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .access import LogQuerySet, VisibilityMixin
from .audit import AuditedModel, AuditedQuerySet
from .scopes import DataScope


class UserQuerySet(VisibilityMixin, AuditedQuerySet["User"]):
    """Accounts are scoped by the person behind them: a street's staff manage the accounts of their street."""


class AuditedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # django-stubs cannot follow a dynamic base
    pass


class User(AbstractUser, AuditedModel):
    """A login account. The person behind it (unit, region, phone) is an org.Person."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    audit_exclude = {"password", "last_login"}
    scope_region = "person__region"
    scope_unit = "person__unit"
    scope_owner = "pk"

    objects = AuditedUserManager()  # type: ignore[misc]  # django-stubs reads AbstractUser.objects as a ClassVar

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]  # a lazy string; the stubs of AbstractUser.Meta say str
        verbose_name_plural = _("users")  # type: ignore[assignment]  # as verbose_name

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("org:account_detail", args=[self.pk])  # 用户管理 keeps accounts


class Role(AuditedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    data_scope = models.CharField(_("data scope"), max_length=10, choices=DataScope.choices,
                                  default=DataScope.SUBTREE)
    permissions = models.JSONField(_("permissions"), default=list, blank=True,
                                   help_text=_("Action patterns such as org.view_* or org.change_person"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    builtin = models.BooleanField(_("built in"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en

    @property
    def permission_labels(self) -> list[str]:
        """The role's rights as people read them (代办服务站：查看全部), not as permission codes."""
        from .roles import permission_label

        return [permission_label(pattern) for pattern in self.permissions]


def _dash(value: object) -> object:
    return "—" if value is None else value


class AuditEntry(models.Model):
    """One change to one record (or one full view of personal data). Never edited."""

    ACTIONS = [
        ("create", _("Created")),
        ("update", _("Updated")),
        ("delete", _("Deleted")),
        ("transition", _("State change")),
        ("pii_view", _("Viewed personal data")),
        ("bulk", _("Bulk generation")),
    ]
    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="audit_entries")
    actor_label = models.CharField(_("actor name"), max_length=150)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=ACTIONS)
    label = models.CharField(_("operation"), max_length=100, blank=True)
    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), null=True, blank=True,
                                     on_delete=models.PROTECT)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    scope_region = None
    scope_unit = None
    scope_owner = "actor"
    objects = LogQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-timestamp"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def shown(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Before and after as they may be shown: personal data masked as on the record's page."""
        from .audit import masked_values

        model = ContentType.objects.get_for_id(self.content_type_id).model_class() if self.content_type_id else None
        return masked_values(model, self.before), masked_values(model, self.after)

    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.shown()
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys]

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """The changes as the record's page words them: field names, choice labels, local times."""
        from .audit_display import readable_changes

        return readable_changes(self)

    def summary(self) -> str:
        """One line for lists and exports: the changed fields, or the record's fields when created/deleted."""
        changes = self.readable_changes()
        if self.action == "update" or (self.before and self.after):
            return "; ".join(f"{label}: {_dash(b)} → {_dash(a)}" for label, b, a in changes)
        return "; ".join(f"{label}={a if b is None else b}" for label, b, a in changes
                         if (a if b is None else b) not in (None, ""))


class LoginEvent(models.Model):
    """登录日志: every login attempt, its address, device and result."""

    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    username = models.CharField(_("username"), max_length=150, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name=_("user"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    success = models.BooleanField(_("succeeded"))
    event = models.CharField(_("event"), max_length=20, default="login")

    scope_region = None
    scope_unit = None
    scope_owner = "user"
    objects = LogQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = _("login event")
        verbose_name_plural = _("login log")

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.username} {'ok' if self.success else 'failed'}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(AuditedModel):
    """A machine's credential. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    audit_exclude = {"key_hash", "last_used_at"}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return "wh_" + secrets.token_urlsafe(32)

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class DictType(AuditedModel):
    """字典管理: a category list edited in the UI (errand kinds, case 小类, titles …)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    builtin = models.BooleanField(_("built in"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dictionary")
        verbose_name_plural = _("dictionaries")

    def __str__(self) -> str:
        return self.name


class DictItem(AuditedModel):
    dict_type = models.ForeignKey(DictType, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("dictionary"))
    value = models.CharField(pgettext_lazy("dictionary", "value"), max_length=60)
    label = models.CharField(_("label"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["dict_type", "sort_order", "value"]
        constraints = [models.UniqueConstraint(fields=["dict_type", "value"], name="dict_item_unique_value")]
        verbose_name = _("dictionary item")
        verbose_name_plural = _("dictionary items")

    def __str__(self) -> str:
        return self.label


class Notice(AuditedModel):
    """通知公告: announcements every logged-in user sees on the overview while they are current."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")
        ANNOUNCEMENT = "announcement", _("Announcement")

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTICE)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               verbose_name=_("author"))

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class NoticeRead(AuditedModel):
    """A user has read a notice (已读): the home shows the unread ones first, the notices page marks them."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads", verbose_name=_("notice"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("reader"))
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once")]
        verbose_name = _("notice read")
        verbose_name_plural = _("notices read")

    def __str__(self) -> str:
        return f"{self.user} · {self.notice}"


class ScheduledJobQuerySet(VisibilityMixin, AuditedQuerySet["ScheduledJob"]):
    pass


class ScheduledJob(AuditedModel):
    """A scheduled job's switch (定时任务 暂停/恢复); the jobs themselves are declared in each app's jobs.py."""

    name = models.CharField(_("job"), max_length=60, primary_key=True)
    paused = models.BooleanField(_("paused"), default=False)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("changed by"))

    scope_region = None
    scope_unit = None
    scope_owner = None
    objects = ScheduledJobQuerySet.as_manager()  # type: ignore[misc]  # as ScopedModel.objects

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        from .jobs import label_of

        return label_of(self.name)


class JobRun(models.Model):
    """调度日志: every run of a scheduled job, from the schedule, on demand (立即执行) or from a command."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", pgettext_lazy("job trigger", "Schedule")
        DEMAND = "demand", _("Run now")
        COMMAND = "command", _("Command line")

    job = models.CharField(_("job"), max_length=60, db_index=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("requested by"))
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)  # None while it runs
    counts = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    scope_region = None
    scope_unit = None
    scope_owner = None
    objects = LogQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"])]
        verbose_name = _("job run")
        verbose_name_plural = _("job log")

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def job_label(self) -> str:
        from .jobs import label_of

        return label_of(self.job)

    @property
    def result_text(self) -> str:
        from .jobs import REGISTRY

        entry = REGISTRY.get(self.job)
        return entry.describe_result(self.counts) if entry else ""

    @property
    def outcome(self) -> str:
        if self.succeeded is None:
            return str(pgettext_lazy("job outcome", "Running"))
        return str(pgettext_lazy("job outcome", "Succeeded") if self.succeeded else pgettext_lazy("job outcome",
                                                                                                    "Failed"))

    @property
    def error_summary(self) -> str:
        """The error's last line (the exception), for lists; the page shows the whole traceback on demand."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1][:300] if lines else ""
