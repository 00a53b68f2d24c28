"""字典管理 for city management: case categories (大类/小类 with their deadlines and Open311 attributes) and the
year's campaign actions. Edited in the UI by the command centre; every change audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change, grants_of, require
from wanghua.core.changes import apply_fields
from wanghua.core.models import User

from ..models import CampaignAction, CaseCategory

CATEGORY_FIELDS = {"code", "name", "kind", "parent", "accept_hours", "handle_hours", "default_unit", "attributes",
                   "active"}
ACTION_FIELDS = {"code", "name", "year", "description"}
# Open311 GeoReport v2 attribute datatypes; the list ones need their values.
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
LIST_DATATYPES = {"singlevaluelist", "multivaluelist"}


def may_edit(user: User, perm: str) -> bool:
    """The catalogue is the district's: a street's command centre uses it, only a district-wide grant edits it."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(g.allows(perm) and g.covers_everything for g in grants_of(user))


def _require_district_wide(actor: User, perm: str) -> None:
    if not may_edit(actor, perm):
        raise PermissionDenied(_("Only a district-wide grant edits the case catalogue."))


def _attribute_error(attribute: Any, seen: set[str]) -> str | None:
    if not isinstance(attribute, dict):
        return _("each attribute is an object with code, description and datatype")
    code = attribute.get("code")
    if not isinstance(code, str) or not code.isidentifier():
        return _("the code “%(code)s” must be letters, digits or _") % {"code": code}
    if code in seen:
        return _("the code “%(code)s” appears twice") % {"code": code}
    seen.add(code)
    if attribute.get("datatype") not in DATATYPES:
        return (_("“%(code)s”: datatype must be one of %(types)s")
                % {"code": code, "types": ", ".join(sorted(DATATYPES))})
    if not isinstance(attribute.get("required", False), bool):
        return _("“%(code)s”: required is true or false") % {"code": code}
    values = attribute.get("values", [])
    if attribute["datatype"] in LIST_DATATYPES and not (
            isinstance(values, list) and values and all(isinstance(v, dict) and v.get("key") not in (None, "")
                                                        and v.get("name") for v in values)):
        return _("“%(code)s”: a list needs values, each with a key and a name") % {"code": code}
    return None


def check_attributes(attributes: Any) -> None:
    if not isinstance(attributes, list):
        raise ValidationError({"attributes": _("Attributes are a list.")})
    seen: set[str] = set()
    for attribute in attributes:
        error = _attribute_error(attribute, seen)
        if error:
            raise ValidationError({"attributes": error})


def _check_category(category: CaseCategory) -> None:
    if category.parent_id is not None:
        parent = category.parent
        assert parent is not None  # parent_id is set
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("A 小类 sits under a 大类, not under another 小类.")})
        if parent.kind != category.kind:
            raise ValidationError({"kind": _("A 小类 has the kind of its 大类 (%(kind)s).")
                                   % {"kind": parent.get_kind_display()}})
        if category.pk and category.children.exists():
            raise ValidationError({"parent": _("This 大类 has 小类 of its own and cannot become one.")})
    elif category.attributes:
        raise ValidationError({"attributes": _("Only a 小类 takes reports, so only a 小类 has attributes.")})
    check_attributes(category.attributes)
    category.full_clean()


@transaction.atomic
def create_category(actor: User, **fields: Any) -> CaseCategory:
    category = CaseCategory()
    apply_fields(category, fields, CATEGORY_FIELDS)
    require(actor, "add", category)
    _require_district_wide(actor, "civic.add_casecategory")
    _check_category(category)
    with audit.acting_as(actor):
        category.save()
    return category


@transaction.atomic
def update_category(actor: User, category_id: int, **fields: Any) -> CaseCategory:
    category = fetch_for_change(CaseCategory, actor, "change", category_id)
    _require_district_wide(actor, "civic.change_casecategory")
    apply_fields(category, fields, CATEGORY_FIELDS)
    _check_category(category)
    with audit.acting_as(actor):
        category.save()
    if category.parent_id is None and "kind" in fields:
        for child in category.children.exclude(kind=category.kind):
            child.kind = category.kind
            with audit.acting_as(actor):
                child.save()
    return category


def _set_categories(action: CampaignAction, categories: Iterable[CaseCategory]) -> None:
    """The trail takes the change of links itself (core.audit.record_m2m), as for every many-to-many field."""
    if any(c.parent_id is None for c in categories):
        raise ValidationError({"categories": _("Choose 小类: cases are filed under a 小类.")})
    action.categories.set(categories)


@transaction.atomic
def create_action(actor: User, *, categories: Iterable[CaseCategory] = (), **fields: Any) -> CampaignAction:
    action = CampaignAction()
    apply_fields(action, fields, ACTION_FIELDS)
    require(actor, "add", action)
    _require_district_wide(actor, "civic.add_campaignaction")
    action.full_clean()
    with audit.acting_as(actor):
        action.save()
        _set_categories(action, categories)
    return action


@transaction.atomic
def update_action(actor: User, action_id: int, *, categories: Iterable[CaseCategory] | None = None,
                  **fields: Any) -> CampaignAction:
    action = fetch_for_change(CampaignAction, actor, "change", action_id)
    _require_district_wide(actor, "civic.change_campaignaction")
    apply_fields(action, fields, ACTION_FIELDS)
    action.full_clean()
    with audit.acting_as(actor):
        action.save()
        if categories is not None:
            _set_categories(action, categories)
    return action
