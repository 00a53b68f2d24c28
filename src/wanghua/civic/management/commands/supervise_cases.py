"""`wanghua supervise_cases`: dispatched cases past their deadline are flagged for 督办 (run every 15 minutes)."""

from django.core.management.base import BaseCommand

from wanghua.civic.services.cases import supervise_overdue
from wanghua.core import jobs


class Command(BaseCommand):
    help = "Flag overdue dispatched city-management cases for supervision by the command centre."

    def handle(self, *args, **options):
        with jobs.record("supervise_cases", trigger="command") as counts:  # kept in the 调度日志 too
            counts["cases"] = supervise_overdue()
        self.stdout.write(f"{counts['cases']} cases supervised")
