"""The industrial belt's scheduled jobs (core/jobs.py runs them in the job worker)."""

from django.utils.translation import gettext_lazy as _

from wanghua.core.jobs import Daily, Every, job

from . import services
from .retention import prune
from .telemetry import partitions, rollups


@job("alarm_timer", _("Alarm timer"), Every(minutes=1), result=_("%(alarms)s alarms changed"), retries=0,
     description=_("Alarm on- and off-delays and shelves run out on time, even when no new sample arrives."))
def alarm_timer() -> dict[str, int]:
    return {"alarms": services.advance_alarm_timers()}


@job("stale_alarms", _("Stale alarm sweep"), Every(minutes=60),
     result=_("%(stale)s alarms standing over 24 hours on %(lines)s lines"),
     description=_("Counts the alarms that have stood for more than 24 hours (stale alarms)."))
def stale_alarms() -> dict[str, int]:
    return services.sweep_stale_alarms()


@job("prune_telemetry", _("Telemetry retention"), Daily(hour=3, minute=30),
     result=_("%(samples)s samples, %(rollups)s minute rollups and %(dead_letters)s dead letters removed"),
     description=_("Removes raw samples, minute rollups and dead letters older than their retention."))
def prune_telemetry() -> dict[str, int]:
    return prune()


@job("telemetry_partitions", _("Telemetry partitions"), Every(minutes=360),
     result=_("%(partitions)s partitions created"),
     description=_("Creates the telemetry tables' time partitions a week ahead (PostgreSQL; nothing to do on "
                   "SQLite)."))
def telemetry_partitions() -> dict[str, int]:
    return {"partitions": partitions.create_ahead()}


@job("hour_rollups", _("Hour rollups"), Every(minutes=5), result=_("%(hours)s line-hours summed"),
     description=_("Sums the minute rollups of the hours that changed into hour rollups, which long trends "
                   "and 30-day KPIs read."))
def hour_rollups() -> dict[str, int]:
    return rollups.roll_up()
