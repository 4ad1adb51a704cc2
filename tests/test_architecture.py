"""The import order of docs/architecture.md names every app (import-linter enforces it)."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "qmi"


def layered_modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    ]
    return {name.strip("() ") for layer in contract["layers"] for name in re.split(r"[|:]", layer)}


def test_every_app_is_installed_and_has_its_place_in_the_import_order():
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    assert apps, "no app found under src/qmi"
    layered = layered_modules()
    for app in sorted(apps):
        assert f"qmi.{app}" in settings.INSTALLED_APPS, app
        assert f"qmi.{app}" in layered, f"qmi.{app} is missing from the layers contract"


def test_the_architecture_document_names_every_app():
    text = (ROOT / "docs" / "architecture.md").read_text()
    for path in PACKAGE.glob("*/apps.py"):
        assert f"`{path.parent.name}`" in text, path.parent.name
