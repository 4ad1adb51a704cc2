"""GeoJSON checks for sectors, in plain Python: no GIS library is needed at this scale."""

import json
import math
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# A sector may spill a little over the commune's edge (a street, a station square).
TOLERANCE_METRES = 500
MAX_VERTICES = 20_000
EARTH_RADIUS = 6_371_008.8


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def points_of(geometry):
    for polygon in _rings(geometry):
        for ring in polygon:
            yield from ring


def bbox(geometry):
    xs, ys = [], []
    for point in points_of(geometry):
        lon, lat = point[0], point[1]
        xs.append(lon)
        ys.append(lat)
    return min(xs), min(ys), max(xs), max(ys)


def _ring_area_m2(ring):
    """Area of a lon/lat ring on the sphere (the method of Chamberlain & Duquette)."""
    if len(ring) < 4:
        return 0.0
    total = 0.0
    for first, second in pairwise(ring):
        lon1, lat1, lon2, lat2 = first[0], first[1], second[0], second[1]
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2))
        )
    return abs(total * EARTH_RADIUS * EARTH_RADIUS / 2)


def area_hectares(geometry):
    area = 0.0
    for polygon in _rings(geometry):
        outer, *holes = polygon
        area += _ring_area_m2(outer) - sum(_ring_area_m2(hole) for hole in holes)
    return area / 10_000


def _extract_geometry(data):
    """Accept a Polygon, a MultiPolygon, a Feature of one, or a FeatureCollection of one."""
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ValidationError(
                _("Le fichier doit contenir un seul contour (il en contient %(count)s).")
                % {"count": len(features) if isinstance(features, list) else 0},
                code="count",
            )
        return _extract_geometry(features[0])
    if kind == "Feature":
        return _extract_geometry(data.get("geometry"))
    if kind in ("Polygon", "MultiPolygon"):
        return data
    raise ValidationError(
        _("Le contour doit être un polygone GeoJSON (Polygon ou MultiPolygon)."), code="type"
    )


def _check_ring(ring):
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("Un polygone doit avoir au moins trois sommets."), code="ring")
    for point in ring:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(
                isinstance(value, int | float) and math.isfinite(value) for value in point[:2]
            )
        ):
            raise ValidationError(
                _("Une coordonnée n'est pas un couple de nombres."), code="coords"
            )
        lon, lat = point[0], point[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("Les coordonnées doivent être en longitude/latitude (WGS 84, EPSG:4326)."),
                code="range",
            )
    if ring[0][:2] != ring[-1][:2]:
        raise ValidationError(
            _("Le contour n'est pas fermé : le dernier point doit répéter le premier."),
            code="closed",
        )


def parse_sector(text, *, max_bytes, commune_geometry=None):
    """Return a clean geometry from GeoJSON text, or raise a ValidationError saying why not."""
    geometry = _extract_geometry(_load_json(text, max_bytes=max_bytes))
    polygons = _rings(geometry)
    _check_polygons(geometry)
    clean = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    if area_hectares(clean) <= 0:
        raise ValidationError(_("Le contour a une surface nulle."), code="area")
    if commune_geometry and polygons:
        _check_near_commune(clean, commune_geometry)
    return clean


def _load_json(text, *, max_bytes):
    if len(text.encode("utf-8")) > max_bytes:
        raise ValidationError(
            _("Le fichier est trop volumineux (%(size)s Ko au maximum).")
            % {"size": max_bytes // 1024},
            code="size",
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError(
            _("Ce n'est pas un fichier GeoJSON valide (JSON illisible)."), code="json"
        ) from None


def _check_polygons(geometry):
    """Every polygon has closed rings of WGS 84 points, and not too many of them."""
    if geometry["type"] == "Polygon":
        polygons_to_check = [geometry.get("coordinates")]
    else:
        polygons_to_check = geometry.get("coordinates")
    if not isinstance(polygons_to_check, list) or not polygons_to_check:
        raise ValidationError(_("Le polygone est vide."), code="empty")
    vertices = 0
    for polygon in polygons_to_check:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("Le polygone est vide."), code="empty")
        for ring in polygon:
            _check_ring(ring)
            vertices += len(ring)
    if vertices > MAX_VERTICES:
        raise ValidationError(
            _("Le contour a trop de sommets (%(max)s au maximum) : simplifiez-le.")
            % {"max": MAX_VERTICES},
            code="vertices",
        )


def _check_near_commune(sector, commune_geometry):
    """A sector far from its commune is most likely in the wrong projection or commune."""
    distance = distance_outside_metres(sector, commune_geometry)
    if distance > TOLERANCE_METRES:
        raise ValidationError(
            _(
                "Le secteur se trouve à %(km)s km de la commune : vérifiez le fichier (projection, commune choisie)."
            )
            % {"km": number_format(distance / 1000, 1)},
            code="outside",
        )


def _metres_per_degree(lat):
    return (
        math.pi / 180 * EARTH_RADIUS * math.cos(math.radians(lat)),
        math.pi / 180 * EARTH_RADIUS,
    )


def distance_outside_metres(sector, commune):
    """How far the sector's box lies outside the commune's box (0 when they touch)."""
    sx1, sy1, sx2, sy2 = bbox(sector)
    cx1, cy1, cx2, cy2 = bbox(commune)
    dx = max(cx1 - sx2, sx1 - cx2, 0)
    dy = max(cy1 - sy2, sy1 - cy2, 0)
    mx, my = _metres_per_degree((cy1 + cy2) / 2)
    return math.hypot(dx * mx, dy * my)
