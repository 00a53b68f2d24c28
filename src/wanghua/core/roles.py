"""The built-in roles of DESIGN.md §4. Their permissions live here, in code, and are synced into
the Role table after every migrate; roles created in the UI are left alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.translation import pgettext_lazy

ORG_READ = ["org.view_*", "org.export_*"]
SERVICES_WORK = ["services.view_*", "services.add_errand", "services.change_errand", "services.add_ledgerentry",
                 "services.add_resident", "services.change_resident", "services.reveal_resident",
                 "services.add_diarynote", "services.export_diarynote", "services.add_errandattachment"]
SERVICES_READ = ["services.view_*", "services.export_*"]
# Operators watch their enterprise's lines, acknowledge and register alarms, and give stop reasons;
# shelving, suppressing and taking alarms out of service is for the plant's production managers.
INDUSTRY_WORK = ["industry.view_*", "industry.export_*", "industry.add_alarmevent", "industry.change_stop"]
PROJECT_WORK = ["projects.view_*", "projects.export_*", "projects.add_monthlyreport", "projects.change_monthlyreport",
                "projects.add_projectissue", "projects.change_projectissue", "projects.add_servicerecord"]
# Units keep their projects, review reports, and follow their applications upwards and their investment leads.
PROJECT_UNIT = [*PROJECT_WORK, "projects.add_project", "projects.change_project", "projects.review_monthlyreport",
                "projects.add_application", "projects.change_application", "projects.add_lead",
                "projects.change_lead"]
# Whoever answers for a street, a community or a department's work sees its boards.
BOARDS = ["dashboard.view_indicatorvalue"]
# District leaders set the indicators' yearly targets, enter external statistics and refresh the boards.
DASHBOARD_PLANNING = ["dashboard.add_indicatortarget", "dashboard.change_indicatortarget",
                      "dashboard.delete_indicatortarget", "dashboard.add_externalstatistic",
                      "dashboard.refresh_indicators"]
LAB_WORK = ["lab.view_laborder", "lab.add_laborder", "lab.export_laborder", "lab.view_specimen",
            "lab.view_testresult", "lab.add_testresult", "lab.export_testresult",
            "lab.view_standard", "lab.view_gradelimit", "lab.view_heatanalysis", "lab.add_heatanalysis",
            "lab.view_delivery", "lab.add_delivery", "lab.view_certificate", "lab.add_certificate",
            "lab.export_certificate", "lab.view_labprofile"]
# 审核/批准: a second person approves (or sends back) a heat's verdict, withdraws certificates and keeps the
# lab's certificate settings (number pattern, seal); never records results.
LAB_REVIEW = ["lab.view_*", "lab.export_*", "lab.approve_laborder", "lab.add_labprofile", "lab.change_labprofile"]
# The lab was part of `industry` until it became its own app: operators and production managers keep what
# their `industry.*` patterns gave them over it (reading the heats' results; production managers everything).
LAB_READ = ["lab.view_*", "lab.export_*"]
CIVIC_READ = ["civic.view_*", "civic.export_*"]
# Whoever appoints grid inspectors can do what they do: see and report the cases of their area, see their photos,
# and verify (核查) on site what the units report handled.
CIVIC_REPORT = ["civic.view_case", "civic.add_case", "civic.view_casecategory", "civic.view_casephoto",
                "civic.verify_case"]
VOLUNTEERING = ["civic.view_activity", "civic.view_signup", "civic.add_signup", "civic.change_signup"]
ORGANISING = [*VOLUNTEERING, "civic.add_activity", "civic.change_activity", "civic.export_activity"]
ORG_STAFF = [*ORG_READ, "org.add_person", "org.change_person", "org.reveal_person"]
# 用户管理 within one's own scope: the accounts of one's street (org.services.manages says which).
ACCOUNTS = ["core.view_user", "core.add_user", "core.change_user", "core.export_user"]
# 雷锋文化: anyone with a role may nominate a 身边榜样; communities review first, streets second, the 文明办 last.
NOMINATING = ["culture.add_nomination", "culture.view_nomination", "culture.add_nominationphoto",
              "culture.view_nominationphoto"]
CULTURE_READ = ["culture.view_*", "culture.export_*"]
# Volunteers redeem their points at a 积分超市 and print their own 志愿服务证明.
POINTS_OWN = ["culture.add_redemption", "culture.add_servicecertificate", "culture.view_servicecertificate"]
CULTURE_COMMUNITY = [*CULTURE_READ, *NOMINATING, *POINTS_OWN, "culture.review_nomination", "culture.add_goods",
                     "culture.change_goods"]

BUILTIN_ROLES: list[dict[str, Any]] = [
    {"code": "sysadmin", "name_zh": "系统管理员", "name_en": "System administrator", "data_scope": "all",
     "permissions": ["*"], "description": "平台运维：账号、角色、字典与系统设置"},
    {"code": "leader", "name_zh": "区级领导", "name_en": "District leader", "data_scope": "all",
     "permissions": ["*.view_*", "*.export_*", "core.view_auditentry", "core.view_loginevent", "core.add_notice",
                     "core.change_notice", *DASHBOARD_PLANNING],
     "description": "区级领导：查看全区各项工作与数据"},
    {"code": "department", "name_zh": "部门", "name_en": "Department staff", "data_scope": "subtree",
     "permissions": [*ORG_STAFF, "org.change_unit", *PROJECT_UNIT, *CIVIC_READ, "civic.handle_case",
                     "civic.add_progressreport", "civic.change_milestone", "civic.add_commitment", *BOARDS],
     "description": "区直部门工作人员，数据范围为本单位"},
    {"code": "culture", "name_zh": "文明办", "name_en": "Civilisation office", "data_scope": "subtree",
     "permissions": [*ORG_READ, "culture.*", *CIVIC_READ, *BOARDS],
     "description": "区文明办：事迹原点、研学路线、身边榜样审核与公示、积分规则"},
    {"code": "street", "name_zh": "镇街", "name_en": "Town/street staff", "data_scope": "subtree",
     "permissions": [*ORG_STAFF, *ACCOUNTS, *SERVICES_WORK, *SERVICES_READ, "services.add_station",
                     "services.change_station", "org.delete_person", "org.add_region", "org.change_region",
                     "org.add_unit", "org.change_unit", "org.add_roleassignment", "org.view_roleassignment",
                     "org.delete_roleassignment", *CIVIC_READ, "civic.add_case", "civic.verify_case", *ORGANISING,
                     *BOARDS, *CULTURE_READ, *NOMINATING, "culture.endorse_nomination"],
     "description": "镇/街道工作人员，数据范围为本镇街"},
    {"code": "secretary", "name_zh": "社区书记", "name_en": "Community secretary", "data_scope": "subtree",
     "permissions": [*ORG_STAFF, *SERVICES_WORK, *SERVICES_READ, "services.add_station", "services.change_station",
                     "org.add_region", "org.change_region", "org.add_roleassignment",
                     "org.view_roleassignment", "org.delete_roleassignment", *CIVIC_REPORT, *ORGANISING, *BOARDS,
                     *CULTURE_COMMUNITY],
     "description": "村/社区书记，数据范围为本村（社区）"},
    {"code": "agent", "name_zh": "代办员", "name_en": "Proxy agent", "data_scope": "subtree",
     "permissions": ["org.view_region", "org.view_zone", "org.view_person", *SERVICES_WORK],
     "description": "党员家庭代办站代办员：受理、办理群众代办事项"},
    {"code": "steward", "name_zh": "项目管家", "name_en": "Project steward", "data_scope": "subtree",
     "permissions": ["org.view_region", "org.view_zone", "org.view_unit", *PROJECT_WORK, *BOARDS],
     "description": "项目管家：跟踪所管项目的手续、进度与投资"},
    {"code": "operator", "name_zh": "企业操作员", "name_en": "Plant operator", "data_scope": "subtree",
     "permissions": ["org.view_zone", "org.view_unit", *INDUSTRY_WORK, *LAB_READ],
     "description": "生产线操作员：查看产线实时数据，处置报警与停机"},
    {"code": "plant_manager", "name_zh": "企业生产主管", "name_en": "Plant production manager",
     "data_scope": "subtree", "permissions": ["org.view_zone", "org.view_unit", "industry.*", "lab.*"],
     "description": "生产主管：配置本企业产线、测点与报警规则，搁置和屏蔽报警"},
    {"code": "lab", "name_zh": "检验员", "name_en": "Lab inspector", "data_scope": "subtree",
     "permissions": ["org.view_zone", "org.view_unit", *LAB_WORK],
     "description": "智检中心检验员：登记样品、录入检验结果"},
    {"code": "lab_reviewer", "name_zh": "检验审核员", "name_en": "Lab reviewer", "data_scope": "subtree",
     "permissions": ["org.view_zone", "org.view_unit", *LAB_REVIEW],
     "description": "智检中心审核/批准：审核并批准他人录入的炉次检验结果"},
    {"code": "grid", "name_zh": "网格员", "name_en": "Grid inspector", "data_scope": "subtree",
     "permissions": ["org.view_region", "org.view_zone", *CIVIC_REPORT],
     "description": "网格员：上报本网格案件并现场核查"},
    {"code": "command", "name_zh": "城管指挥中心", "name_en": "City-management command centre",
     "data_scope": "subtree", "permissions": ["org.view_region", "org.view_zone", "org.view_unit", "civic.*",
                                             *BOARDS],
     "description": "数字城管监督指挥中心：受理、派遣、核查与结案"},
    {"code": "volunteer", "name_zh": "志愿者", "name_en": "Volunteer", "data_scope": "subtree",
     "permissions": ["org.view_zone", "org.view_unit", *VOLUNTEERING, *NOMINATING, *POINTS_OWN],
     "description": "志愿服务队队员：参加活动、记录服务时长与积分"},
    {"code": "resident", "name_zh": "居民", "name_en": "Resident", "data_scope": "self",
     # 我的: the errands run for them, the cases they reported, their volunteer hours (data scope "self").
     "permissions": ["org.view_zone", "org.view_person", "services.view_errand", "civic.view_case",
                     "civic.view_signup", *NOMINATING], "description": "居民：查看本人的代办事项、上报案件与志愿记录"},
]


def sync_builtin_roles(**kwargs: Any) -> None:
    """post_migrate: make the built-in roles match the code (UI-made roles are untouched)."""
    from .models import Role

    for order, spec in enumerate(BUILTIN_ROLES):
        role = Role.objects.filter(code=spec["code"]).first() or Role(code=spec["code"])
        wanted = {**spec, "builtin": True, "sort_order": order}
        if role.pk and all(getattr(role, k) == v for k, v in wanted.items()):
            continue
        for key, value in wanted.items():
            setattr(role, key, value)
        role.save()


# How a permission pattern reads on the roles page: "services.view_*" is 代办服务站：查看全部.
ACTION_LABELS = {
    "view": pgettext_lazy("permission", "view"), "add": pgettext_lazy("permission", "add"),
    "change": pgettext_lazy("permission", "change"), "delete": pgettext_lazy("permission", "delete"),
    "export": pgettext_lazy("permission", "export"), "reveal": pgettext_lazy("permission", "reveal"),
    "review": pgettext_lazy("permission", "review"), "handle": pgettext_lazy("permission", "handle"),
    "approve": pgettext_lazy("permission", "approve"), "refresh": pgettext_lazy("permission", "refresh"),
    "endorse": pgettext_lazy("permission", "endorse"), "answer": pgettext_lazy("permission", "answer"),
    "verify": pgettext_lazy("permission", "verify"), "dispatch": pgettext_lazy("permission", "dispatch"),
}


def permission_label(pattern: str) -> str:
    from django.apps import apps
    from django.utils.translation import gettext as gettext_now

    if pattern == "*":
        return gettext_now("every right")
    app_label, _dot, codename = pattern.partition(".")
    app = (gettext_now("every module") if app_label == "*"
           else str(apps.get_app_config(app_label).verbose_name) if app_label in apps.app_configs else app_label)
    if codename in ("*", ""):
        return gettext_now("%(app)s: every right") % {"app": app}
    action, _underscore, model_name = codename.partition("_")
    verb = str(ACTION_LABELS.get(action, action))
    if model_name == "*":
        return gettext_now("%(app)s: %(verb)s all") % {"app": app, "verb": verb}
    model = _model_named(app_label, model_name)
    if model is None:  # a right named as a whole (dashboard.refresh_indicators): its declared name
        named = {f"{m._meta.app_label}.{c}": n for m in apps.get_models() for c, n in m._meta.permissions}
        if pattern in named:
            return gettext_now("%(app)s: %(verb)s") % {"app": app, "verb": named[pattern]}
    noun = str(model._meta.verbose_name) if model else model_name
    return gettext_now("%(app)s: %(verb)s %(noun)s") % {"app": app, "verb": verb, "noun": noun}


# --- the rights catalogue (角色管理's tree) ---------------------------------------------------------------------
# Rights are grouped as RuoYi's menu tree: module (app) → menu (one kind of record, with the menu items whose page
# it opens) → rights, where 查看 is the menu right and the others are the button rights on its pages.

DEFAULT_ACTIONS = ("view", "add", "change", "delete", "export")


@dataclass(frozen=True)
class Right:
    code: str
    label: str
    is_menu: bool


@dataclass
class MenuRights:
    label: str
    menu_items: list[str]
    rights: list[Right]


@dataclass
class ModuleRights:
    label: str
    menus: list[MenuRights]


def _declared_codes() -> set[str]:
    """Every right something checks by name: pages' access rules, menu items, to-dos and the built-in roles."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from .menu import REGISTRY, TODOS
    from .rules import rule_for

    codes: set[str] = {item.perm for item in REGISTRY if item.perm} | {todo.perm for todo in TODOS if todo.perm}
    codes |= {p for spec in BUILTIN_ROLES for p in spec["permissions"] if "*" not in p}

    def walk(patterns: Sequence[URLPattern | URLResolver], namespaces: tuple[str, ...] = ()) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, (*namespaces, pattern.namespace) if pattern.namespace else namespaces)
                continue
            rule = rule_for(pattern.callback, namespaces)
            if rule is not None and rule.perm:
                codes.add(rule.perm)

    walk(get_resolver().url_patterns)
    return codes


@lru_cache(maxsize=1)
def catalogue_codes() -> frozenset[str]:
    """Every right a role can be given: the usual five on each of the platform's records, their declared extra
    rights, and whatever a page or menu checks by name."""
    from django.apps import apps

    codes = set(_declared_codes())
    for model in apps.get_models():
        if not model.__module__.startswith("wanghua.") or model._meta.auto_created:
            continue
        meta = model._meta
        codes |= {f"{meta.app_label}.{action}_{meta.model_name}" for action in DEFAULT_ACTIONS}
        codes |= {f"{meta.app_label}.{codename}" for codename, _name in meta.permissions}
    return frozenset(code for code in codes if "*" not in code and "." in code)


def _menu_items_by_perm() -> dict[str, list[str]]:
    """Which menu items each right opens (the right a menu item's page, or the item itself, asks for)."""
    from django.urls import NoReverseMatch, Resolver404, resolve

    from .menu import REGISTRY
    from .rules import rule_for

    found: dict[str, list[str]] = {}
    for item in REGISTRY:
        wanted = None
        if not item.raw_url:  # the right the item's page asks for, else the one the item itself asks for
            try:
                match = resolve(item.url_for(type("Probe", (), {"pk": 1})()).split("?")[0])
            except (NoReverseMatch, Resolver404):
                continue
            rule = rule_for(match.func, match.namespaces)
            wanted = rule.perm if rule else None
        wanted = wanted or item.perm
        if wanted:
            found.setdefault(wanted, []).append(str(item.label))
    return found


def permission_catalogue() -> list[ModuleRights]:
    """The catalogue as the role editor shows it, in Chinese, modules in the order of the apps."""
    from django.apps import apps
    from django.utils.translation import gettext as gettext_now

    menus = _menu_items_by_perm()
    by_app: dict[str, dict[str, list[str]]] = {}
    for code in sorted(catalogue_codes()):
        app_label, _dot, codename = code.partition(".")
        _action, _sep, noun = codename.partition("_")
        by_app.setdefault(app_label, {}).setdefault(noun, []).append(code)
    order = {config.label: n for n, config in enumerate(apps.get_app_configs())}
    modules = []
    for app_label in sorted(by_app, key=lambda label: order.get(label, 999)):
        config = apps.app_configs.get(app_label)
        entries = []
        for noun, codes in by_app[app_label].items():
            model = _model_named(app_label, noun)
            label = str(model._meta.verbose_name_plural) if model else gettext_now("Other rights")
            rights = sorted((Right(code, _right_label(code), code.partition(".")[2].startswith("view_"))
                             for code in codes), key=lambda r: (not r.is_menu, _action_rank(r.code), r.code))
            entries.append(MenuRights(label, sorted({m for r in rights for m in menus.get(r.code, [])}), rights))
        modules.append(ModuleRights(str(config.verbose_name) if config else app_label,
                                    sorted(entries, key=lambda e: e.label)))
    return modules


def _action_rank(code: str) -> int:
    action = code.partition(".")[2].partition("_")[0]
    return DEFAULT_ACTIONS.index(action) if action in DEFAULT_ACTIONS else len(DEFAULT_ACTIONS)


def _right_label(code: str) -> str:
    """The button's name alone (新增), its menu being the group it sits in; a right named as a whole keeps it."""
    from django.utils.translation import gettext as gettext_now

    app_label, _dot, codename = code.partition(".")
    action, _sep, noun = codename.partition("_")
    if action in ACTION_LABELS and _model_named(app_label, noun) is not None:
        return str(ACTION_LABELS[action])
    return permission_label(code).partition("：")[2] or gettext_now(permission_label(code))


def _model_named(app_label: str, model_name: str) -> type[models.Model] | None:
    """The model a right names: in its app, or (core.view_session) any app's model of that name."""
    from django.apps import apps

    found = [m for m in apps.get_models() if m._meta.model_name == model_name]
    return next((m for m in found if m._meta.app_label == app_label), found[0] if found else None)


def holds(patterns: list[str] | tuple[str, ...], code: str) -> bool:
    """Whether a role with `patterns` (which may be wildcards) has the right `code`."""
    return any(fnmatchcase(code, pattern) for pattern in patterns)
