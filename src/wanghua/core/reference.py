"""Dictionaries (字典管理) and notices (通知公告): reference data every module reads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .access import has_perm_anywhere
from .models import DictItem, DictType, Notice, NoticeRead

# Dictionaries the platform ships; each app may add its own entries here as it arrives.
BUILTIN_DICTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "person_title": ("职务", [("secretary", "社区书记"), ("director", "社区主任"), ("grid", "网格员"),
                              ("agent", "党员家庭代办员"), ("worker", "社区工作者"), ("volunteer", "志愿者")]),
    "errand_category": ("代办事项类别", [("documents", "证件代办"), ("collect_fees", "费用代收"),
                                         ("shopping", "日用品代买"), ("pay_bills", "生活费用代缴"),
                                         ("other", "其他")]),
    # 一带: what the operators pick a stop's reason and an alarm registration's cause from.
    "stop_reason": ("停机原因", [
        ("equipment_fault", "设备故障"), ("process", "工艺调整"), ("roll_change", "换辊换规格"),
        ("material", "待料/来料问题"), ("quality", "质量问题"), ("planned", "计划检修"), ("power", "停电/能源介质"),
        ("other", "其他")]),
    "alarm_cause": ("报警原因", [
        ("equipment_fault", "设备故障"), ("process", "工艺波动"), ("sensor", "仪表/传感器故障"),
        ("operation", "操作原因"), ("material", "来料问题"), ("nuisance", "误报/抖动"), ("other", "其他")]),
}


def sync_builtin_dicts(**kwargs: Any) -> None:
    """post_migrate: create the shipped dictionaries and their items once; UI edits are kept."""
    for code, (name, items) in BUILTIN_DICTS.items():
        dict_type, _created = DictType.objects.get_or_create(code=code, defaults={"name": name, "builtin": True})
        for order, (value, label) in enumerate(items):
            DictItem.objects.get_or_create(dict_type=dict_type, value=value,
                                           defaults={"label": label, "sort_order": order})


def choices(code: str) -> list[tuple[str, str]]:
    """The active items of a dictionary, for a form's choices or suggestions."""
    return list(DictItem.objects.filter(dict_type__code=code, active=True).values_list("value", "label"))


def labels(code: str) -> dict[str, str]:
    """Every item of a dictionary, switched off or not: what a stored value reads as."""
    return dict(DictItem.objects.filter(dict_type__code=code).values_list("value", "label"))


def _require(actor: Any, perm: str) -> None:
    if not has_perm_anywhere(actor, perm):
        raise PermissionDenied(_("You do not have permission to do this."))


@transaction.atomic
def save_dict_item(actor: Any, dict_type_id: int, *, value: str, label: str, sort_order: int = 0) -> DictItem:
    _require(actor, "core.change_dictitem")
    if any("\x00" in text for text in (value, label)):
        raise ValidationError(_("Text must not contain NUL characters."))
    dict_type = DictType.objects.get(pk=dict_type_id)
    item = DictItem.objects.filter(dict_type=dict_type, value=value).first() or DictItem(
        dict_type=dict_type, value=value)
    item.label, item.sort_order = label, sort_order
    item.full_clean(validate_unique=False)
    with audit.acting_as(actor):
        item.save()
    return item


@transaction.atomic
def set_dict_item_active(actor: Any, item_id: int, active: bool) -> DictItem:
    _require(actor, "core.change_dictitem")
    item = DictItem.objects.select_for_update().get(pk=item_id)
    item.active = active
    with audit.acting_as(actor):
        item.save()
    return item


def current_notices(limit: int | None = 5) -> models.QuerySet[Notice]:
    now = timezone.now()
    current = Notice.objects.filter(published_at__lte=now).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return current[:limit] if limit else current


def notices_for(user: Any, limit: int = 5) -> list[Notice]:
    """The current notices for `user`'s home, unread first, each with `is_read`."""
    read = NoticeRead.objects.filter(notice=OuterRef("pk"), user=user)
    return list(current_notices(limit=None).annotate(is_read=Exists(read))
                .order_by("is_read", "-published_at", "-id")[:limit])


@transaction.atomic
def mark_notice_read(actor: Any, notice_id: int) -> NoticeRead:
    """已读: a current notice read by `actor` (once; reading it again changes nothing)."""
    notice = current_notices(limit=None).get(pk=notice_id)
    existing = NoticeRead.objects.filter(notice=notice, user=actor).first()
    if existing is not None:
        return existing
    with audit.acting_as(actor):
        return NoticeRead.objects.create(notice=notice, user=actor)


@transaction.atomic
def publish_notice(actor: Any, **fields: Any) -> Notice:
    _require(actor, "core.add_notice")
    notice = Notice(author=actor, **fields)
    if notice.expires_at and notice.expires_at <= notice.published_at:
        raise ValidationError({"expires_at": _("The notice must expire after it is published.")})
    notice.full_clean()
    with audit.acting_as(actor):
        notice.save()
    return notice


@transaction.atomic
def withdraw_notice(actor: Any, notice_id: int) -> None:
    _require(actor, "core.change_notice")
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    notice.expires_at = timezone.now()
    with audit.acting_as(actor):
        notice.save()
