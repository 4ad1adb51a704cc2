"""The README's configuration table lists every variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_documents_every_environment_variable():
    settings = (ROOT / "src/qmi/settings.py").read_text()
    names = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', settings))
    assert "DATABASE_URL" in names and "QMI_SECRET_KEY" in names
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == []


def test_readme_quickstart_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
