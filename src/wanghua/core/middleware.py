"""Request id + audit context, and the deny-by-default access rule check."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase, UpdateError
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import audit
from .clientip import client_ip
from .rules import rule_for

log = logging.getLogger(__name__)

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    """Gives each request its own id — never taken from the client, so nobody can file changes under
    another request's id — returns it as X-Request-ID, and binds the audit context."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = uuid.uuid4().hex  # type: ignore[attr-defined]  # our request id, set here
        ctx = audit.AuditContext(request_id=request.id, request=request, ip=client_ip(request))  # type: ignore[attr-defined]  # as above
        with audit.bound(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id  # type: ignore[attr-defined]  # as above
        return response


class AccessRuleMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: tuple[Any, ...],
                     view_kwargs: dict[str, Any]) -> HttpResponse | None:
        match = request.resolver_match
        rule = rule_for(view_func, match.namespaces if match else ())
        if rule is None:
            log.error("URL %s declares no access rule; refused", request.path)
            raise PermissionDenied
        return rule.check(request)


class QueryCountMiddleware:
    """Returns how many SQL queries a request ran, as X-Wanghua-Queries (only when WANGHUA_COUNT_QUERIES is set):
    the demo walk reads it on every page it opens, so a page that queries once per row fails a test rather
    than a benchmark."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with contextlib.ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counted))
            response = self.get_response(request)
        response["X-Wanghua-Queries"] = str(count)
        return response


class SessionTimeoutMiddleware:
    """Ends a login session after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after the login
    however busy it is (the session's own expiry moves with each save, so it cannot bound the lifetime alone).
    The last-seen time is written at most once a minute, after the page, and as bookkeeping: should the write
    fail (SQLite busy past its timeout under a heavy ingest, the session ended elsewhere), the page is still
    served and the next minute tries again. A page that changes the session itself has it saved as always."""

    SEEN, STARTED = "_wanghua_seen", "_wanghua_started"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        signed_in = session is not None and getattr(request, "user", None) is not None and \
            request.user.is_authenticated
        if signed_in and self._expired(request, session):  # type: ignore[arg-type]  # signed_in: a session
            return self.get_response(request)
        response = self.get_response(request)
        if signed_in and request.user.is_authenticated:  # not if the page logged out
            self._touch(session)  # type: ignore[arg-type]  # as above
        return response

    def _expired(self, request: HttpRequest, session: SessionBase) -> bool:
        now = int(time.time())
        seen, started = session.get(self.SEEN), session.get(self.STARTED)
        if (seen is not None and now - seen > settings.SESSION_IDLE_MINUTES * 60) or (
                started is not None and now - started > settings.SESSION_MAX_HOURS * 3600):
            logout(request)
            messages.info(request, _("You were logged out after %(minutes)d minutes without activity, or at the "
                                     "end of the session's lifetime.") % {"minutes": settings.SESSION_IDLE_MINUTES})
            return True
        return False

    def _touch(self, session: SessionBase) -> None:
        now = int(time.time())
        due = {} if session.get(self.STARTED) is not None else {self.STARTED: now}
        seen = session.get(self.SEEN)
        if seen is None or now - seen >= 60:
            due[self.SEEN] = now
        if not due:
            return
        changed_by_page = session.modified
        session.update(due)
        if changed_by_page:
            return  # the session middleware saves the page's change and this one together
        try:
            session.save()
        except (DatabaseError, UpdateError) as exc:
            log.warning("the session's last-seen time was not written: %r", exc)  # %r: UpdateError has no message
        session.modified = False  # written, or left for the next minute: nothing more to save
