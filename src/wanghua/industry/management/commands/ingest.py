"""`wanghua ingest`: take production-line telemetry from the MQTT broker into the database."""

import logging
import signal

from django.core.management.base import BaseCommand

from wanghua.industry.telemetry.worker import IngestWorker


class Command(BaseCommand):
    help = ("Subscribe to wanghua/v1/<enterprise>/<line>/data (QoS 1, persistent session) and ingest; "
            "acknowledges each message after its batch is committed.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1883)
        parser.add_argument("--lines", default="", help="comma-separated line codes this worker owns (default all)")
        parser.add_argument("--client-id", default="", help="stable per worker; default wanghua-ingest[-lines]")
        parser.add_argument("--batch", type=int, default=2000, help="messages per committed batch")

    def handle(self, *args, host, port, lines, client_id, batch, **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        codes = [code.strip() for code in lines.split(",") if code.strip()]
        worker = IngestWorker(host, port, lines=codes, batch_size=batch,
                              client_id=client_id or "wanghua-ingest" + ("-" + "-".join(codes) if codes else ""),
                              on_batch=lambda r: self.stdout.write(
                                  f"batch: {r.messages} messages, {r.samples} samples, {r.duplicates} duplicates, "
                                  f"{r.dead_letters} dead letters") if r.dead_letters else None)
        worker.on_subscribed = self._subscribed
        signal.signal(signal.SIGTERM, lambda *_: worker.stopping.set())
        self.stdout.write(f"ingesting from {host}:{port} ({', '.join(worker.topics)}); Ctrl+C stops")
        try:
            totals = worker.run()
        except KeyboardInterrupt:
            worker.stop()
            totals = worker.totals
        self.stdout.write(f"{totals.messages} messages, {totals.samples} samples, {totals.duplicates} duplicates, "
                          f"{totals.dead_letters} dead letters")

    def _subscribed(self) -> None:
        self.stdout.write("subscribed: taking messages")  # also what tests wait for before they publish
        self.stdout.flush()
