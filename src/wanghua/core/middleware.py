"""Request id + audit context, and the deny-by-default access rule check."""

from __future__ import annotations

import contextlib
import logging
import uuid

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import HttpRequest

from . import audit
from .clientip import client_ip
from .rules import rule_for

log = logging.getLogger(__name__)


class RequestContextMiddleware:
    """Gives each request its own id — never taken from the client, so nobody can file changes under
    another request's id — returns it as X-Request-ID, and binds the audit context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.id = uuid.uuid4().hex
        ctx = audit.AuditContext(request_id=request.id, request=request, ip=client_ip(request))
        with audit.bound(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class AccessRuleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with contextlib.ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counted))
            response = self.get_response(request)
        response["X-Wanghua-Queries"] = str(count)
        return response
