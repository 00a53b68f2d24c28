from django.core.management.base import BaseCommand

from wanghua.demo import dashboard_demo, district, industry_demo, lab_demo
from wanghua.org.models import Region, RegionLevel


class Command(BaseCommand):
    help = "Build (or refresh) the demo district of Wanghua and print the demo logins. Idempotent."

    def handle(self, *args, **options):
        logins = district.build()
        lines = industry_demo.build()
        lab_demo.build()
        dashboard_demo.build()  # last: the stored indicator values count everything built before
        communities = Region.objects.filter(level=RegionLevel.COMMUNITY).count()
        streets = Region.objects.filter(level=RegionLevel.STREET).count()
        self.stdout.write(self.style.SUCCESS(
            f"望花区 demo district ready: {streets} towns/streets, {communities} villages/communities, "
            f"{len(lines)} production lines."))
        self.stdout.write(f"Demo logins (password for all: {district.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<8} {login.scope:<16} {login.name}")
