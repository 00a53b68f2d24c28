"""A select's model choices are kept in the process until a table they read changes (core.choices)."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wanghua.civic.models import CampaignAction, CaseCategory
from wanghua.core import choices

pytestmark = pytest.mark.django_db


def _options(client, path: str = "/civic/cases/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _choice_queries(client, path: str = "/civic/cases/") -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return [q["sql"] for q in captured.captured_queries
            if 'FROM "civic_campaignaction"' in q["sql"] and "ORDER BY" in q["sql"]]


def test_the_next_page_reuses_the_options_and_a_new_row_shows_at_once(world, make_user, client_for):
    client = client_for(make_user("chooser", "command", region=world.district))
    CampaignAction.objects.create(code="first", name="第一行动", year=2026)
    assert "第一行动" in _options(client)
    assert _choice_queries(client) == []  # kept: the actions were not read again
    CampaignAction.objects.create(code="second", name="第二行动", year=2026)
    assert _choice_queries(client) != []  # a write gave the table a new version
    page = _options(client)
    assert "第一行动" in page and "第二行动" in page


def test_a_rename_a_delete_and_a_queryset_update_are_seen(world, make_user, client_for):
    client = client_for(make_user("chooser", "command", region=world.district))
    action = CampaignAction.objects.create(code="one", name="旧名称", year=2026)
    assert "旧名称" in _options(client)
    action.name = "新名称"
    action.save()
    assert "新名称" in _options(client) and "旧名称" not in _options(client)
    CampaignAction.objects.filter(pk=action.pk).update(name="批量改名")
    assert "批量改名" in _options(client)
    action.delete()
    assert "批量改名" not in _options(client)


def test_another_process_write_or_an_evicted_version_reads_afresh(world, make_user, client_for):
    """What another worker's write leaves is a new version in the shared cache; a version the cache lost is a
    miss, never the old options."""
    client = client_for(make_user("chooser", "command", region=world.district))
    CampaignAction.objects.create(code="one", name="行动甲", year=2026)
    _options(client)
    assert _choice_queries(client) == []
    cache.set("choices:version:civic_campaignaction", "another-worker-wrote", None)
    assert _choice_queries(client) != []
    cache.delete("choices:version:civic_campaignaction")
    assert _choice_queries(client) != []
    assert _choice_queries(client) == []


def test_links_changed_give_the_tables_new_versions(world):
    action = CampaignAction.objects.create(code="one", name="行动", year=2026)
    category = CaseCategory.objects.create(code="cat", name="大类", kind="event")
    before = choices._versions(("civic_campaignaction", "civic_campaignaction_categories"))
    action.categories.add(category)
    after = choices._versions(("civic_campaignaction", "civic_campaignaction_categories"))
    assert before[0] != after[0] and before[1] != after[1]


def _tagged(callbacks) -> int:
    return sum(getattr(c, "choices_table", None) == ("default", "civic_campaignaction") for c in callbacks)


def test_one_commit_callback_per_table_and_transaction(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        CampaignAction.objects.create(code="a", name="甲", year=2026)
        CampaignAction.objects.create(code="b", name="乙", year=2026)
    assert _tagged(callbacks) == 1


def test_a_rolled_back_savepoint_takes_its_callback_and_a_later_write_brings_one(
        world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                CampaignAction.objects.create(code="c", name="丙", year=2026)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert _tagged(func for _ids, func, _robust in connection.run_on_commit) == 0
        CampaignAction.objects.create(code="d", name="丁", year=2026)
    assert _tagged(callbacks) == 1


def test_the_commit_gives_a_new_version_again(world, django_capture_on_commit_callbacks):
    """A reader in another process between the write and the commit reads the old rows under the write's
    version; the commit's own new version leaves that behind."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        CampaignAction.objects.create(code="a", name="甲", year=2026)
        during = choices._versions(("civic_campaignaction",))
    assert choices._versions(("civic_campaignaction",)) != during


def test_a_field_with_its_own_labels_is_not_kept():
    from django import forms

    field = forms.ModelChoiceField(queryset=CampaignAction.objects.all())
    assert choices.keepable(field)
    field.label_from_instance = lambda obj: f"#{obj.pk}"
    assert not choices.keepable(field)
    assert not choices.keepable(forms.ModelMultipleChoiceField(queryset=CampaignAction.objects.all()))


def test_machine_written_tables_are_real_and_their_writes_keep_the_versions(world):
    """Telemetry, counters and logs are written many times a minute and read by no select: naming one that does
    not exist would leave a real one bumping; a write to one leaves every version as it was."""
    from django.apps import apps

    from wanghua.core.models import LoginEvent

    assert {model._meta.label_lower for model in apps.get_models()} >= choices.MACHINE_WRITTEN
    before = choices._versions(("core_loginevent",))
    LoginEvent.objects.create(username="x", ip="127.0.0.1", success=False)
    assert choices._versions(("core_loginevent",)) == before


def test_kept_choices_are_read_again_after_a_minute_whatever_the_versions(world, make_user, client_for,
                                                                         monkeypatch):
    """A writer that shares no cache with the servers (a command without WANGHUA_CACHE_URL, raw SQL) is seen
    within KEPT_SECONDS."""
    import time

    client = client_for(make_user("chooser", "command", region=world.district))
    CampaignAction.objects.create(code="one", name="行动甲", year=2026)
    _options(client)
    assert _choice_queries(client) == []
    later = time.monotonic() + choices.KEPT_SECONDS + 1
    monkeypatch.setattr(choices.time, "monotonic", lambda: later)
    assert _choice_queries(client) != []
