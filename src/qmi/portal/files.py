"""The platform's stored files, every app's, and the daily sweep of leftovers.

Portal is the top layer: it knows every model with a FileField, so it is the one
place that can tell a stored file no row refers to (a worker crashed between the
storage write and the database commit). Add a FileField, add it here:
`tests/portal/test_sweep_files.py` fails when one is missing.
"""

import datetime

from django.core.files.storage import default_storage

from qmi.calls.models import Document, Question
from qmi.core.sweep import sweep_unreferenced_files, sweep_upload_temp_files
from qmi.messaging.models import MessageAttachment

# (folder of the default storage, model, field): each folder holds only that field's files.
STORED_FILES = [
    ("applications", Document, "file"),
    ("messages", MessageAttachment, "file"),
    ("calls/templates", Question, "template_file"),
]


def referenced_names():
    names = set()
    for _folder, model, field in STORED_FILES:
        names.update(model.objects.exclude(**{field: ""}).values_list(field, flat=True).iterator())
    return names


def sweep_files(*, hours, now=None, dry_run=False):
    """Delete temporary uploads and unreferenced stored files older than `hours`.

    Returns {"temporary": [paths], "stored": [names]}: what was (or, with
    `dry_run`, would be) deleted.
    """
    older_than = datetime.timedelta(hours=hours)
    temporary = sweep_upload_temp_files(older_than=older_than, now=now, dry_run=dry_run)
    # The names are read before the storage is listed: a file written afterwards is
    # younger than the delay, so a row about to be committed never loses its file.
    referenced = referenced_names()
    stored = sweep_unreferenced_files(
        storage=default_storage,
        folders=[folder for folder, _model, _field in STORED_FILES],
        referenced=referenced,
        older_than=older_than,
        now=now,
        dry_run=dry_run,
    )
    return {"temporary": temporary, "stored": stored}
