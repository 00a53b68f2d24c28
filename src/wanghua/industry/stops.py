"""Stops: detected from the line status during ingest, classified hot or cold when they end,
given a reason by the operator, and analysed (Pareto, MTBF/MTTR, per shift, OEE)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wanghua.core import audit
from wanghua.core.access import fetch_for_change

from .models import LineStatus, ProductionLine, Stop

STOPPED = (LineStatus.STOPPED, LineStatus.FAULT)


def classify(line: ProductionLine, stop: Stop) -> str:
    """Cold when it lasted at least the line's threshold or the line cooled below its set point."""
    long = stop.seconds is not None and stop.seconds >= line.cold_after_minutes * 60
    cooled = (line.cold_below is not None and stop.min_temperature is not None
              and stop.min_temperature < line.cold_below)
    return Stop.Kind.COLD if long or cooled else Stop.Kind.HOT


class Detector:
    """Stop detection for one line during one ingest batch."""

    def __init__(self, line: ProductionLine, status: str) -> None:
        self.line = line
        self.previous = status
        self._open: Stop | bool | None = False  # False: not loaded yet
        self.changed: list[Stop] = []
        self.discarded: list[Stop] = []

    def open_stop(self) -> Stop | None:
        if self._open is False:
            self._open = Stop.objects.filter(line=self.line, ended_at__isnull=True).first()
        return self._open

    def temperature(self, value: float) -> None:
        stop = self.open_stop() if self.previous in STOPPED else None
        if stop is not None and (stop.min_temperature is None or value < stop.min_temperature):
            stop.min_temperature = value
            self._touch(stop)

    def status(self, ts: datetime, status: str, alarms) -> None:
        if status == self.previous:
            return
        stop = self.open_stop()
        if status in STOPPED and stop is None:
            self._open = Stop(line=self.line, started_at=ts, location_id=alarms.cause_before(ts),
                              by_fault=status == LineStatus.FAULT)
            self._touch(self._open)
        elif status == LineStatus.RUNNING and stop is not None:
            stop.ended_at = ts
            if stop.seconds < self.line.min_stop_seconds:
                self.discarded.append(stop)  # a hiccup, not a stop
            else:
                stop.kind = classify(self.line, stop)
                self._touch(stop)
            self._open = None
        self.previous = status

    def _touch(self, stop: Stop) -> None:
        if stop not in self.changed:
            self.changed.append(stop)

    def save(self) -> None:
        with audit.labelled("ingest:stops"):
            for stop in self.discarded:
                if stop.pk:
                    stop.delete()
            for stop in self.changed:
                if stop not in self.discarded:
                    stop.save()


@transaction.atomic
def give_reason(actor, stop_id: int, reason: str) -> Stop:
    """The operator's reason for a stop (what the alarm location alone does not say)."""
    reason = reason.strip()
    if not reason or "\x00" in reason:
        raise ValidationError({"reason": _("Give the reason for the stop.")})
    stop = fetch_for_change(Stop, actor, "change", stop_id)
    stop.reason, stop.reason_by = reason[:300], actor
    with audit.acting_as(actor):
        stop.save(update_fields=["reason", "reason_by"])
    return stop
