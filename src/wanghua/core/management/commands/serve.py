from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform (default 127.0.0.1:8000). Static files are served by WhiteNoise."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        self.stdout.write(f"Wanghua platform on http://{addrport}/  (Ctrl+C stops it)")
        call_command("runserver", addrport, use_reloader=False, use_threading=True)
