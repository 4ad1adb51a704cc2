"""Load the 130 communes of the Métropole and the programme's eight themes (idempotent)."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from qmi.programmes.models import Commune, Theme

DATA = Path(__file__).resolve().parents[2] / "data"

# The eight priority urban challenges named in the calls (défis urbains prioritaires).
THEMES = [
    ("espaces-publics", "Espaces publics et services urbains"),
    ("climat", "Adaptation au changement climatique"),
    ("mobilites", "Flux, mobilités et logistique"),
    ("commerces", "Animation locale et commerces"),
    ("renouvellement-urbain", "Renouvellement urbain et chantiers"),
    ("habitat", "Habitat et transformation des usages"),
    ("economie-circulaire", "Économie circulaire"),
    ("sport", "Sport en ville"),
]
# Their English names, for people who chose English (see core.translated).
THEMES_EN = {
    "espaces-publics": "Public spaces and urban services",
    "climat": "Adapting to climate change",
    "mobilites": "Flows, mobility and logistics",
    "commerces": "Local life and shops",
    "renouvellement-urbain": "Urban renewal and building sites",
    "habitat": "Housing and changing uses",
    "economie-circulaire": "Circular economy",
    "sport": "Sport in the city",
}


class Command(BaseCommand):
    help = "Charge les communes de la Métropole du Grand Paris et les thèmes du programme."

    @transaction.atomic
    def handle(self, *args, **options):
        with open(DATA / "mgp_communes.geojson", encoding="utf-8") as handle:
            geometries = {
                feature["properties"]["insee"]: feature["geometry"]
                for feature in json.load(handle)["features"]
            }
        count = 0
        with open(DATA / "mgp_communes.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                Commune.objects.update_or_create(
                    insee=row["insee"],
                    defaults={
                        "name": row["name"],
                        "slug": slugify(row["name"]),
                        "departement": row["departement"],
                        "departement_name": row["departement_nom"],
                        "ept_name": row["ept"],
                        "ept_siren": row["ept_siren"],
                        "population": int(row["population"] or 0),
                        "siren": row["siren"],
                        "geometry": geometries.get(row["insee"], {}),
                    },
                )
                count += 1
        for order, (slug, name) in enumerate(THEMES, start=1):
            Theme.objects.update_or_create(
                slug=slug, defaults={"name": name, "name_en": THEMES_EN[slug], "order": order}
            )
        self.stdout.write(f"{count} communes, {len(THEMES)} thèmes chargés.")
