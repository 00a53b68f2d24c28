from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from wanghua.core import audit
from wanghua.industry.models import AlarmDefinition, Equipment, ProductionLine, Tag
from wanghua.industry.simulator import LineSimulator, install_line
from wanghua.industry.telemetry.decode import Message
from wanghua.industry.telemetry.pipeline import Pipeline


@dataclass
class Plant:
    line: ProductionLine
    other_line: ProductionLine
    pipeline: Pipeline
    start: datetime

    def send(self, *bodies: dict | bytes, line: str = "FT-BAR1", source: str = "local"):
        topic = f"wanghua/v1/ent1/{line}/data"
        return self.pipeline.process([Message(b if isinstance(b, bytes) else _json(b), topic, source)
                                      for b in bodies])

    def at(self, seconds: float) -> str:
        return (self.start + timedelta(seconds=seconds)).isoformat()


def _json(body: dict) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture
def plant(world) -> Plant:
    return build_plant(world)


def build_plant(world) -> Plant:
    """The bar line at 一号钢厂 (enterprise1) and another line at 二号铝厂 (enterprise2)."""
    line = _install(world.enterprise1, "FT-BAR1", "精品汽车钢生产线")
    other = _install(world.enterprise2, "AL-1", "铝板线")
    start = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    return Plant(line, other, Pipeline(), start)


# The rows install_line makes for a line, kept from the first test that installs it: later tests bulk-insert
# the same rows (4 statements instead of ~140 audited saves). Every test still gets its own rows.
_BLUEPRINTS: dict[str, dict] = {}


def _values(obj, *skip: str) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if not f.primary_key and f.name not in skip}


def _install(enterprise, code: str, name: str) -> ProductionLine:
    blueprint = _BLUEPRINTS.get(code)
    if blueprint is None:
        line = install_line(enterprise, code, name)
        tags = list(Tag.objects.filter(line=line).select_related("equipment").order_by("pk"))
        _BLUEPRINTS[code] = {
            "line": _values(line, "enterprise", "temperature_tag"),
            "temperature_tag": line.temperature_tag.code,
            "equipment": [_values(e, "line") for e in Equipment.objects.filter(line=line).order_by("pk")],
            "tags": [(t.equipment.location if t.equipment else None, _values(t, "line", "equipment")) for t in tags],
            "alarms": [(d.tag.code, _values(d, "tag"))
                       for d in AlarmDefinition.objects.filter(tag__line=line).select_related("tag").order_by("pk")],
        }
        return line
    with audit.labelled("industry:install_line"):
        line = ProductionLine.objects.create(enterprise=enterprise, **blueprint["line"])
        places = {e.location: e for e in Equipment.objects.bulk_create(
            [Equipment(line=line, **values) for values in blueprint["equipment"]])}
        tags = {t.code: t for t in Tag.objects.bulk_create(
            [Tag(line=line, equipment=places.get(location), **values) for location, values in blueprint["tags"]])}
        AlarmDefinition.objects.bulk_create([AlarmDefinition(tag=tags[tag], **values)
                                             for tag, values in blueprint["alarms"]])
        line.temperature_tag = tags[blueprint["temperature_tag"]]
        line.save(update_fields=["temperature_tag"])
    return line


def simulate(plant: Plant, seconds: int, *, seed: int = 3, offset: int = 0, **options) -> list[Message]:
    simulator = LineSimulator("FT-BAR1", "ent1", seed=seed, **options)
    return [Message(simulator.message(plant.start + timedelta(seconds=offset + s)), simulator.topic)
            for s in range(seconds)]


def _reachable(host: str, port: int) -> bool:
    import socket

    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def broker() -> tuple[str, int]:
    """The MQTT broker of WANGHUA_MQTT_URL (default the local Mosquitto). CI sets WANGHUA_REQUIRE_MQTT=1,
    so there a missing broker fails the run instead of skipping."""
    import os
    from urllib.parse import urlparse

    url = urlparse(os.environ.get("WANGHUA_MQTT_URL", "mqtt://127.0.0.1:1883"))
    host, port = url.hostname or "127.0.0.1", url.port or 1883
    if not _reachable(host, port):
        if os.environ.get("WANGHUA_REQUIRE_MQTT"):
            pytest.fail(f"no MQTT broker on {host}:{port}")
        pytest.skip(f"no MQTT broker on {host}:{port}")
    return host, port


def forget_session(host: str, port: int, client_id: str) -> None:
    """Drop a persistent session the test made, so the shared broker keeps no queue for it."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect(host, port)
    client.loop_start()
    client.disconnect()
    client.loop_stop()
