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


def deployment_commands_in_readme():
    """The commands of the README's deployment steps 1 to 5, in their order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Déploiement\n", 1)[1].split("\n6. ", 1)[0]
    found = re.findall(r"`(?:manage\.py|django-admin) (\w+)|`(gunicorn) ", section)
    return [command or server for command, server in found]


def test_the_production_stage_runs_the_readme_deployment_steps_in_order():
    script = (ROOT / ".ci/production-path").read_text()
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("#")]
    found = re.findall(r'(?:^\s*manage|/django-admin") (\w+)|/(gunicorn)" ', "\n".join(lines), re.M)
    assert [command or server for command, server in found] == deployment_commands_in_readme()
    assert deployment_commands_in_readme()[:3] == ["migrate", "createcachetable", "load_reference"]
