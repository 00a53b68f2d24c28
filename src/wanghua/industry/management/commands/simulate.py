"""`wanghua simulate`: publish the bar-line simulation to the MQTT broker or straight into the pipeline."""

import contextlib
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wanghua.industry.models import ProductionLine
from wanghua.industry.simulator import backfill, local_sender, run_live, simulators_for


class Command(BaseCommand):
    help = "Simulate production lines: history (--backfill-hours) and then live data, over MQTT or in-process."

    def add_arguments(self, parser):
        parser.add_argument("--lines", default="",
                            help="comma-separated line codes (default: every active line with a status tag)")
        parser.add_argument("--transport", choices=["mqtt", "local"], default="mqtt")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1883)
        parser.add_argument("--backfill-hours", type=float, default=0, help="simulated history up to now first")
        parser.add_argument("--step", type=float, default=1.0, help="seconds between samples in the history")
        parser.add_argument("--duration", type=float, default=None, help="seconds of live data (default: forever)")
        parser.add_argument("--period", type=float, default=1.0, help="seconds between live messages")

    def handle(self, *args, lines, transport, host, port, backfill_hours, step, duration, period, **options):
        chosen = ProductionLine.objects.filter(active=True).select_related("enterprise")
        if lines:
            chosen = chosen.filter(code__in=[c.strip() for c in lines.split(",")])
        else:  # every line that can take the simulation: one with a status tag (a bare new line would only dead-letter)
            chosen = chosen.filter(tags__code="status").distinct()
        simulators = simulators_for(chosen)
        if not simulators:
            raise CommandError("no such active line")
        publisher = None
        if transport == "mqtt":
            from wanghua.industry.telemetry.worker import Publisher

            publisher = Publisher(host, port)

            def send(batch):
                for topic, payload in batch:
                    publisher.publish(topic, payload)
        else:
            send = local_sender()
        try:
            if backfill_hours:
                now = timezone.now()
                sent = backfill(simulators, now - timedelta(hours=backfill_hours), now, step=step, send=send)
                self.stdout.write(f"history: {sent} messages")
            if duration != 0:
                self.stdout.write(f"live: {len(simulators)} line(s) every {period} s; Ctrl+C stops")
                with contextlib.suppress(KeyboardInterrupt):
                    run_live(simulators, send=send, period=period, duration=duration)
        finally:
            if publisher:
                publisher.close()
