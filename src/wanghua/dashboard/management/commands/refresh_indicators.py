from django.core.management.base import BaseCommand

from wanghua.core import jobs
from wanghua.dashboard import services


class Command(BaseCommand):
    help = "Recompute every indicator for every scope and store this month's values (run from cron)."

    def handle(self, *args, **options):
        with jobs.record("refresh_indicators", trigger="command") as counts:  # kept in the 调度日志 too
            run = services.refresh_indicators(trigger="schedule")
            counts.update(values=run.values, failures=len(run.failures), refresh=run.pk)
        self.stdout.write(f"{run.values} values for {run.period:%Y-%m} in {run.seconds} s, "
                          f"{len(run.failures)} failures")
        for failure in run.failures:
            self.stderr.write(f"  {failure['key']} {failure['scope']}: {failure['error']}")
