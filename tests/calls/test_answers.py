"""What an answer may be, per question kind: the reasons `problems` gives at submission."""

import pytest

from qmi.calls.answers import PROBLEMS_BY_KIND, problems
from qmi.calls.models import Question

Kind = Question.Kind


def question(kind, required=True, **config):
    return Question(kind=kind, required=required, config=config)


@pytest.mark.parametrize(
    ("kind", "config", "value", "expected"),
    [
        (Kind.SHORT_TEXT, {"max_length": 3}, "abcd", ["3 caractères au maximum."]),
        (Kind.SHORT_TEXT, {}, "x" * 300, []),
        (Kind.ADDRESS, {}, "x" * 301, ["300 caractères au maximum."]),
        (
            Kind.LONG_TEXT,
            {"max_chars": 5},
            "abcdef",
            ["5 caractères au maximum (actuellement 6)."],
        ),
        (Kind.LONG_TEXT, {}, "x" * 5000, []),
        (
            Kind.SINGLE_CHOICE,
            {"choices": ["a", "b"]},
            "c",
            ["Choisissez une réponse dans la liste."],
        ),
        (Kind.SINGLE_CHOICE, {"choices": ["a", "b"]}, "a", []),
        (
            Kind.MULTIPLE_CHOICE,
            {"choices": ["a", "b"]},
            ["a", "c"],
            ["Choisissez des réponses dans la liste."],
        ),
        (Kind.MULTIPLE_CHOICE, {"choices": ["a", "b"]}, ["b", "a"], []),
        (Kind.YES_NO, {}, "peut-être", ["Répondez par oui ou par non."]),
        (Kind.YES_NO, {}, "no", []),
        (Kind.NUMBER, {}, "douze", ["Saisissez un nombre."]),
        (Kind.NUMBER, {"min": 2}, "1,5", ["Le nombre doit être au moins 2."]),
        (Kind.NUMBER, {"max": 10}, "12", ["Le nombre doit être au plus 10."]),
        (Kind.NUMBER, {"min": 0, "max": 10}, "1 000", ["Le nombre doit être au plus 10."]),
        (Kind.DATE, {}, "2026-02-30", ["Saisissez une date valide."]),
        (Kind.DATE, {}, "2026-02-28", []),
        (Kind.EMAIL, {}, "personne", ["Saisissez une adresse e-mail valide."]),
        (Kind.EMAIL, {}, "a@example.fr", []),
        (
            Kind.URL,
            {},
            "ftp://example.fr",
            ["Saisissez une adresse web complète, commençant par https://."],
        ),
        (Kind.URL, {}, "https://example.fr", []),
        (Kind.PHONE, {}, "appelez-moi", ["Saisissez un numéro de téléphone valide."]),
        (Kind.PHONE, {}, "+33 1 23 45 67 89", []),
        (Kind.DOCUMENT, {}, "anything", []),
    ],
)
def test_problems_per_kind(kind, config, value, expected):
    assert problems(question(kind, **config), value) == expected


def test_commune_ranking_names_every_problem_at_once():
    ranking = question(Kind.COMMUNE_RANKING, max_ranked=2)
    assert problems(ranking, ["1", "9", "1"], ranking_choices=[1, 2]) == [
        "Une commune choisie ne participe pas à cet appel.",
        "Chaque commune ne peut être classée qu'une fois.",
        "Classez au plus 2 communes.",
    ]
    assert problems(ranking, ["2", "1"], ranking_choices=[1, 2]) == []


@pytest.mark.parametrize("value", [None, "", "   ", []])
def test_an_empty_answer_is_a_problem_only_when_required(value):
    assert problems(question(Kind.SHORT_TEXT), value) == ["Réponse obligatoire."]
    assert problems(question(Kind.SHORT_TEXT, required=False), value) == []


def test_every_kind_has_a_check():
    assert set(PROBLEMS_BY_KIND) == set(Kind.values) - {Kind.DOCUMENT}
