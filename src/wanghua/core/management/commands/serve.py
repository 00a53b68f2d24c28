from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform (default 127.0.0.1:8000). Static files are served by WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--simulate", action="store_true",
                            help="run the production-line simulator in-process, so the live pages move")
        parser.add_argument("--refresh-every", type=float, default=15, metavar="MINUTES",
                            help="recompute the boards' indicators every MINUTES in-process (0: never; "
                                 "larger deployments run `wanghua refresh_indicators` from cron)")

    def handle(self, *args, addrport: str, simulate: bool, refresh_every: float, **options):
        if refresh_every > 0:
            from wanghua.dashboard.services import start_background as start_refresh

            start_refresh(refresh_every)
            self.stdout.write(f"Indicators: refreshed in-process every {refresh_every:g} minutes")
        if simulate:
            from wanghua.industry.simulator import start_background

            start_background()
            self.stdout.write("Production lines: simulated in-process, one message per line per second")
        self.stdout.write(f"Wanghua platform on http://{addrport}/  (Ctrl+C stops it)")
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
