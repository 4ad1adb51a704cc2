import pytest

from qmi.core.plural import counted


@pytest.mark.parametrize(
    ("number", "text"), [(0, "0 fichier"), (1, "1 fichier"), (2, "2 fichiers")]
)
def test_french_counts_use_the_singular_below_two(number, text):
    assert counted(number, "fichier", "fichiers") == text
