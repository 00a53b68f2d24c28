"""The login log (登录日志): Django's auth signals are the one place every login passes."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .clientip import client_ip
from .middleware import SessionTimeoutMiddleware
from .models import LoginEvent


def _device(request: HttpRequest | None) -> str:
    return (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300]


@receiver(user_logged_in)
def log_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    LoginEvent.objects.create(username=user.get_username(), user=user, ip=client_ip(request),
                              user_agent=_device(request), success=True)
    if request is not None and hasattr(request, "session"):
        request.session["login_ip"] = client_ip(request)
        request.session["login_device"] = _device(request)
        # The session's lifetime counts from here, however active it stays (SESSION_MAX_HOURS).
        request.session[SessionTimeoutMiddleware.STARTED] = request.session[SessionTimeoutMiddleware.SEEN] = int(
            time.time())


@receiver(user_logged_out)
def log_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        LoginEvent.objects.create(username=user.get_username(), user=user, ip=client_ip(request),
                                  user_agent=_device(request), success=True, event="logout")


@receiver(user_login_failed)
def log_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    LoginEvent.objects.create(username=str(credentials.get("username", ""))[:150], ip=client_ip(request),
                              user_agent=_device(request), success=False)
