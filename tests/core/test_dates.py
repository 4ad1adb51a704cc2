"""French dates in one style: « 16 juin 2024 », « 1er octobre 2024 », never « Jui » or « Déc »."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import translation

from qmi.core.dates import MOMENT, format_date

PARIS = ZoneInfo("Europe/Paris")
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "qmi" / "templates"


def render(source, **context):
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (datetime.date(2024, 6, 16), "j F Y", "16 juin 2024"),
        (datetime.date(2024, 10, 1), "j F Y", "1er octobre 2024"),
        (
            datetime.datetime(2025, 1, 1, 8, 5, tzinfo=datetime.UTC),
            MOMENT,
            "1er janvier 2025 à 09:05",
        ),
        (datetime.date(2024, 12, 1), "l j F Y", "dimanche 1er décembre 2024"),
        (datetime.date(2024, 12, 11), "j F", "11 décembre"),
    ],
)
def test_french_dates_in_python_and_in_templates(value, fmt, expected):
    with translation.override("fr"):
        assert format_date(value, fmt) == expected
        assert render(f'{{{{ value|date:"{fmt}" }}}}', value=value) == expected


def test_english_keeps_its_own_numbers():
    with translation.override("en"):
        assert render('{{ value|date:"j F Y" }}', value=datetime.date(2024, 10, 1)) == (
            "1 October 2024"
        )


def test_the_filter_keeps_django_s_behaviour_for_empty_values_and_other_formats():
    with translation.override("fr"):
        assert render('{{ value|date:"j F Y" }}', value=None) == ""
        assert (
            render(
                '{{ value|date:"H:i" }}', value=datetime.datetime(2024, 10, 1, 9, 0, tzinfo=PARIS)
            )
            == "09:00"
        )
        assert render('{{ value|date:"c" }}', value=datetime.date(2024, 10, 1)) == "2024-10-01"


def test_no_template_abbreviates_months():
    """« Jui » could be juin or juillet: months are written in full."""
    abbreviated = [
        f"{path.relative_to(TEMPLATES)}: {match}"
        for path in TEMPLATES.rglob("*.html")
        for match in re.findall(r'\|date:"([^"]*)"', path.read_text(encoding="utf-8"))
        if re.search(r"(?<!\\)[Mb]", match)
    ]
    assert not abbreviated, abbreviated
