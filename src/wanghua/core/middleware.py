"""Request id + audit context, and the deny-by-default access rule check."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import PermissionDenied
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
        request.id = uuid.uuid4().hex  # type: ignore[attr-defined]  # our request id, set here
        ctx = audit.AuditContext(request_id=request.id, request=request, ip=client_ip(request))  # type: ignore[attr-defined]  # as above
        with audit.bound(ctx):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id  # type: ignore[attr-defined]  # as above
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
