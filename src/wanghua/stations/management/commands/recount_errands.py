"""`wanghua recount_errands`: rebuild the errand tallies after a bulk load or a restore."""

from django.core.management.base import BaseCommand

from wanghua.core import audit
from wanghua.stations import tally


class Command(BaseCommand):
    help = "Recount the errand tallies (statistics, indicators) and residents' first service date from the errands."

    def handle(self, *args, **options) -> None:
        with audit.summarised(audit.Label.RECOUNT_ERRANDS, "recounted the errand tallies"):
            rows = tally.rebuild()
        self.stdout.write(f"{rows} tally rows")
