"""Account-level rules: API tokens and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanghua.core.models import User

from . import audit
from .access import has_perm_anywhere, require
from .devices import describe
from .models import ApiToken, ScheduledJob, hash_token


@transaction.atomic
def create_token(actor: User, name: str) -> str:
    """Create a token for the actor and return the key; only its hash is kept."""
    key = ApiToken.new_key()
    with audit.acting_as(actor):
        ApiToken.objects.create(user=actor, name=name, prefix=key[:10], key_hash=hash_token(key))
    return key


@transaction.atomic
def revoke_token(actor: User, token_id: int) -> None:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.user_id != actor.pk and not actor.is_superuser):
        raise PermissionDenied(_("This token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with audit.acting_as(actor):
            token.save()


@dataclass
class LiveSession:
    key_prefix: str
    username: str
    display: str
    ip: str
    device: str
    expires: datetime


def live_sessions() -> list[LiveSession]:
    users = {}
    result = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).order_by("-expire_date")[:1000]:
        data = session.get_decoded()
        user_id = data.get("_auth_user_id")
        if not user_id:
            continue
        if user_id not in users:
            users[user_id] = get_user_model().objects.filter(pk=user_id).first()
        user = users[user_id]
        if user is None:
            continue
        result.append(LiveSession(session.session_key[:12], user.username, str(user), data.get("login_ip") or "",
                                  describe(data.get("login_device") or ""), session.expire_date))
    return result


def end_session(actor: User, key_prefix: str) -> int:
    """Forced logout (在线用户 → 强退). Sessions are matched by the prefix the page shows."""
    if not has_perm_anywhere(actor, "core.delete_session") or len(key_prefix) < 12:
        raise PermissionDenied
    sessions = list(Session.objects.filter(session_key__startswith=key_prefix))
    user_ids = {s.get_decoded().get("_auth_user_id") for s in sessions}
    with audit.acting_as(actor), audit.labelled(audit.Label.SESSION_END, note=key_prefix[:12]):
        Session.objects.filter(pk__in=[s.pk for s in sessions]).delete()
        for user in get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk]):
            audit.record("transition", user)  # whose session ended, by whom: never the session key itself
    return len(sessions)


# --- scheduled jobs (定时任务) ------------------------------------------------------------------------------

def _scheduled_job(actor: User, name: str) -> ScheduledJob:
    from .jobs import REGISTRY
    from .models import ScheduledJob

    if name not in REGISTRY:
        raise ScheduledJob.DoesNotExist(name)
    switch = ScheduledJob.objects.select_for_update().filter(name=name).first() or ScheduledJob(name=name)
    require(actor, "change", switch)
    return switch


@transaction.atomic
def run_job_now(actor: User, name: str) -> None:
    """立即执行: the job goes to the queue once this transaction commits; the worker runs and records it."""
    from . import jobs

    _scheduled_job(actor, name)
    transaction.on_commit(lambda: jobs.run_now(name, actor.pk))


@transaction.atomic
def set_job_paused(actor: User, name: str, paused: bool) -> ScheduledJob:
    """暂停/恢复: a paused job's schedule is skipped (立即执行 still runs it). Audited."""
    switch = _scheduled_job(actor, name)
    if switch.paused == paused and not switch._state.adding:
        return switch
    switch.paused, switch.changed_by, switch.changed_at = paused, actor, timezone.now()
    with audit.acting_as(actor):
        switch.save()
    return switch
