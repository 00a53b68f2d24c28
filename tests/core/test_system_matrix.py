"""The permission matrix for the shell and system pages (overview, account, audit, logs, sessions,
dictionaries, notices) and the core API routes."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wanghua.core import services
from wanghua.core.models import ApiToken, DictItem, DictType, JobRun, Notice, ScheduledJob
from wanghua.core.testing import PAGE_DETAIL, MatrixCase, run_case
from wanghua.org.models import Person

LOGGED_IN = {"anonymous": 302, "no_role": 200, "out_of_scope": 200, "in_scope": 200}
API_LOGGED_IN = {"anonymous": 401, "no_role": 200, "out_of_scope": 200, "in_scope": 200}
HOLDERS_ONLY = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 200}
HOLDERS_CHANGE = {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302}
READ_BY_ANYONE = {"anonymous": 302, "no_role": 302, "out_of_scope": 302, "in_scope": 302}


def shell_cases(w, users):
    """Scoped by region: street 1 staff in scope, street 2 staff out of scope."""
    person_type = ContentType.objects.get_for_model(Person).pk
    token_id = ApiToken.objects.get(user=users["in_scope"]).pk
    readable = Notice.objects.get_or_create(title="矩阵已读通知", body="x")[0]  # every reader marks their own
    return [
        MatrixCase("overview", "get", "/", LOGGED_IN),
        MatrixCase("overview chart", "get", "/overview/chart.json", LOGGED_IN, marker="一街道"),
        MatrixCase("six goals", "get", "/goals/", LOGGED_IN),
        MatrixCase("password form", "get", "/accounts/password/", LOGGED_IN),
        MatrixCase("tokens page", "get", "/accounts/tokens/", LOGGED_IN),
        MatrixCase("token create", "post", "/accounts/tokens/", LOGGED_IN, data={"name": "matrix"}),
        MatrixCase("token revoke", "post", f"/accounts/tokens/{token_id}/revoke/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302},
                   state=lambda: ApiToken.objects.get(pk=token_id).revoked_at),
        MatrixCase("record history", "get", f"/system/audit/{person_type}/{w.person1.pk}/", PAGE_DETAIL),
        MatrixCase("user history", "get", f"/system/audit/user/{users['in_scope'].pk}/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 200}),
        MatrixCase("dictionaries", "get", "/system/dictionaries/", LOGGED_IN),
        MatrixCase("notices", "get", "/system/notices/", LOGGED_IN),
        MatrixCase("notice read", "post", f"/system/notices/{readable.pk}/read/", READ_BY_ANYONE,
                   data={"next": "/"}),
        MatrixCase("my records", "get", "/accounts/mine/", LOGGED_IN),
        MatrixCase("api me", "get", "/api/v1/me", API_LOGGED_IN, marker="in_scope_user"),
        MatrixCase("api dictionary", "get", "/api/v1/dicts/person_title", API_LOGGED_IN),
    ]


def leader_cases(w, users):
    """Audit trail, login log and notices: district leaders hold them, street staff do not."""
    return [
        MatrixCase("audit trail", "get", "/system/audit/", HOLDERS_ONLY),
        MatrixCase("audit export", "get", "/system/audit/?format=xlsx", HOLDERS_ONLY),
        MatrixCase("login log", "get", "/system/logins/", HOLDERS_ONLY),
        MatrixCase("login log export", "get", "/system/logins/?format=xlsx", HOLDERS_ONLY),
        MatrixCase("notice publish", "post", "/system/notices/",
                   {"anonymous": 302, "no_role": 403, "out_of_scope": 403, "in_scope": 302},
                   data={"title": "矩阵通知", "kind": "notice", "body": "正文"}, state=lambda: Notice.objects.count()),
        MatrixCase("notice withdraw", "post", f"/system/notices/{users['notice'].pk}/withdraw/", HOLDERS_CHANGE,
                   state=lambda: Notice.objects.get(pk=users["notice"].pk).expires_at),
    ]


def sysadmin_cases(w, users):
    """Online users and dictionary editing: system administrators only."""
    item = DictItem.objects.filter(dict_type__code="person_title").first()
    type_id = DictType.objects.get(code="person_title").pk
    run = JobRun.objects.create(job="supervise_cases", trigger="schedule", started_at=timezone.now())
    return [
        MatrixCase("scheduled jobs", "get", "/system/jobs/", HOLDERS_ONLY),
        MatrixCase("job run now", "post", "/system/jobs/supervise_cases/run/", HOLDERS_CHANGE),
        MatrixCase("job pause", "post", "/system/jobs/prune_telemetry/pause/", HOLDERS_CHANGE,
                   state=lambda: list(ScheduledJob.objects.values_list("name", "paused"))),
        MatrixCase("job resume", "post", "/system/jobs/prune_telemetry/resume/", HOLDERS_CHANGE,
                   state=lambda: list(ScheduledJob.objects.values_list("name", "paused"))),
        MatrixCase("job log", "get", "/system/jobs/log/", HOLDERS_ONLY),
        MatrixCase("job log export", "get", "/system/jobs/log/?format=xlsx", HOLDERS_ONLY),
        MatrixCase("job run", "get", f"/system/jobs/log/{run.pk}/", HOLDERS_ONLY),
        MatrixCase("online users", "get", "/system/sessions/", HOLDERS_ONLY),
        MatrixCase("end session", "post", "/system/sessions/nosuchsession00/end/", HOLDERS_CHANGE),
        MatrixCase("dictionary item save", "post", f"/system/dictionaries/{type_id}/items/", HOLDERS_CHANGE,
                   data={"value": "matrix", "label": "矩阵"}, state=lambda: DictItem.objects.count()),
        MatrixCase("dictionary item toggle", "post", f"/system/dictionaries/items/{item.pk}/toggle/", HOLDERS_CHANGE,
                   state=lambda: DictItem.objects.get(pk=item.pk).active),
    ]


@pytest.fixture
def token_holder(world):
    def add(users):
        services.create_token(users["in_scope"], "for the matrix")
        return users

    return add


def test_shell_matrix(world, matrix, token_holder):
    clients, users = matrix(("street", {"region": world.street1}), ("street", {"region": world.street2}))
    token_holder(users)
    assert [f for case in shell_cases(world, users) for f in run_case(clients, case)] == []


def test_leader_matrix(world, matrix):
    clients, users = matrix(("leader", {"region": world.district}), ("street", {"region": world.street1}))
    users["notice"] = Notice.objects.create(title="旧通知", body="x")
    assert [f for case in leader_cases(world, users) for f in run_case(clients, case)] == []


def test_sysadmin_matrix(world, matrix):
    clients, users = matrix(("sysadmin", {"region": world.district}), ("street", {"region": world.street1}))
    assert [f for case in sysadmin_cases(world, users) for f in run_case(clients, case)] == []
