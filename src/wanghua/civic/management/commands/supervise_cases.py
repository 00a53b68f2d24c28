"""`wanghua supervise_cases`: dispatched cases past their deadline are flagged for 督办 (run every 15 minutes)."""

from django.core.management.base import BaseCommand

from wanghua.civic.services.cases import supervise_overdue


class Command(BaseCommand):
    help = "Flag overdue dispatched city-management cases for supervision by the command centre."

    def handle(self, *args, **options):
        self.stdout.write(f"{supervise_overdue()} cases supervised")
