from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from wanghua.industry.ingest import Message, Pipeline
from wanghua.industry.models import ProductionLine
from wanghua.industry.simulator import LineSimulator, install_line


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
    line = install_line(world.enterprise1, "FT-BAR1", "精品汽车钢生产线")
    other = install_line(world.enterprise2, "AL-1", "铝板线")
    start = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    return Plant(line, other, Pipeline(), start)


def simulate(plant: Plant, seconds: int, *, seed: int = 3, offset: int = 0, **options) -> list[Message]:
    simulator = LineSimulator("FT-BAR1", "ent1", seed=seed, **options)
    return [Message(simulator.message(plant.start + timedelta(seconds=offset + s)), simulator.topic)
            for s in range(seconds)]
