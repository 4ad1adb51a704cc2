"""The production static path: `collectstatic` with the storage the settings use when DEBUG is off.

The rest of the suite overrides the static storage (tests/conftest.py), so only these tests see
what a deployment sees: hashed names, the manifest and the references rewritten inside files.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# The source map directive browsers follow ("// # sourceMappingURL", with a space, is a comment).
REFERENCE = re.compile(r"^(?://|/\*)[#@] sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$", re.MULTILINE)


def production_env(var_dir):
    return {
        **os.environ,
        "QMI_DEBUG": "0",
        "QMI_SECRET_KEY": "test-only-not-a-secret",
        "QMI_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'qmi.sqlite3'}",
    }


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    static_root = tmp_path / "static"
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["vendor/leaflet/leaflet.js"]
    assert hashed != "vendor/leaflet/leaflet.js"
    assert (static_root / hashed).is_file()
    leaflet_map = Path(manifest["vendor/leaflet/leaflet.js.map"]).name
    assert REFERENCE.findall((static_root / hashed).read_text()) == [leaflet_map]
    # Every source map a collected script or stylesheet names is there, under its hashed name.
    for original, name in manifest.items():
        if not original.endswith((".js", ".css")):
            continue
        text = (static_root / name).read_text(errors="replace")
        for reference in REFERENCE.findall(text):
            target = (static_root / name).parent / reference
            assert target.is_file(), (original, reference)
            assert target.relative_to(static_root).as_posix() in manifest.values(), reference
