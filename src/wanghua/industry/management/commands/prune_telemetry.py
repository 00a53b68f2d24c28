"""`wanghua prune_telemetry`: apply the telemetry retention (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from wanghua.core import jobs
from wanghua.industry.retention import prune


class Command(BaseCommand):
    help = "Remove raw samples and dead letters older than WANGHUA_TELEMETRY_RAW_DAYS and minute rollups older " \
           "than WANGHUA_TELEMETRY_ROLLUP_DAYS."

    def handle(self, *args, **options):
        with jobs.record("prune_telemetry", trigger="command") as removed:  # kept in the 调度日志 too
            removed.update(prune())
        self.stdout.write(", ".join(f"{count} {name}" for name, count in removed.items()) + " removed")
