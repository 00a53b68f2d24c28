"""`wanghua escalate_issues`: open project issues past their deadline go to the 包保领导 (run daily)."""

from django.core.management.base import BaseCommand

from wanghua.core import jobs
from wanghua.projects.services import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue open project issues to the project's responsible leader."

    def handle(self, *args, **options):
        with jobs.record("escalate_issues", trigger="command") as counts:  # kept in the 调度日志 too
            counts["issues"] = escalate_overdue()
        self.stdout.write(f"{counts['issues']} issues escalated")
