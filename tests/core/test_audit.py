"""Every change to a domain record leaves who, when, before/after and the request id."""

import pytest
from django.contrib.contenttypes.models import ContentType

from wanghua.core import audit
from wanghua.core.models import AuditEntry, User
from wanghua.org import services
from wanghua.org.models import Person, Region, RoleAssignment


def entries_for(obj):
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)),
                                     object_id=str(obj.pk)).order_by("id")


def test_create_update_delete_are_recorded_with_actor_and_diff(world, make_user):
    street = make_user("st1", "street", region=world.street1)
    person = services.create_person(street, name="王五", region=world.community1, phone="13700000000")
    services.update_person(street, person.pk, title="楼长", phone="13700000001")
    created, updated = entries_for(person)
    assert created.action == "create" and created.actor == street and created.after["name"] == "王五"
    assert updated.action == "update"
    assert updated.before["title"] == "" and updated.after["title"] == "楼长"
    assert updated.before["phone"].startswith("137****0000 #") and updated.after["phone"].startswith("137****0001 #")
    pk = person.pk
    services.delete_person(street, pk)
    deleted = AuditEntry.objects.filter(object_id=str(pk), action="delete").get()
    assert deleted.before["name"] == "王五" and deleted.after == {}


def test_unchanged_save_writes_nothing(world):
    count = AuditEntry.objects.count()
    world.person1.save()
    assert AuditEntry.objects.count() == count


def test_bulk_paths_are_audited(world):
    count = AuditEntry.objects.count()
    created = Person.objects.bulk_create([Person(name=f"批量{i}", region=world.community2) for i in range(3)])
    assert AuditEntry.objects.filter(action="create").count() >= 3
    Person.objects.filter(pk__in=[p.pk for p in created]).update(title="志愿者")
    updates = AuditEntry.objects.filter(action="update", after__title="志愿者")
    assert updates.count() == 3 and all(e.before == {"title": ""} for e in updates)
    for p in created:
        p.title = "组长"
    Person.objects.bulk_update(created, ["title"])
    assert AuditEntry.objects.filter(action="update", after__title="组长").count() == 3
    Person.objects.filter(pk__in=[p.pk for p in created]).delete()
    assert AuditEntry.objects.filter(action="delete", before__title="组长").count() == 3
    assert AuditEntry.objects.count() == count + 12


def test_labelled_transition_and_password_not_recorded(world, make_user):
    user = make_user("someone")
    before = AuditEntry.objects.count()
    user.set_password("another-Password-1")
    user.save()
    assert AuditEntry.objects.count() == before  # password hashes never enter the trail
    with audit.acting_as(user), audit.labelled("transition:rename", "renamed by test"):
        world.community2.name = "乙社区（更名）"
        world.community2.save()
    entry = entries_for(world.community2).last()
    assert entry.label == "transition:rename" and entry.note == "renamed by test" and entry.actor == user


def test_one_request_groups_its_entries(world, make_user, client_for):
    street = make_user("st1", "street", region=world.street1)
    client = client_for(street)
    response = client.post("/org/people/new/", {"name": "请求人", "region": world.community1.pk},
                           HTTP_X_REQUEST_ID="forged-request-id")
    assert response.status_code == 302 and response["X-Request-ID"] != "forged-request-id"
    entry = AuditEntry.objects.get(request_id=response["X-Request-ID"])
    assert entry.actor == street and entry.after["name"] == "请求人" and entry.ip == "127.0.0.1"


def test_refused_request_writes_nothing(world, make_user, client_for):
    agent = make_user("agent", "agent", region=world.community1)
    count = AuditEntry.objects.count()
    response = client_for(agent).post(f"/org/people/{world.person1.pk}/edit/", {"name": "改名"})
    assert response.status_code == 403
    assert AuditEntry.objects.count() == count
    world.person1.refresh_from_db()
    assert world.person1.name == "张甲"


def test_pii_is_masked_and_each_full_view_is_logged(world, make_user, client_for):
    secretary = make_user("sec", "secretary", region=world.community1)
    client = client_for(secretary)
    page = client.get(f"/org/people/{world.person1.pk}/").content.decode()
    assert "2104**********1236" in page and "139****5678" in page
    assert "210404199001011236" not in page and "13912345678" not in page
    listing = client.get("/org/people/").content.decode()
    assert "13912345678" not in listing
    api = client.get(f"/api/v1/org/people/{world.person1.pk}").json()
    assert api["id_number"] == "2104**********1236"
    revealed = client.post(f"/org/people/{world.person1.pk}/reveal/id_number/")
    assert "210404199001011236" in revealed.content.decode()
    entry = AuditEntry.objects.get(action="pii_view")
    assert entry.actor == secretary and entry.note == "id_number" and entry.object_id == str(world.person1.pk)


def test_reveal_needs_its_own_permission(world, make_user, client_for):
    agent = make_user("agent", "agent", region=world.community1)
    response = client_for(agent).post(f"/org/people/{world.person1.pk}/reveal/phone/")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="pii_view").exists()


def test_object_and_user_trail_pages(world, make_user, client_for):
    street = make_user("st1", "street", region=world.street1)
    services.update_region(street, world.community1.pk, population=5000)
    client = client_for(street)
    content_type = ContentType.objects.get_for_model(Region)
    page = client.get(f"/system/audit/{content_type.pk}/{world.community1.pk}/")
    assert page.status_code == 200 and "5000" in page.content.decode()
    assert client.get(f"/system/audit/{content_type.pk}/{world.community3.pk}/").status_code == 404
    mine = client.get(f"/system/audit/user/{street.pk}/")
    assert mine.status_code == 200 and "5000" in mine.content.decode()
    other = make_user("other")
    assert client.get(f"/system/audit/user/{other.pk}/").status_code == 403


def test_audit_list_is_searchable_and_exportable_for_leaders(world, make_user, client_for):
    leader = make_user("leader", "leader", region=world.district)
    services.update_region(leader if leader.is_superuser else make_user("root", is_superuser=True),
                           world.community1.pk, population=777)
    client = client_for(leader)
    page = client.get("/system/audit/", {"action": "update"})
    assert page.status_code == 200 and "777" in page.content.decode()
    export = client.get("/system/audit/", {"action": "update", "format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/system/audit/", {"since": "not-a-date"}).status_code == 400


@pytest.mark.parametrize("username", ["secretary-x"])
def test_audit_list_refused_without_permission(world, make_user, client_for, username):
    user = make_user(username, "secretary", region=world.community1)
    assert client_for(user).get("/system/audit/").status_code == 403
    assert isinstance(user, User)


def test_cascaded_deletes_and_nulled_references_are_recorded(world, make_user, roles):
    doomed = make_user("doomed")
    assignment = RoleAssignment.objects.create(user=doomed, role=roles["agent"], region=world.community1)
    world.person1.user = doomed
    world.person1.save()
    doomed_pk = doomed.pk
    doomed.delete()
    assert AuditEntry.objects.filter(action="delete", object_id=str(assignment.pk),
                                     content_type=ContentType.objects.get_for_model(RoleAssignment)).exists()
    nulled = entries_for(world.person1).filter(action="update").order_by("-id").first()
    assert nulled.before == {"user_id": doomed_pk} and nulled.after == {"user_id": None}


def test_personal_data_never_enters_the_trail_in_full(world, make_user):
    street = make_user("st1", "street", region=world.street1)
    services.update_person(street, world.person1.pk, phone="13811112222", id_number="210404198505054323")
    for entry in AuditEntry.objects.all():
        text = str(entry.before) + str(entry.after)
        assert "13811112222" not in text and "210404198505054323" not in text and "13912345678" not in text
    update = entries_for(world.person1).filter(action="update").order_by("-id").first()
    assert update.after["phone"].startswith("138****2222 #")


def test_in_place_change_of_a_loaded_json_value_is_diffed_against_what_was_loaded(roles):
    from wanghua.core.models import Role

    role = Role.objects.get(code="grid")
    before = list(role.permissions)
    role.permissions.append("org.view_unit")  # the instance's list, changed in place after loading
    role.save()
    entry = AuditEntry.objects.filter(object_id=str(role.pk), action="update").latest("id")
    assert entry.before["permissions"] == before and "org.view_unit" in entry.after["permissions"]


def test_the_trail_reads_a_step_by_its_name(world, make_user, client_for):
    """`transition:<machine>.<step>` is shown as the step's own name, in the list and on a record's trail."""
    from django.db import models

    from wanghua.core.models import Notice
    from wanghua.core.transitions import MACHINES, StateMachine, Transition

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        OUT = "out", "已发"

    class Step(models.TextChoices):
        SEND = "send", "发出测试步骤"

    StateMachine("t_notice", Notice, states=State, steps=Step, field="kind",
                 transitions=[Transition(Step.SEND, (State.DRAFT,), State.OUT)], terminal={State.OUT})
    try:
        leader = make_user("leader", "leader", region=world.district)
        AuditEntry.objects.create(request_id="r1", actor=leader, actor_label="leader", action="transition",
                                  label="transition:t_notice.send", content_type=ContentType.objects.get_for_model(
                                      Region), object_id=str(world.community1.pk), object_repr="甲社区")
        client = client_for(leader)
        listed = client.get("/system/audit/", {"action": "transition"}).content.decode()
        assert "发出测试步骤" in listed and "transition:t_notice.send" not in listed
        trail = client.get(f"/system/audit/{ContentType.objects.get_for_model(Region).pk}/{world.community1.pk}/")
        assert "发出测试步骤" in trail.content.decode()
    finally:
        del MACHINES["t_notice"]


def test_the_record_type_filter_covers_every_audited_app(world, make_user, client_for):
    from wanghua.core.filters import AuditFilter

    offered = [pk for _module, options in AuditFilter().filters["content_type"].extra["choices"]()
               for pk, _label in options]
    types = ContentType.objects.filter(pk__in=offered)
    apps = set(types.values_list("app_label", flat=True))
    assert {"core", "org", "dashboard", "services", "industry", "lab", "projects", "civic"} <= apps
    assert not types.filter(app_label="core", model="auditentry").exists()  # the trail itself is not audited
    target = ContentType.objects.get(app_label="dashboard", model="indicatortarget")
    leader = client_for(make_user("leader", "leader", region=world.district))
    assert leader.get("/system/audit/", {"content_type": target.pk}).status_code == 200


def test_every_audit_label_is_declared_and_reads_in_chinese():
    """Labels come from `audit.Label` (or a state machine's step), so the trail never shows `errand:accept`."""
    import re
    from pathlib import Path

    from django.utils import translation

    import wanghua
    from wanghua.core.audit import Label
    from wanghua.core.transitions import step_label

    free = [str(path) for path in Path(wanghua.__file__).parent.rglob("*.py")
            if re.search(r"(labelled|summarised)\(\s*f?\"", path.read_text())]
    assert free == []
    with translation.override("zh-hans"):
        for label in Label:
            assert re.search(r"[\u4e00-\u9fff]", step_label(label.value)), label


@pytest.mark.django_db  # not transaction=True: this module's shared world holds its transaction open, so no flush
def test_a_failed_summarised_block_raises_its_own_error_and_records_nothing():
    from django.db import IntegrityError, transaction

    before = AuditEntry.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), audit.summarised("bench", "a failing bulk load"):
        User.objects.create(username="twice")
        User.objects.create(username="twice")
    assert AuditEntry.objects.count() == before
    with transaction.atomic(), audit.summarised("bench", "a bulk load"):
        User.objects.create(username="once")
    assert AuditEntry.objects.filter(action="bulk", note="a bulk load").count() == 1
