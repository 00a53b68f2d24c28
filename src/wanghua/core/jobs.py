"""The registry of scheduled jobs (定时任务): each app's `jobs.py` declares its jobs, the queue (huey, see
settings.HUEY) runs them in the job worker that `wanghua serve` starts, and every run is kept as a `JobRun`.

    # civic/jobs.py
    from wanghua.core.jobs import Every, job

    @job("supervise_cases", _("Supervise overdue cases"), Every(minutes=15),
         result=_("%(cases)s cases supervised"))
    def supervise_cases() -> dict[str, int]:
        return {"cases": supervise_overdue()}

A job calls its app's service and returns the counts its `result` text reads. A failed run is recorded with its
error and retried by the queue (`retries`, `retry_delay`); a paused job's schedule is skipped, while 立即执行
(`enqueue`) still runs it. The management commands (`wanghua supervise_cases`, …) run the same service through
`record`, so runs from cron appear in the same log."""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    """Every `minutes` minutes, on the minutes of the hour (and the day) that are multiples of it, local time."""

    minutes: int
    do_not_call_in_templates = True  # huey calls it with a time; a template only reads it

    def __call__(self, moment: datetime) -> bool:
        local = _local(moment)
        return (local.hour * 60 + local.minute) % self.minutes == 0

    def describe(self) -> str:
        if self.minutes == 1:
            return _("Every minute")
        if self.minutes % 60 == 0:
            return _("Every %(hours)s hours") % {"hours": self.minutes // 60} if self.minutes > 60 else _("Hourly")
        return _("Every %(minutes)s minutes") % {"minutes": self.minutes}

    def next_after(self, moment: datetime) -> datetime:
        local = _local(moment).replace(second=0, microsecond=0)
        passed = local.hour * 60 + local.minute
        return local + timedelta(minutes=self.minutes - passed % self.minutes)


@dataclass(frozen=True)
class Daily:
    """Every day at hour:minute, local time (Asia/Shanghai keeps no daylight saving, so a day is 24 hours)."""

    hour: int
    minute: int = 0
    do_not_call_in_templates = True

    def __call__(self, moment: datetime) -> bool:
        local = _local(moment)
        return (local.hour, local.minute) == (self.hour, self.minute)

    def describe(self) -> str:
        return _("Daily at %(time)s") % {"time": f"{self.hour:02d}:{self.minute:02d}"}

    def next_after(self, moment: datetime) -> datetime:
        local = _local(moment).replace(second=0, microsecond=0)
        at = local.replace(hour=self.hour, minute=self.minute)
        return at if at > local else at + timedelta(days=1)


Schedule = Every | Daily


def _local(moment: datetime) -> datetime:
    """huey hands periodic checks a naive UTC time (settings.HUEY utc=True); the schedules read local time."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return timezone.localtime(moment)


JobFunc = Callable[[], dict[str, Any]]  # a job: what it did, as counts for its run's log


@dataclass
class Job:
    name: str
    label: Any
    schedule: Schedule
    func: Callable[[], dict[str, Any]]
    result: Any  # a text with the named counts the job returns
    description: Any = ""
    link: str = ""  # a URL name: the job's own log (the indicator refresh's 刷新记录)
    retries: int = 2
    retry_delay: int = 60
    periodic: Any = field(default=None, repr=False)
    lock: Any = field(default=None, repr=False)

    def describe_result(self, counts: dict[str, Any]) -> str:
        if not counts:
            return ""
        try:
            return str(self.result) % counts
        except (KeyError, TypeError, ValueError):  # a run recorded before the text changed
            return ", ".join(f"{value}" for value in counts.values())


REGISTRY: dict[str, Job] = {}


def job(name: str, label: Any, schedule: Schedule, *, result: Any, description: Any = "", link: str = "",
        retries: int = 2, retry_delay: int = 60) -> Callable[[JobFunc], JobFunc]:
    """Declare a scheduled job: the function runs on `schedule` in the job worker, and on demand."""

    def declare(func: JobFunc) -> JobFunc:
        entry = Job(name, label, schedule, func, result, description, link, retries, retry_delay)

        def scheduled() -> None:
            execute(name, trigger="schedule")

        scheduled.__name__ = f"job_{name}"
        entry.periodic = db_periodic_task(schedule, retries=retries, retry_delay=retry_delay,
                                          name=f"job.{name}")(scheduled)
        # Declared here so the worker knows every lock: it clears them when it starts (settings.HUEY flush_locks),
        # and a worker killed in the middle of a job cannot leave that job locked for ever.
        entry.lock = HUEY.lock_task(f"job.{name}")
        REGISTRY[name] = entry
        return func

    return declare


def get(name: str) -> Job:
    from django.http import Http404

    try:
        return REGISTRY[name]
    except KeyError as exc:
        raise Http404(name) from exc


def execute(name: str, *, trigger: str, user_id: int | None = None) -> None:
    """Run one job now, in this process, unless it is paused (a scheduled run) or already running elsewhere.
    Raises what the job raised, after recording it, so the queue retries it."""
    from .models import ScheduledJob

    if trigger == "schedule" and ScheduledJob.objects.filter(name=name, paused=True).exists():
        return
    try:
        with REGISTRY[name].lock, record(name, trigger=trigger, user_id=user_id) as counts:
            counts.update(REGISTRY[name].func() or {})
    except TaskLockedException:
        log.info("job %s is already running; this run is skipped", name)


@db_task(retries=0, name="job.run_now")  # type: ignore[untyped-decorator]  # huey ships no types; its task is called as the function is
def run_now(name: str, user_id: int | None) -> None:
    """立即执行: the job, on demand, in the worker (no retry: whoever asked sees the error and decides)."""
    execute(name, trigger="demand", user_id=user_id)


@contextlib.contextmanager
def record(name: str, *, trigger: str, user_id: int | None = None) -> Iterator[dict[str, Any]]:
    """A run of `name` kept as a JobRun: the caller fills the counts; an exception is kept with its traceback
    and raised again."""
    from .models import JobRun

    run = JobRun.objects.create(job=name, trigger=trigger, user_id=user_id, started_at=timezone.now())
    started = time.monotonic()
    counts: dict[str, Any] = {}
    try:
        yield counts
    except BaseException as exc:
        run.succeeded, run.error = False, _error_text(exc)
        raise
    else:
        run.succeeded = True
    finally:
        run.finished_at = timezone.now()
        run.seconds = round(time.monotonic() - started, 3)
        run.counts = {k: v for k, v in counts.items() if isinstance(v, int | float | str)}
        run.save(update_fields=["finished_at", "seconds", "counts", "succeeded", "error"])


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc))
    return text[-4000:]


def label_of(name: str) -> str:
    entry = REGISTRY.get(name)
    return str(entry.label) if entry else name


@dataclass
class JobRow:
    """One line of the 定时任务 page."""

    job: Job
    paused: bool
    last: Any  # the latest JobRun, or None
    next_at: datetime | None  # None while paused


def overview(now: datetime | None = None) -> list[JobRow]:
    from .models import JobRun, ScheduledJob

    now = now or timezone.now()
    paused = set(ScheduledJob.objects.filter(paused=True).values_list("name", flat=True))
    rows = []
    for name, entry in sorted(REGISTRY.items(), key=lambda item: str(item[1].label)):
        last = JobRun.objects.filter(job=name).first()
        rows.append(JobRow(entry, name in paused, last, None if name in paused else entry.schedule.next_after(now)))
    return rows


def choices() -> list[tuple[str, str]]:
    return sorted(((name, str(entry.label)) for name, entry in REGISTRY.items()), key=lambda c: c[1])
