"""字典管理 and 通知公告."""

from datetime import timedelta

from django.utils import timezone

from wanghua.core.models import AuditEntry, DictItem, Notice


def test_builtin_dictionary_is_seeded_and_served(world, make_user, client_for):
    client = client_for(make_user("agent", "agent", region=world.community1))
    items = client.get("/api/v1/dicts/person_title").json()
    assert {"value": "grid", "label": "网格员"} in items
    assert client.get("/api/v1/dicts/no_such_list").status_code == 404
    form = client_for(make_user("sec", "secretary", region=world.community1)).get("/org/people/new/")
    assert '<option value="网格员">' in form.content.decode()


def test_dictionary_editing_needs_permission_and_is_audited(world, make_user, client_for):
    dict_type_id = DictItem.objects.filter(dict_type__code="person_title").first().dict_type_id
    agent = client_for(make_user("agent", "agent", region=world.community1))
    assert agent.get("/system/dictionaries/").status_code == 200
    refused = agent.post(f"/system/dictionaries/{dict_type_id}/items/", {"value": "x", "label": "X"})
    assert refused.status_code == 403 and not DictItem.objects.filter(value="x").exists()
    admin = client_for(make_user("root", is_superuser=True))
    admin.post(f"/system/dictionaries/{dict_type_id}/items/", {"value": "building", "label": "楼长", "sort_order": 9})
    item = DictItem.objects.get(value="building")
    assert AuditEntry.objects.filter(object_id=str(item.pk), action="create").exists()
    admin.post(f"/system/dictionaries/items/{item.pk}/toggle/")
    item.refresh_from_db()
    assert not item.active
    labels = [i["label"] for i in agent.get("/api/v1/dicts/person_title").json()]
    assert "楼长" not in labels


def test_notices_publish_show_and_withdraw(world, make_user, client_for):
    leader = client_for(make_user("leader", "leader", region=world.district))
    response = leader.post("/system/notices/", {"title": "防汛值班通知", "kind": "notice", "body": "各镇街做好值班。"})
    assert response.status_code == 302
    agent = client_for(make_user("agent", "agent", region=world.community1))
    assert "防汛值班通知" in agent.get("/").content.decode()
    assert agent.post("/system/notices/", {"title": "x", "kind": "notice", "body": "y"}).status_code == 403
    notice = Notice.objects.get()
    leader.post(f"/system/notices/{notice.pk}/withdraw/")
    assert "防汛值班通知" not in agent.get("/").content.decode()


def test_notice_must_expire_after_publication(world, make_user, client_for):
    leader = client_for(make_user("leader", "leader", region=world.district))
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = leader.post("/system/notices/", {"title": "过期", "kind": "notice", "body": "x", "expires_at": past})
    assert response.status_code == 400 and not Notice.objects.exists()
