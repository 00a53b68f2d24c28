"""`wanghua lab_verify`: recompute the hash chains of the lab's test results, melt analyses and certificates, and
check that no valid certificate stands on records that changed after issue; exit 1 when anything was altered."""

import sys
import time

from django.core.management.base import BaseCommand

from wanghua.lab.services import verify_chain
from wanghua.lab.services.certificates import verify_certificates
from wanghua.lab.services.chemistry import verify_analyses


class Command(BaseCommand):
    help = ("Verify the tamper-evident chains of lab test results, melt analyses and certificates (edits, "
            "insertions or removals made outside the app).")

    def handle(self, *args, **options):
        began = time.perf_counter()
        report = verify_chain()
        if report.reason:
            where = f" at result id {report.broken_at}" if report.broken_at else ""
            self.stderr.write(f"CHAIN BROKEN{where}: {report.reason} ({report.checked} results verified before it)")
            sys.exit(1)
        for name, check in (("analyses", verify_analyses), ("certificates", verify_certificates)):
            checked, broken_at, reason = check()
            if reason:
                where = f" at {name[:-1] if name == 'certificates' else 'analysis'} id {broken_at}" if broken_at \
                    else ""
                self.stderr.write(f"CHAIN BROKEN{where}: {reason} ({checked} {name} verified before it)")
                sys.exit(1)
            setattr(report, name, checked)
        elapsed = time.perf_counter() - began
        self.stdout.write(f"chain intact: {report.checked} results, {report.analyses} analyses, "
                          f"{report.certificates} certificates verified in {elapsed:.2f} s")
