"""`wanghua lab_verify`: recompute the test results' hash chain; exit 1 when anything was altered."""

import sys
import time

from django.core.management.base import BaseCommand

from wanghua.lab.services import verify_chain


class Command(BaseCommand):
    help = "Verify the tamper-evident chain of lab test results (edits, insertions or removals made outside the app)."

    def handle(self, *args, **options):
        began = time.perf_counter()
        report = verify_chain()
        elapsed = time.perf_counter() - began
        if report.reason:
            where = f" at result id {report.broken_at}" if report.broken_at else ""
            self.stderr.write(f"CHAIN BROKEN{where}: {report.reason} ({report.checked} results verified before it)")
            sys.exit(1)
        self.stdout.write(f"chain intact: {report.checked} results verified in {elapsed:.2f} s")
