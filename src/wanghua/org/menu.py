"""Organisation: regions, units, people and who holds which role."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.menu import Item, register

ADMINISTERS = "org.view_roleassignment"  # who keeps the organisation (street, leaders, administrators)

register(
    Item("org", _("Region tree"), "org:region_tree", order=10, icon="bi-diagram-3", perm=ADMINISTERS),
    Item("org", _("Regions"), "org:regions", order=20, perm=ADMINISTERS),
    Item("org", _("Units"), "org:units", order=30, perm=ADMINISTERS),
    Item("org", _("People"), "org:people", order=40, perm=ADMINISTERS),
    Item("org", _("Role assignments"), "org:assignments", order=50, perm=ADMINISTERS),
    # 系统管理's 用户管理 and 角色管理 (RuoYi's first two): accounts and roles are kept here, in org, with the grants.
    Item("system", _("User management"), "org:accounts", order=1, icon="bi-people"),
    Item("system", _("Role management"), "org:roles", order=2, perm=ADMINISTERS),
)
