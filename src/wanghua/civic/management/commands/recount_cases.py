"""`wanghua recount_cases`: rebuild the case tallies from the cases (after a bulk load or a restore)."""

from django.core.management.base import BaseCommand

from wanghua.civic import tally


class Command(BaseCommand):
    help = "Rebuild the city-management case tallies behind the KPI board."

    def handle(self, *args, **options):
        self.stdout.write(f"{tally.rebuild()} tally rows written")
