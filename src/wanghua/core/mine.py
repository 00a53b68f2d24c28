"""我的: a person's own records across the modules (my errands, my reports, my volunteer hours).

Each app declares its list in its `menu.py`:

    register_mine(Mine("errands", _("My errands"), "services.view_errand", my_errands, order=10))

`my_errands(user)` returns the user's own records as cards, read through `visible_to` and narrowed to the
records that are the user's own (a street's staff see their area's errands elsewhere, never here). A list is
offered to those who hold its permission; the page and a resident's home show the lists, phone first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .access import grants_of, has_perm_anywhere
from .menu import Item, register
from .rules import LOGIN, access
from .scopes import DataScope


@dataclass(frozen=True)
class Card:
    title: str
    status: str = ""
    when: datetime | None = None
    lines: tuple[str, ...] = ()
    url: str = ""
    tone: str = "secondary"  # the status badge's colour: secondary, success, warning, danger


@dataclass
class MyList:
    cards: list[Card] = field(default_factory=list)
    summary: str = ""  # e.g. 共 3 件 · 累计 12 小时


@dataclass(frozen=True)
class Mine:
    key: str
    label: Any
    perm: str
    cards: Callable[[Any], MyList] = field(compare=False)
    empty: Any = ""
    order: int = 100


MINE: list[Mine] = []


def register_mine(*lists: Mine) -> None:
    MINE.extend(lists)


@dataclass
class Section:
    key: str
    label: Any
    result: MyList
    empty: Any


def keeps_own_records(user: Any) -> bool:
    """Whether the user holds a role over their own records only (a resident): their home is 我的."""
    return any(grant.data_scope == DataScope.SELF for grant in grants_of(user))


def mine_for(user: Any) -> list[Section]:
    """The user's own lists, each for a permission the user holds; for staff only those with records in them."""
    own_only = keeps_own_records(user)
    sections = []
    for entry in sorted(MINE, key=lambda m: m.order):
        if has_perm_anywhere(user, entry.perm):
            result = entry.cards(user)
            if result.cards or own_only:
                sections.append(Section(entry.key, entry.label, result, entry.empty))
    return sections


@access(LOGIN)
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "core/mine.html", {"sections": mine_for(request.user)})


register(Item("account", _("My records"), "core:mine", order=5, quick=True, icon="bi-person-vcard",
              when=keeps_own_records))
