"""定时任务: the job registry, the run log (JobRun), the page's controls and who may use them."""

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse

from wanghua.core import jobs
from wanghua.core.models import AuditEntry, JobRun, ScheduledJob

EXPECTED = {"supervise_cases", "escalate_issues", "prune_telemetry", "refresh_indicators", "alarm_timer",
            "stale_alarms", "review_commitments", "telemetry_partitions", "hour_rollups", "award_points"}

# Each job, the function of its app it calls (patched where the job module looks it up), and what it records.
CALLS = [
    ("supervise_cases", "wanghua.civic.jobs.supervise_overdue", 3, {"cases": 3}),
    ("escalate_issues", "wanghua.projects.jobs.escalate_overdue", 2, {"issues": 2}),
    ("review_commitments", "wanghua.civic.jobs.review_commitments", 1, {"commitments": 1}),
    ("award_points", "wanghua.culture.jobs.award_points", 3, {"signups": 3}),
    ("prune_telemetry", "wanghua.industry.jobs.prune", {"samples": 5, "rollups": 1, "dead_letters": 0},
     {"samples": 5, "rollups": 1, "dead_letters": 0}),
    ("alarm_timer", "wanghua.industry.services.advance_alarm_timers", 4, {"alarms": 4}),
    ("telemetry_partitions", "wanghua.industry.jobs.partitions.create_ahead", 2, {"partitions": 2}),
    ("hour_rollups", "wanghua.industry.jobs.rollups.roll_up", {"hours": 3}, {"hours": 3}),
    ("stale_alarms", "wanghua.industry.services.sweep_stale_alarms", {"stale": 1, "lines": 1},
     {"stale": 1, "lines": 1}),
    ("refresh_indicators", "wanghua.dashboard.services.refresh_indicators",
     SimpleNamespace(values=7, failures=[{"key": "x"}], pk=9), {"values": 7, "failures": 1, "refresh": 9}),
]


def test_every_periodic_job_is_registered_with_the_queue():
    assert set(jobs.REGISTRY) == EXPECTED
    from huey.contrib.djhuey import HUEY

    registered = set(HUEY._registry._registry)
    for name, entry in jobs.REGISTRY.items():
        assert entry.periodic is not None and any(key.endswith(f"job.{name}") for key in registered), name
        assert entry.schedule.describe()


@pytest.mark.parametrize(("name", "target", "returned", "counts"), CALLS, ids=[c[0] for c in CALLS])
def test_each_job_calls_its_service_and_records_the_run(db, monkeypatch, name, target, returned, counts):
    calls = []
    monkeypatch.setattr(target, lambda *a, **k: calls.append(1) or returned)
    jobs.execute(name, trigger="schedule")
    run = JobRun.objects.get(job=name)
    assert calls == [1]
    assert (run.trigger, run.succeeded, run.counts, run.error) == ("schedule", True, counts, "")
    assert run.finished_at >= run.started_at and run.seconds >= 0
    assert run.result_text and "%(" not in run.result_text


def test_a_failed_run_is_recorded_with_its_error_and_raised_for_the_retry(db, monkeypatch):
    def broken():
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr("wanghua.civic.jobs.supervise_overdue", broken)
    with pytest.raises(RuntimeError):
        jobs.execute("supervise_cases", trigger="schedule")
    run = JobRun.objects.get(job="supervise_cases")
    assert run.succeeded is False and "RuntimeError: 数据库连接中断" in run.error
    assert run.error_summary == "RuntimeError: 数据库连接中断" and run.finished_at is not None
    assert jobs.REGISTRY["supervise_cases"].retries > 0  # the queue runs it again


def test_a_paused_job_skips_its_schedule_but_runs_on_demand(db, monkeypatch):
    monkeypatch.setattr("wanghua.civic.jobs.supervise_overdue", lambda: 0)
    ScheduledJob.objects.create(name="supervise_cases", paused=True)
    jobs.execute("supervise_cases", trigger="schedule")
    assert not JobRun.objects.exists()
    jobs.execute("supervise_cases", trigger="demand")
    assert JobRun.objects.get().trigger == "demand"


def test_the_commands_record_their_runs_too(db, monkeypatch):
    monkeypatch.setattr("wanghua.civic.management.commands.supervise_cases.supervise_overdue", lambda: 2)
    call_command("supervise_cases")
    run = JobRun.objects.get()
    assert (run.job, run.trigger, run.counts, run.succeeded) == ("supervise_cases", "command", {"cases": 2}, True)


def test_schedules_read_local_time():
    every = jobs.Every(minutes=15)
    daily = jobs.Daily(hour=8)
    # huey hands naive UTC: 00:00 UTC is 08:00 in Beijing.
    assert daily(datetime(2026, 3, 2, 0, 0)) and not daily(datetime(2026, 3, 2, 8, 0))
    assert every(datetime(2026, 3, 2, 1, 45)) and not every(datetime(2026, 3, 2, 1, 46))
    after = jobs.Daily(hour=8).next_after(datetime.fromisoformat("2026-03-02T09:00:00+08:00"))
    assert after.isoformat() == "2026-03-03T08:00:00+08:00"
    assert every.next_after(datetime.fromisoformat("2026-03-02T09:07:30+08:00")).isoformat() == \
        "2026-03-02T09:15:00+08:00"
    assert str(jobs.Every(minutes=1).describe()) and str(jobs.Every(minutes=60).describe())


@pytest.fixture
def admin(world, make_user):
    return make_user("jobs-admin", "sysadmin", region=world.district)


def test_the_page_shows_each_job_and_get_never_writes(admin, client_for, monkeypatch):
    monkeypatch.setattr("wanghua.civic.jobs.supervise_overdue", lambda: 1)
    jobs.execute("supervise_cases", trigger="schedule")
    before = (JobRun.objects.count(), ScheduledJob.objects.count(), AuditEntry.objects.count())
    client = client_for(admin)
    page = client.get(reverse("core:jobs"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    body = page.content.decode()
    for name in EXPECTED:
        assert f'id="job-{name}"' in body
    assert reverse("dashboard:refreshes") in body  # the indicator refresh's own log is linked
    for url in (reverse("core:job_run_now", args=["supervise_cases"]), reverse("core:job_pause",
                                                                              args=["supervise_cases"])):
        assert client.get(url).status_code == 405  # the controls are POST only
    assert client.get(reverse("core:job_log")).status_code == 200
    assert client.get(reverse("core:job_run", args=[JobRun.objects.get().pk])).status_code == 200
    assert (JobRun.objects.count(), ScheduledJob.objects.count(), AuditEntry.objects.count()) == before


def test_run_now_enqueues_and_the_run_is_logged_with_who_asked(admin, client_for, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    monkeypatch.setattr("wanghua.projects.jobs.escalate_overdue", lambda: 5)
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:job_run_now", args=["escalate_issues"]))
    assert response.status_code == 302
    run = JobRun.objects.get()
    assert (run.job, run.trigger, run.user, run.counts) == ("escalate_issues", "demand", admin, {"issues": 5})
    assert client.post(reverse("core:job_run_now", args=["no_such_job"])).status_code == 404


def test_pause_and_resume_are_audited_and_shown(admin, client_for):
    client = client_for(admin)
    client.post(reverse("core:job_pause", args=["prune_telemetry"]))
    switch = ScheduledJob.objects.get(name="prune_telemetry")
    assert switch.paused and switch.changed_by == admin
    row = next(r for r in jobs.overview() if r.job.name == "prune_telemetry")
    assert row.paused and row.next_at is None
    client.post(reverse("core:job_resume", args=["prune_telemetry"]))
    assert not ScheduledJob.objects.get(name="prune_telemetry").paused
    assert AuditEntry.objects.filter(object_id="prune_telemetry").count() == 2


@pytest.mark.parametrize("role", ["leader", "street", None])
def test_others_are_refused(world, make_user, client_for, role, django_capture_on_commit_callbacks):
    user = make_user(f"not-admin-{role}", role, region=world.district if role else None)
    client = client_for(user)
    assert client.get(reverse("core:jobs")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        for url in ("core:job_run_now", "core:job_pause", "core:job_resume"):
            assert client.post(reverse(url, args=["supervise_cases"])).status_code == 403
    assert not JobRun.objects.exists() and not ScheduledJob.objects.exists()
    anonymous = client_for(None).post(reverse("core:job_run_now", args=["supervise_cases"]))
    assert anonymous.status_code in (302, 403) and not JobRun.objects.exists()


def test_the_job_log_filters_and_exports(admin, client_for, monkeypatch):
    monkeypatch.setattr("wanghua.civic.jobs.supervise_overdue", lambda: 1)
    jobs.execute("supervise_cases", trigger="schedule")
    monkeypatch.setattr("wanghua.projects.jobs.escalate_overdue", lambda: (_ for _ in ()).throw(ValueError("坏")))
    with pytest.raises(ValueError):
        jobs.execute("escalate_issues", trigger="demand")
    client = client_for(admin)
    failed = client.get(reverse("core:job_log"), {"succeeded": "false"})
    assert failed.status_code == 200 and len(failed.context["object_list"]) == 1
    assert client.get(reverse("core:job_log"), {"job": "supervise_cases"}).context["object_list"][0].job == \
        "supervise_cases"
    assert client.get(reverse("core:job_log"), {"error": "坏"}).context["paginator"].count == 1
    assert client.get(reverse("core:job_log"), {"job": "nonsense"}).status_code == 400
    export = client.get(reverse("core:job_log"), {"format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_job_never_overlaps_itself(db, monkeypatch):
    monkeypatch.setattr("wanghua.civic.jobs.supervise_overdue", lambda: 0)
    with jobs.REGISTRY["supervise_cases"].lock:  # a run still going on in another worker thread
        jobs.execute("supervise_cases", trigger="schedule")
    assert not JobRun.objects.exists()
    jobs.execute("supervise_cases", trigger="schedule")  # the lock is released with the run
    assert JobRun.objects.count() == 1
