"""`wanghua review_commitments`: 民生清单 commitments whose milestone or deadline passed unmet fall behind (daily)."""

from django.core.management.base import BaseCommand

from wanghua.civic.services.commitments import review_commitments


class Command(BaseCommand):
    help = "Mark the livelihood commitments whose milestone or deadline passed unmet as lagging (run daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"{review_commitments()} commitments fell behind")
