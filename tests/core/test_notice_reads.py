"""Notices on every home, with read tracking: unread first and marked 未读, 已读 by a POST, per reader."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wanghua.core import reference
from wanghua.core.models import AuditEntry, Notice, NoticeRead


@pytest.fixture
def notices(db):
    now = timezone.now()
    old = Notice.objects.create(title="防汛值班安排", body="…", published_at=now - timedelta(days=2))
    new = Notice.objects.create(title="端午节放假通知", body="…", published_at=now - timedelta(hours=1))
    gone = Notice.objects.create(title="已过期的通知", body="…", published_at=now - timedelta(days=9),
                                 expires_at=now - timedelta(days=1))
    return old, new, gone


@pytest.mark.parametrize("role,scope", [("agent", "community1"), ("resident", "community1"),
                                        ("secretary", "community1"), ("street", "street1")])
def test_every_roles_home_shows_the_current_notices(role, scope, notices, world, make_user, client_for):
    user = make_user(f"n-{role}", role, region=getattr(world, scope))
    page = client_for(user).get("/").content.decode()
    assert "防汛值班安排" in page and "端午节放假通知" in page and "已过期的通知" not in page
    assert page.count("未读") >= 2


def test_marking_read_is_per_reader_and_once(notices, make_user, client_for):
    old, _new, _gone = notices
    reader, other = make_user("reader"), make_user("other")
    client = client_for(reader)
    response = client.post(f"/system/notices/{old.pk}/read/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    client.post(f"/system/notices/{old.pk}/read/", {"next": "/"})
    assert NoticeRead.objects.filter(notice=old, user=reader).count() == 1
    assert AuditEntry.objects.filter(content_type__model="noticeread").count() == 1
    mine = {n.title: n.is_read for n in reference.notices_for(reader)}
    assert mine == {"端午节放假通知": False, "防汛值班安排": True}
    assert reference.notices_for(reader)[0].title == "端午节放假通知"  # unread first
    assert not any(n.is_read for n in reference.notices_for(other))
    page = client.get("/").content.decode()
    assert f'id="notice-read-{old.pk}"' not in page and f'id="notice-read-{_new.pk}"' in page


def test_reading_is_a_post_and_only_of_current_notices(notices, make_user, client_for):
    _old, new, gone = notices
    client = client_for(make_user("reader"))
    assert client.get(f"/system/notices/{new.pk}/read/").status_code == 405
    assert client.post(f"/system/notices/{gone.pk}/read/").status_code == 404
    assert client.post("/system/notices/999999/read/").status_code == 404
    assert not NoticeRead.objects.exists()


def test_the_way_back_stays_on_this_site(notices, make_user, client_for):
    _old, new, _gone = notices
    response = client_for(make_user("reader")).post(f"/system/notices/{new.pk}/read/",
                                                    {"next": "https://evil.example/"})
    assert response["Location"] == "/system/notices/"
