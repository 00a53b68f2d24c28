"""`wanghua review_commitments`: 民生清单 commitments whose milestone or deadline passed unmet fall behind (daily)."""

from django.core.management.base import BaseCommand

from wanghua.civic.services.commitments import review_commitments
from wanghua.core import jobs


class Command(BaseCommand):
    help = "Mark the livelihood commitments whose milestone or deadline passed unmet as lagging (run daily)."

    def handle(self, *args, **options):
        with jobs.record("review_commitments", trigger="command") as counts:  # kept in the 调度日志 too
            counts["commitments"] = review_commitments()
        self.stdout.write(f"{counts['commitments']} commitments fell behind")
