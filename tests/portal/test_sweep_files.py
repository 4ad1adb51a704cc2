"""`manage.py sweep_files`: what a killed worker or a crash before commit left is deleted, the rest kept."""

import io
import os
import tempfile
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models

from qmi.portal.files import STORED_FILES
from tests.factories import (
    CallFactory,
    DocumentFactory,
    MessageAttachmentFactory,
    add_question,
)

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


def backdate(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def temp_file(name, *, age):
    path = Path(settings.FILE_UPLOAD_TEMP_DIR) / name
    path.write_bytes(b"x" * 1024)
    backdate(path, age)
    return path


def stored(name, *, age):
    name = default_storage.save(name, ContentFile(b"%PDF-1.4 orphan"))
    backdate(default_storage.path(name), age)
    return name


def run(*args):
    out = io.StringIO()
    call_command("sweep_files", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files():
    """Referenced files of each kind and orphans, old and new, all real files."""
    document = DocumentFactory()
    attachment = MessageAttachmentFactory()
    call = CallFactory()
    question = add_question(call, "modele", template_file=ContentFile(b"%PDF-1.4", name="m.pdf"))
    kept = [document.file.name, attachment.file.name, question.template_file.name]
    for name in kept:
        backdate(default_storage.path(name), 3 * DAY)
    orphans = [
        stored("applications/999/lettre/crash.pdf", age=2 * DAY),
        stored("messages/999/crash.pdf", age=2 * DAY),
        stored("calls/templates/crash.pdf", age=2 * DAY),
    ]
    # Written a minute ago: its row may be about to be committed.
    kept.append(stored("applications/999/lettre/in-flight.pdf", age=60))
    # Outside the platform's folders: not ours to judge.
    kept.append(stored("elsewhere/old.pdf", age=9 * DAY))
    return {"kept": kept, "orphans": orphans}


def test_sweep_deletes_old_orphans_and_temporary_uploads_and_keeps_the_rest(files):
    dead = temp_file("tmpab12cd.upload.pdf", age=2 * DAY)
    receiving = temp_file("tmpef34gh.upload.pdf", age=60)
    unrelated = temp_file("notes.txt", age=9 * DAY)

    output = run()

    assert not dead.exists()
    assert receiving.exists() and unrelated.exists()
    for name in files["orphans"]:
        assert not default_storage.exists(name)
        assert name in output
    for name in files["kept"]:
        assert default_storage.exists(name), name
    assert str(dead) in output
    assert "Supprimés : 1 envoi temporaire, 3 fichiers stockés." in output


def test_dry_run_deletes_nothing_and_tells_what_it_would(files):
    dead = temp_file("tmpab12cd.upload.docx", age=2 * DAY)
    output = run("--dry-run")
    assert dead.exists()
    for name in files["orphans"]:
        assert default_storage.exists(name)
        assert f"à supprimer (sans ligne en base) : {name}" in output


def test_the_delay_is_a_setting_of_the_command(files):
    young = stored("messages/999/two-hours.pdf", age=2 * 3600)
    run("--hours", "3")
    assert default_storage.exists(young)
    run("--hours", "1")
    assert not default_storage.exists(young)


def test_no_temporary_folder_of_its_own_means_nothing_swept_there(settings, tmp_path, monkeypatch):
    # Django would then use the system's shared temporary folder: never swept.
    shared = tmp_path / "system-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    settings.FILE_UPLOAD_TEMP_DIR = None
    someone_elses = shared / "tmpzz99.upload.pdf"
    someone_elses.write_bytes(b"x")
    backdate(someone_elses, 9 * DAY)
    assert "0 envoi temporaire" in run()
    assert someone_elses.exists()


def test_every_file_field_of_the_platform_is_known_to_the_sweep():
    """A FileField missing from STORED_FILES would have its files kept forever, or
    worse, stored in a swept folder and deleted."""
    fields = {
        (model, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("qmi.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert fields == {(model, field) for _folder, model, field in STORED_FILES}
