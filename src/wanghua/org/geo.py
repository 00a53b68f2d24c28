"""GeoJSON outlines of zones and regions: validated on the way in, served as-is to the maps."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

GEOMETRIES = {"Polygon", "MultiPolygon"}


def _is_position(value) -> bool:
    return (isinstance(value, list) and len(value) in (2, 3)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4 or not all(_is_position(p) for p in ring) or ring[0] != ring[-1]:
        raise ValidationError(_("A polygon ring needs at least four [longitude, latitude] points and must close."))


def _check_geometry(geometry) -> None:
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


def validate_outline(value) -> None:
    """Accept a Polygon/MultiPolygon geometry, or a Feature carrying one."""
    if value in (None, ""):
        return
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    _check_geometry(value)
