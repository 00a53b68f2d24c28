"""Every URL declares who may open it; the middleware refuses any that does not (deny by default)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .access import has_perm_anywhere

if TYPE_CHECKING:
    from .models import User

_View = TypeVar("_View", bound=Callable[..., Any])


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a page whose rule needs a login (LOGIN, perm(...)): the middleware let it in, so its user is
    an account, never the anonymous user. For annotations only; Django hands such pages a plain HttpRequest."""

    user: User


@dataclass(frozen=True)
class Rule:
    name: str
    perm: str | None = None
    needs_login: bool = True

    def check(self, request: HttpRequest) -> HttpResponse | None:
        if not self.needs_login:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.perm and not has_perm_anywhere(request.user, self.perm):
            raise PermissionDenied
        return None


PUBLIC = Rule("public", needs_login=False)
LOGIN = Rule("login")
# Routes whose framework enforces its own rule: Django admin (staff) and the ninja API (auth=...).
DELEGATED = Rule("delegated", needs_login=False)


def perm(code: str) -> Rule:
    return Rule(f"perm:{code}", perm=code)


def access(rule: Rule) -> Callable[[_View], _View]:
    """Declare the access rule of a function view or a class-based view."""

    def decorate(view: _View) -> _View:
        view.access_rule = rule  # type: ignore[attr-defined]  # read by the middleware (rule_for)
        return view

    return decorate


DELEGATING_NAMESPACES = {"admin", "api"}


def rule_for(view_func: Any, namespaces: list[str] | tuple[str, ...] = ()) -> Rule | None:
    rule = getattr(view_func, "access_rule", None)
    if rule is None and hasattr(view_func, "view_class"):
        rule = getattr(view_func.view_class, "access_rule", None)
    if rule is None and DELEGATING_NAMESPACES.intersection(namespaces):
        rule = DELEGATED
    return rule
