import re

import pytest
from django.core.management import call_command

from qmi.accounts.models import Membership, Organisation, User
from qmi.core.models import AuditEntry
from qmi.programmes.models import (
    Challenge,
    ChallengeVersion,
    Commune,
    CommuneRole,
    Edition,
    EditionCommune,
    Phase,
    Stage,
    Theme,
)

pytestmark = pytest.mark.django_db

EPTS = {
    "Paris",
    "Vallée Sud-Grand Paris",
    "Grand Paris Seine Ouest",
    "Paris Ouest La Défense",
    "Boucle Nord de Seine",
    "Plaine Commune",
    "Paris Terres d'Envol",
    "Est Ensemble",
    "Grand Paris Grand Est",
    "Paris Est Marne et Bois",
    "Grand Paris Sud Est Avenir",
    "Grand-Orly Seine Bièvre",
}


def test_reference_data_has_the_130_communes_with_valid_insee_codes_and_ept():
    call_command("load_reference", stdout=None)
    communes = list(Commune.objects.all())
    assert len(communes) == 130
    for commune in communes:
        assert re.fullmatch(r"(75|77|78|91|92|93|94|95)\d{3}", commune.insee), commune
        assert commune.insee.startswith(commune.departement), commune
        assert commune.ept_name in EPTS, commune
        assert commune.geometry["type"] in ("Polygon", "MultiPolygon"), commune
        assert commune.population > 0
    assert {c.ept_name for c in communes} == EPTS
    paris = Commune.objects.get(insee="75056")
    assert paris.ept_name == "Paris" and paris.ept_siren == ""
    # Saint-Denis absorbed Pierrefitte-sur-Seine on 1 January 2025.
    assert not Commune.objects.filter(insee="93059").exists()
    assert Theme.objects.count() == 8


def _counts():
    models = [
        Commune,
        Theme,
        Edition,
        Phase,
        EditionCommune,
        Challenge,
        ChallengeVersion,
        CommuneRole,
        Organisation,
        Membership,
        User,
        AuditEntry,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_demo_loader_run_twice_leaves_the_same_row_counts():
    call_command("load_demo", "--quiet-logins", stdout=None)
    first = _counts()
    call_command("load_demo", "--quiet-logins", stdout=None)
    assert _counts() == first
    assert first["Edition"] == 3  # the two real editions and the fictional one
    assert first["EditionCommune"] == 14


def test_demo_data_matches_the_programme_facts():
    call_command("load_demo", "--quiet-logins", stdout=None)
    first, second = Edition.objects.exclude(slug="demo").order_by("number")
    assert set(first.communes.values_list("commune__name", flat=True)) == {
        "Aulnay-sous-Bois",
        "Meudon",
        "Noisy-le-Grand",
        "Sceaux",
    }
    assert set(second.communes.values_list("commune__name", flat=True)) == {
        "Argenteuil",
        "Athis-Mons",
        "Aubervilliers",
        "Fontenay-sous-Bois",
        "Issy-les-Moulineaux",
        "Sucy-en-Brie",
    }
    assert first.communes.get(commune__name="Sceaux").district == "Blagis"
    assert second.communes.get(commune__name="Argenteuil").district == "Porte Saint-Germain"
    ami = second.phases.get(kind=Stage.EXPRESSION_OF_INTEREST)
    assert (ami.starts_on.isoformat(), ami.ends_on.isoformat()) == ("2023-10-23", "2024-01-12")
    # Everyone invented for the demo is marked as such.
    assert not User.objects.filter(is_demo=False).exists()
    assert set(Organisation.objects.filter(is_demo=True).values_list("kind", flat=True)) == {
        "experimenter",
        "partner",
    }
