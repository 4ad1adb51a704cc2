import json

import pytest
from django.core.exceptions import ValidationError

from qmi.programmes import geo
from tests.factories import SQUARE_NEAR_SCEAUX

MAX = 512 * 1024


def _polygon(coords):
    return json.dumps({"type": "Polygon", "coordinates": [coords]})


def test_parse_sector_accepts_a_polygon_inside_the_commune():
    text = _polygon([[2.285, 48.775], [2.29, 48.775], [2.29, 48.78], [2.285, 48.775]])
    geometry = geo.parse_sector(text, max_bytes=MAX, commune_geometry=SQUARE_NEAR_SCEAUX)
    assert geometry["type"] == "Polygon"


def test_parse_sector_takes_the_geometry_out_of_a_feature_collection():
    feature = {
        "type": "Feature",
        "properties": {"nom": "Blagis"},
        "geometry": SQUARE_NEAR_SCEAUX,
    }
    text = json.dumps({"type": "FeatureCollection", "features": [feature]})
    geometry = geo.parse_sector(text, max_bytes=MAX)
    assert geometry == SQUARE_NEAR_SCEAUX


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{pas du json", "json"),
        (json.dumps({"type": "Point", "coordinates": [2.3, 48.8]}), "type"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "count"),
        (_polygon([[2.28, 48.77], [2.29, 48.77], [2.29, 48.78]]), "ring"),
        (_polygon([[2.28, 48.77], [2.29, 48.77], [2.29, 48.78], [2.28, 48.775]]), "closed"),
        (
            _polygon([[652000, 6860000], [653000, 6860000], [653000, 6861000], [652000, 6860000]]),
            "range",
        ),
        (_polygon([["a", 48.77], [2.29, 48.77], [2.29, 48.78], ["a", 48.77]]), "coords"),
        (_polygon([[2.28, 48.77], [2.28, 48.77], [2.28, 48.77], [2.28, 48.77]]), "area"),
    ],
)
def test_parse_sector_refuses_malformed_geojson_with_a_reason(text, code):
    with pytest.raises(ValidationError) as error:
        geo.parse_sector(text, max_bytes=MAX)
    assert error.value.code == code
    assert error.value.messages[0]


def test_parse_sector_refuses_an_oversized_file():
    text = _polygon([[2.28, 48.77], [2.29, 48.77], [2.29, 48.78], [2.28, 48.77]]) + " " * 2000
    with pytest.raises(ValidationError) as error:
        geo.parse_sector(text, max_bytes=1024)
    assert error.value.code == "size"


def test_parse_sector_refuses_a_sector_far_from_the_commune():
    marseille = _polygon([[5.37, 43.29], [5.38, 43.29], [5.38, 43.30], [5.37, 43.29]])
    with pytest.raises(ValidationError) as error:
        geo.parse_sector(marseille, max_bytes=MAX, commune_geometry=SQUARE_NEAR_SCEAUX)
    assert error.value.code == "outside"
    assert "km de la commune" in error.value.messages[0]


def test_parse_sector_tolerates_a_sector_spilling_just_over_the_edge():
    # 0.003° of longitude is about 220 m at this latitude: within the tolerance.
    text = _polygon([[2.299, 48.775], [2.303, 48.775], [2.303, 48.78], [2.299, 48.775]])
    assert geo.parse_sector(text, max_bytes=MAX, commune_geometry=SQUARE_NEAR_SCEAUX)


def test_area_hectares_of_a_one_kilometre_square_is_about_one_hundred():
    # 1 km north-south is 0.008993° of latitude; east-west at 48.8°N, 0.013664° of longitude.
    square = {
        "type": "Polygon",
        "coordinates": [
            [[2.3, 48.8], [2.313664, 48.8], [2.313664, 48.808993], [2.3, 48.808993], [2.3, 48.8]]
        ],
    }
    assert geo.area_hectares(square) == pytest.approx(100, rel=0.01)


def test_area_hectares_subtracts_holes():
    outer = [[2.3, 48.8], [2.32, 48.8], [2.32, 48.82], [2.3, 48.82], [2.3, 48.8]]
    hole = [[2.305, 48.805], [2.31, 48.805], [2.31, 48.81], [2.305, 48.81], [2.305, 48.805]]
    full = geo.area_hectares({"type": "Polygon", "coordinates": [outer]})
    holed = geo.area_hectares({"type": "Polygon", "coordinates": [outer, hole]})
    assert 0 < holed < full
