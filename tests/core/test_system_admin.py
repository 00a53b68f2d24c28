"""系统管理 rules of the shell: sessions end after idle time and at a bounded lifetime, forced logout asks first
and is audited, and 操作日志 filters every audited record type by its Chinese name."""

import os
import re
import subprocess
import sys
import time

from django.contrib.contenttypes.models import ContentType
from django.test import Client

from wanghua.core.audit import acting_as
from wanghua.core.middleware import SessionTimeoutMiddleware
from wanghua.core.models import AuditEntry


def logged_in(make_user, world, username="idle-user"):
    make_user(username, "street", region=world.street1)
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": "Pass-word-123"}).status_code == 302
    return client


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[getattr(SessionTimeoutMiddleware, key)] = now - ago
    session.save()


def test_a_session_ends_after_the_idle_timeout(world, make_user, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = logged_in(make_user, world)
    age_session(client, SEEN=29 * 60)
    assert client.get("/org/people/").status_code == 200  # still within the idle time
    age_session(client, SEEN=31 * 60)
    answer = client.get("/org/people/", follow=True)
    assert answer.redirect_chain[0][0].startswith("/accounts/login/")
    assert "30 分钟未操作" in answer.content.decode()
    assert client.get("/org/people/").status_code == 302  # the session is gone, not just this request


def test_activity_keeps_a_session_but_its_lifetime_stays_bounded(world, make_user, settings):
    settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS = 30, 12
    client = logged_in(make_user, world)
    age_session(client, SEEN=20 * 60, STARTED=11 * 3600)
    assert client.get("/org/people/").status_code == 200
    assert abs(client.session[SessionTimeoutMiddleware.SEEN] - time.time()) < 5  # the request counted as activity
    age_session(client, SEEN=60, STARTED=12 * 3600 + 60)
    assert client.get("/org/people/").status_code == 302  # busy, but logged in for more than 12 hours


def test_a_last_seen_write_that_fails_does_not_fail_the_page(world, make_user, monkeypatch):
    """The last-seen time is bookkeeping: a write the database refuses (SQLite busy past its timeout while an
    ingest holds the lock, as bench/industry_ingest.py met) leaves the page served, and the next request tries
    again."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    client = logged_in(make_user, world)
    age_session(client, SEEN=120)
    seen = client.session[SessionTimeoutMiddleware.SEEN]

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionStore, "save", locked)
    assert client.get("/org/people/").status_code == 200
    monkeypatch.undo()
    assert client.session[SessionTimeoutMiddleware.SEEN] == seen  # not written…
    assert client.get("/org/people/").status_code == 200
    assert client.session[SessionTimeoutMiddleware.SEEN] > seen  # …until the next request


def test_a_page_that_changes_the_session_leaves_the_saving_to_the_session_middleware(db, monkeypatch):
    """A page's own change to the session must be saved (or fail) as always; the last-seen time joins it."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["chosen"] = "by the page"
    saved = []
    monkeypatch.setattr(SessionStore, "save", lambda self, must_create=False: saved.append(self))
    SessionTimeoutMiddleware(lambda request: None)._touch(session)
    assert saved == [] and session.modified and session[SessionTimeoutMiddleware.SEEN] > 0
    untouched = SessionStore()
    untouched[SessionTimeoutMiddleware.STARTED] = untouched[SessionTimeoutMiddleware.SEEN] = 1
    untouched.modified = False
    SessionTimeoutMiddleware(lambda request: None)._touch(untouched)
    assert saved == [untouched] and not untouched.modified  # written here, nothing left to save after


def test_the_last_seen_time_is_written_at_most_once_a_minute(world, make_user):
    client = logged_in(make_user, world)
    age_session(client, SEEN=10)
    seen = client.session[SessionTimeoutMiddleware.SEEN]
    client.get("/org/people/")
    assert client.session[SessionTimeoutMiddleware.SEEN] == seen


def test_the_timeouts_come_from_the_environment_with_sensible_defaults():
    read = ("import wanghua.settings as s; "
            "print(s.SESSION_IDLE_MINUTES, s.SESSION_MAX_HOURS, s.SESSION_COOKIE_AGE)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANGHUA_SESSION_")}
    default = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, check=True)
    assert default.stdout.split() == ["30", "12", str(12 * 3600)]
    configured = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True, check=True,
                                env={**env, "WANGHUA_SESSION_IDLE_MINUTES": "5", "WANGHUA_SESSION_MAX_HOURS": "8"})
    assert configured.stdout.split() == ["5", "8", str(8 * 3600)]


def test_forced_logout_asks_first_and_is_audited(world, make_user, client_for):
    victim = logged_in(make_user, world, "victim")
    admin = client_for(make_user("session-admin", is_superuser=True))
    page = admin.get("/system/sessions/").content.decode()
    row = next(r for r in page.split("<tr>") if "<td>victim</td>" in r)
    form = re.search(r'<form method="post" action="(/system/sessions/[^"]+/end/)" data-confirm="([^"]+)"', row)
    assert form and "确定让" in form.group(2) and "立即退出登录" in form.group(2)
    assert admin.post(form.group(1)).status_code == 302
    assert victim.get("/org/people/").status_code == 302
    entry = AuditEntry.objects.get(label="session:end")
    assert entry.actor.username == "session-admin" and entry.object_repr == "victim"
    assert len(entry.note) == 12  # the shown prefix, never the whole session key


def test_the_confirmation_is_static_behaviour_not_inline_script():
    from pathlib import Path

    import wanghua

    script = next((Path(wanghua.__file__).parent / "core" / "static").rglob("behaviour.js")).read_text()
    assert "data-confirm" in script and "window.confirm" in script


def test_the_record_type_filter_covers_every_audited_model_by_its_chinese_name(world, make_user, client_for):
    from wanghua.core.filters import audited_models, audited_type_choices

    choices = audited_type_choices()
    names = {label for _module, options in choices for _pk, label in options}
    assert {"代办事项", "城市管理案件", "项目", "报警定义", "检验委托", "用户"} <= names
    offered = {pk for _module, options in choices for pk, _label in options}
    assert offered == {t.pk for t in ContentType.objects.get_for_models(*audited_models()).values()}
    modules = [module for module, _options in choices]
    assert "党员家庭代办站" in modules and "民生·创城" in modules
    leader = make_user("audit-leader", "leader", region=world.district)
    with acting_as(leader):
        world.person1.title = "组长"
        world.person1.save()
        world.street1.population = 1234
        world.street1.save()
    person_type = ContentType.objects.get(app_label="org", model="person")
    page = client_for(leader).get(f"/system/audit/?content_type={person_type.pk}").content.decode()
    assert "张甲" in page and "一街道" not in page.split("<tbody")[-1]
    assert '<optgroup label="党员家庭代办站">' in page and ">代办事项</option>" in page
