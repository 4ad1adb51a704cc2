"""The English catalogue is complete: every string shown to users has a translation."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "qmi"
# Scripts take their words from data-* attributes set by templates: one catalogue suffices.
CATALOGUES = [PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="gettext is not installed (apt-get install gettext)"
)


@needs_gettext
@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.name)
def test_english_catalogue_has_no_untranslated_or_fuzzy_entry(catalogue):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalogue)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


@needs_gettext
def test_english_catalogue_is_up_to_date_with_the_source(tmp_path):
    """Extract the strings again from a copy of the code: none may be missing from the catalogue."""
    copy = tmp_path / "qmi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "QMI_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "qmi.settings",
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "-v", "0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    for catalogue in CATALOGUES:
        fresh = copy / "locale" / "en" / "LC_MESSAGES" / catalogue.name
        result = subprocess.run(
            ["msgcmp", "--use-untranslated", str(catalogue), str(fresh)],
            capture_output=True,
            text=True,
        )
        missing = re.findall(r"this message is used but not defined[^\n]*", result.stderr)
        assert result.returncode == 0, (
            f"{catalogue.name} lacks {len(missing)} string(s): run "
            "`django-admin makemessages -l en` in src/qmi and translate them.\n"
            + result.stderr[:3000]
        )
