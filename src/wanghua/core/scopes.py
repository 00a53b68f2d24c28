"""Data scopes of roles (RuoYi's 数据权限), kept free of model imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    """RuoYi's data scopes, mapped onto region/unit grants (docs/architecture.md)."""

    ALL = "all", _("All data")
    SUBTREE = "subtree", _("Own region/unit and below")
    NODE = "node", _("Own region/unit only")
    SELF = "self", _("Own records only")
    CUSTOM = "custom", _("Custom regions/units")  # 自定义: the assignment names its regions and units


# A custom scope is a chosen set of subtrees: as wide as a subtree grant, never wider than the granter's own.
DATA_SCOPE_RANK = {DataScope.SELF: 1, DataScope.NODE: 2, DataScope.CUSTOM: 3, DataScope.SUBTREE: 3,
                   DataScope.ALL: 4}
