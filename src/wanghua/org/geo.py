"""GeoJSON outlines of zones and regions: validated on the way in, served as-is to the maps."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Region

GEOMETRIES = {"Polygon", "MultiPolygon"}


def _is_position(value: Any) -> bool:
    return (isinstance(value, list) and len(value) in (2, 3)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list) or len(ring) < 4 or not all(_is_position(p) for p in ring) or ring[0] != ring[-1]:
        raise ValidationError(_("A polygon ring needs at least four [longitude, latitude] points and must close."))


def _check_geometry(geometry: Any) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        raise ValidationError(_("The outline must be a GeoJSON Polygon or MultiPolygon."))
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("The outline has no coordinates."))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("The outline has no coordinates."))
        for ring in polygon:
            _check_ring(ring)


def validate_outline(value: Any) -> None:
    """Accept a Polygon/MultiPolygon geometry, or a Feature carrying one."""
    if value in (None, ""):
        return
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    _check_geometry(value)


def _in_ring(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Ray casting: does the point lie inside the closed ring?"""
    inside = False
    for (x1, y1, *_rest), (x2, y2, *_more) in pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(outline: dict[str, Any] | None, lon: float, lat: float) -> bool:
    """Is the point inside the outline (a Polygon/MultiPolygon or a Feature), holes excluded?"""
    if not outline:
        return False
    geometry: dict[str, Any] = outline["geometry"] if outline.get("type") == "Feature" else outline
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return any(_in_ring(polygon[0], lon, lat) and not any(_in_ring(hole, lon, lat) for hole in polygon[1:])
               for polygon in polygons)


def street_outlines(regions: QuerySet[Region]) -> dict[str, Any]:
    """The towns/streets' (schematic) areas of a Region queryset as a FeatureCollection: the base layer of the
    point maps (cases, stations, projects)."""
    from .models import RegionLevel  # geo.py is imported by the models module

    streets = regions.filter(level=RegionLevel.STREET, geojson__isnull=False).order_by("code")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": s.geojson, "properties": {"name": s.code, "label": s.name}}
        for s in streets.only("code", "name", "geojson")]}


def point(lat: float | Decimal, lon: float | Decimal) -> dict[str, float]:
    """A record's spot for the maps' JSON."""
    return {"lat": float(lat), "lon": float(lon)}
