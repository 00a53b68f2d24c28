"""The menu registry: each app's `menu.py` declares its menu items and quick actions; the menu, the home
page's shortcuts and the boards' drill-down links are built from it for one user, so nobody is shown a link
that answers 403.

    # stations/menu.py
    from wanghua.core.menu import Item, register

    register(
        Item("core", _("Today's errands"), "services:today", icon="bi-list-check", quick=True, order=10),
        Item("core", _("Cash report"), "services:cash", order=80),
    )

An item is shown when the user passes the access rule its page declares (`@access(...)`, read from the URL
itself) and, when given, the item's own `perm`. `link_for(user, url)` answers the same question for any
URL (a board's drill-down), so a page never shows a link its reader cannot open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, Resolver404, get_urlconf, resolve, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .access import grants_of, has_perm_anywhere, holds_beyond_self
from .rules import DELEGATED, Rule, rule_for


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    order: int


SECTIONS: dict[str, Section] = {s.key: s for s in (
    Section("core", _("One core"), 10),
    Section("belt", _("One belt"), 20),
    Section("zones", _("Three zones"), 30),
    Section("civic", _("Livelihood & civility"), 40),
    Section("goals", _("Six goals"), 50),
    Section("org", _("Organisation"), 60),
    Section("system", _("System"), 70),
    Section("account", _("Account"), 90),  # the user's own menu at the right
)}


@dataclass(frozen=True)
class Item:
    section: str
    label: Any
    url_name: str
    args: tuple[Any, ...] = ()
    perm: str | None = None  # needed on top of the page's own access rule
    order: int = 100
    quick: bool = False  # also a shortcut on the home page
    icon: str = ""
    staff_only: bool = False
    when: Callable[[Any], bool] | None = field(default=None, compare=False)  # a further condition on the user
    for_user: bool = False  # the URL takes the user's own id (e.g. "my changes")
    raw_url: str = ""  # a URL outside Django's resolver (the API docs)

    def url_for(self, user: Any) -> str:
        if self.raw_url:
            return self.raw_url
        return _reverse(self.url_name, (user.pk,) if self.for_user else self.args)


REGISTRY: list[Item] = []


def register(*items: Item) -> None:
    for item in items:
        if item.section not in SECTIONS:
            raise ValueError(f"unknown menu section {item.section!r}")
        REGISTRY.append(item)


@dataclass(frozen=True)
class Todo:
    """A count on the home page that opens the list it counts (待派遣 12, 今日代办 3). The number is the list
    page's own queryset under the same query, so what the home says and what the list shows always agree."""

    label: Any
    url_name: str
    query: str = ""
    perm: str | None = None  # needed on top of the list page's own access rule
    order: int = 100
    when: Callable[[Any], bool] | None = field(default=None, compare=False)  # a further condition on the user

    @property
    def url(self) -> str:
        return _reverse(self.url_name, ()) + (f"?{self.query}" if self.query else "")


TODOS: list[Todo] = []


def register_todos(*todos: Todo) -> None:
    TODOS.extend(todos)


@dataclass(frozen=True)
class Count:
    label: Any
    count: int
    url: str


def todos_for(request: HttpRequest) -> list[Count]:
    """The counts of `request.user`'s home, each computed by its list page for that user."""
    from django.http import QueryDict

    counts = []
    for todo in sorted(TODOS, key=lambda t: t.order):
        if todo.perm and not has_perm_anywhere(request.user, todo.perm):
            continue
        if todo.when is not None and not todo.when(request.user):
            continue
        url = todo.url
        if not url_allowed(request.user, url) or own_records_only(request.user, url):
            continue
        match = resolve(urlsplit(url).path)
        listing = HttpRequest()
        listing.method, listing.user, listing.GET = "GET", request.user, QueryDict(todo.query)
        view = match.func.view_class()  # type: ignore[attr-defined]  # as_view() sets it
        view.setup(listing, *match.args, **match.kwargs)
        rows = view.counted_queryset() if hasattr(view, "counted_queryset") else view.get_queryset()
        counts.append(Count(todo.label, rows.count(), url))
    return counts


@lru_cache(maxsize=512)
def _reverse(name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, args=args)


_UNRESOLVED = Rule("unresolved")  # a sentinel, compared by identity: no page at the path


@lru_cache(maxsize=4096)
def _rule_at(root_urlconf: str, urlconf: str | None, path: str) -> Rule | None:
    """The access rule of the page at `path` (None: undeclared, _UNRESOLVED: no page). Resolving walks every URL
    pattern, and a menu asks for each of its items on every page: the answer is fixed for a URLconf."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return _UNRESOLVED
    return rule_for(match.func, match.namespaces)


def url_allowed(user: Any, url: str) -> bool:
    """Whether `user` passes the access rule of the page at `url` (a path, with or without a query)."""
    rule = _rule_at(settings.ROOT_URLCONF, get_urlconf(), urlsplit(url).path)
    if rule is _UNRESOLVED:
        return False
    if rule is None:
        return False  # undeclared: the middleware refuses it
    if rule is DELEGATED:
        return bool(getattr(user, "is_staff", False))
    if not rule.needs_login:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return rule.perm is None or has_perm_anywhere(user, rule.perm)


def link_for(user: Any, url: str | None) -> str:
    """`url` when `user` may open it, else "" (templates show plain text instead of a dead link)."""
    return url if url and url_allowed(user, url) else ""


def item_allowed(user: Any, item: Item) -> bool:
    if item.staff_only and not getattr(user, "is_staff", False):
        return False
    if item.perm and not has_perm_anywhere(user, item.perm):
        return False
    if item.when is not None and not item.when(user):
        return False
    if item.raw_url:
        return bool(getattr(user, "is_authenticated", False))
    try:
        url = item.url_for(user)
    except NoReverseMatch:
        return False
    return url_allowed(user, url) and not own_records_only(user, url)


def own_records_only(user: Any, url: str) -> bool:
    """Whether the user holds the page's right over their own records only: a resident may open a staff list
    (it shows just their own rows), but it is not put in their menu or home; their records are on 我的."""
    perm = getattr(rule_for(resolve(urlsplit(url).path).func), "perm", None)
    return isinstance(perm, str) and bool(perm) and not holds_beyond_self(user, perm)


@dataclass(frozen=True)
class Link:
    """One item as one user gets it."""

    label: Any
    url: str
    icon: str
    quick: bool


@dataclass
class MenuSection:
    section: Section
    items: list[Link]


# Menus already built in this process, by who asks and what they hold (`_menu_key`). Building one checks every
# registered item's rule against the user's grants, a third of a page that shows no data; the grants are read
# afresh on every request, so a changed grant or role is a new key, and the menu follows it at once.
_BUILT_MENUS: dict[tuple[Any, ...], list[MenuSection]] = {}
_RENDERED_MENUS: dict[tuple[Any, ...], SafeString] = {}  # the menu's HTML parts, by menu key and language
_BUILT_MENUS_CAP = 2048
_T = TypeVar("_T")


def _kept(store: dict[tuple[Any, ...], _T], key: tuple[Any, ...], build: Callable[[], _T]) -> _T:
    """`store[key]`, built once in the process; a store grown past its cap starts afresh."""
    value = store.get(key)
    if value is None:
        if len(store) >= _BUILT_MENUS_CAP:
            store.clear()
        value = store[key] = build()
    return value


def _menu_key(user: Any) -> tuple[Any, ...]:
    return (settings.ROOT_URLCONF, get_urlconf(), user.pk, bool(user.is_staff), bool(user.is_superuser),
            bool(user.is_active), tuple(grants_of(user)))


def menu_for(user: Any) -> list[MenuSection]:
    """The user's menu: sections in order, each with the items the user may open (empty sections dropped)."""
    cached: list[MenuSection] | None = getattr(user, "_wanghua_menu", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        return _build_menu(user)
    menu = _kept(_BUILT_MENUS, _menu_key(user), lambda: _build_menu(user))
    user._wanghua_menu = menu
    return menu


MENU_PARTS = {"main": "core/_menu_main.html", "account": "core/_menu_account.html"}


def menu_html(user: Any, part: str) -> SafeString:
    """A part of the page shell's menu as HTML, rendered once per menu and language in the process (the
    menu's loop through the template engine was a fifth of a signed-in page that shows no data)."""
    if not getattr(user, "is_authenticated", False):
        return SafeString("")
    return _kept(_RENDERED_MENUS, (*_menu_key(user), get_language(), part),
                 lambda: render_to_string(MENU_PARTS[part], {"main_menu": menu_for(user)}))


def _build_menu(user: Any) -> list[MenuSection]:
    by_section: dict[str, list[Link]] = {}
    for item in sorted(REGISTRY, key=lambda i: (SECTIONS[i.section].order, i.order)):
        if item_allowed(user, item):
            by_section.setdefault(item.section, []).append(Link(item.label, item.url_for(user), item.icon, item.quick))
    return [MenuSection(SECTIONS[key], items) for key, items in by_section.items()]


def quick_actions(user: Any) -> list[Link]:
    """The home page's shortcuts: the quick items of the user's menu."""
    return [item for section in menu_for(user) for item in section.items if item.quick]


# The system's own pages, and the user's account menu.
register(
    Item("system", _("Audit trail"), "core:audit", order=10),
    Item("system", _("Login log"), "core:logins", order=20),
    Item("system", _("Online users"), "core:sessions", order=30),
    Item("system", _("Dictionaries"), "core:dictionaries", order=40, perm="core.change_dictitem"),
    Item("system", _("Notices"), "core:notices", order=50, perm="core.add_notice"),
    Item("system", _("Scheduled jobs"), "core:jobs", order=55),
    Item("system", _("API documentation"), "", raw_url="/api/v1/docs", order=60,
         when=lambda user: has_perm_anywhere(user, "core.view_auditentry")),
    Item("system", _("Admin site"), "admin:index", order=70, staff_only=True),
    Item("account", _("My changes"), "core:user_trail", for_user=True, order=10),
    Item("account", _("Change password"), "core:password_change", order=20),
    Item("account", _("API tokens"), "core:tokens", order=30),
)
