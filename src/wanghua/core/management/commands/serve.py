from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform (default 127.0.0.1:8000). Static files are served by WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--simulate", action="store_true",
                            help="run the production-line simulator in-process, so the live pages move")

    def handle(self, *args, addrport: str, simulate: bool, **options):
        if simulate:
            from wanghua.industry.simulator import start_background

            start_background()
            self.stdout.write("Production lines: simulated in-process, one message per line per second")
        self.stdout.write(f"Wanghua platform on http://{addrport}/  (Ctrl+C stops it)")
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
