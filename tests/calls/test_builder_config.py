"""The settings a question kind keeps, and the message next to each wrong one."""

import pytest
from django.core.exceptions import ValidationError

from qmi.calls.models import Question
from qmi.calls.services.builder import CONFIG_CLEANERS, clean_config

Kind = Question.Kind


def errors_of(kind, config):
    with pytest.raises(ValidationError) as error:
        clean_config(kind, config)
    return error.value.message_dict


def test_every_kind_but_yes_no_date_and_contacts_has_settings():
    assert set(CONFIG_CLEANERS) == {
        Kind.SHORT_TEXT,
        Kind.ADDRESS,
        Kind.LONG_TEXT,
        Kind.SINGLE_CHOICE,
        Kind.MULTIPLE_CHOICE,
        Kind.NUMBER,
        Kind.DOCUMENT,
        Kind.COMMUNE_RANKING,
    }
    assert clean_config(Kind.YES_NO, {"max_length": 3, "choices": ["a"]}) == {}


@pytest.mark.parametrize(
    ("kind", "name", "maximum"),
    [
        (Kind.SHORT_TEXT, "max_length", 1000),
        (Kind.ADDRESS, "max_length", 1000),
        (Kind.LONG_TEXT, "max_chars", 100_000),
        (Kind.COMMUNE_RANKING, "max_ranked", 50),
    ],
)
def test_bounded_settings(kind, name, maximum):
    assert clean_config(kind, {name: str(maximum), "unit": "x"}) == {name: maximum}
    assert clean_config(kind, {name: ""}) == {}
    assert clean_config(kind, None) == {}
    assert list(errors_of(kind, {name: maximum + 1})) == [name]
    assert list(errors_of(kind, {name: "abc"})) == [name]


def test_choices_are_trimmed_and_checked():
    assert clean_config(Kind.MULTIPLE_CHOICE, {"choices": [" a ", "", "b"]}) == {
        "choices": ["a", "b"]
    }
    assert clean_config(Kind.MULTIPLE_CHOICE, {"choices": ["seule"]}) == {"choices": ["seule"]}
    assert errors_of(Kind.SINGLE_CHOICE, {"choices": ["seule"]}) == {
        "choices": ["Un choix unique demande au moins deux réponses possibles."]
    }
    assert errors_of(Kind.SINGLE_CHOICE, {"choices": ["a", "b", "a"]}) == {
        "choices": ["La réponse « a » apparaît deux fois."]
    }
    assert list(errors_of(Kind.MULTIPLE_CHOICE, {"choices": []})) == ["choices"]
    assert list(errors_of(Kind.MULTIPLE_CHOICE, {"choices": ["a", "x" * 201]})) == ["choices"]


def test_number_bounds_and_unit():
    assert clean_config(Kind.NUMBER, {"min": "1,5", "max": "10", "unit": " € "}) == {
        "min": 1.5,
        "max": 10,
        "unit": "€",
    }
    assert clean_config(Kind.NUMBER, {"min": 0}) == {"min": 0}
    assert errors_of(Kind.NUMBER, {"min": "x", "max": "inf", "unit": "u" * 31}) == {
        "min": ["Saisissez un nombre."],
        "max": ["Saisissez un nombre."],
        "unit": ["30 caractères au plus pour l'unité."],
    }
    assert errors_of(Kind.NUMBER, {"min": "5", "max": "1"}) == {
        "max": ["Le maximum (1) doit être supérieur ou égal au minimum (5)."]
    }


def test_document_settings():
    assert clean_config(
        Kind.DOCUMENT, {"accepted": ["pdf", "inconnu"], "max_size_mb": "5", "multiple": "on"}
    ) == {"accepted": ["pdf"], "max_size_mb": 5, "multiple": True}
    assert set(errors_of(Kind.DOCUMENT, {"accepted": [], "max_size_mb": 101})) == {
        "accepted",
        "max_size_mb",
    }
