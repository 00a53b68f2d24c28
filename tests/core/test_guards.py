"""The core services' guards, each pinned with nothing written: forced logout (在线用户 → 强退) is refused to whoever
lacks the right and to a key prefix shorter than the one the page shows. Found unpinned by
scripts/guard_mutants.py."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied

from wanghua.core import services
from wanghua.core.models import AuditEntry


def _session_of(user) -> str:
    return next(s.session_key for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


def test_a_session_is_ended_only_by_the_right_holder_and_by_its_full_shown_prefix(world, make_user, client_for):
    """end_session: a street's staff (no core.delete_session) cannot end a session, nor can a system
    administrator with a prefix shorter than the 12 characters shown (it could match every session); the sessions
    stay and nothing is audited. The shown prefix ends the one session."""
    victim = make_user("victim", "agent", region=world.community1)
    client_for(victim)
    client_for(make_user("bystander", "agent", region=world.community1))
    keys = sorted(Session.objects.values_list("session_key", flat=True))
    assert len(keys) == 2
    victim_key = _session_of(victim)
    street = make_user("street1-admin", "street", region=world.street1)
    admin = make_user("sysadmin", "sysadmin", region=world.district)
    for actor, prefix in ((street, victim_key[:12]), (admin, victim_key[:11]), (admin, "")):
        with pytest.raises(PermissionDenied):
            services.end_session(actor, prefix)
    assert sorted(Session.objects.values_list("session_key", flat=True)) == keys
    assert not AuditEntry.objects.filter(label="session:end").exists()

    assert services.end_session(admin, victim_key[:12]) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [k for k in keys if k != victim_key]
