"""`wanghua escalate_issues`: open project issues past their deadline go to the 包保领导 (run daily)."""

from django.core.management.base import BaseCommand

from wanghua.projects.services import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue open project issues to the project's responsible leader."

    def handle(self, *args, **options):
        self.stdout.write(f"{escalate_overdue()} issues escalated")
