"""Leftover files: temporary uploads a killed worker left, stored files no row refers to.

Both are swept only once they are older than a delay (hours), so an upload
still being received, or a file written just before its row's transaction
commits, is never taken. What to look for in the storage (which folders, which
names are referred to) is the caller's: core knows no domain word; the command
`manage.py sweep_files` (portal) names every app's files.
"""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

# Django names its temporary uploads `tmpXXXX.upload.<ext>` (TemporaryUploadedFile).
UPLOAD_MARK = ".upload"


def _cutoff(older_than, now):
    return (now or timezone.now()) - older_than


def sweep_upload_temp_files(*, older_than: datetime.timedelta, now=None, dry_run=False):
    """Delete temporary uploads last written before `now - older_than`; return their paths.

    Only FILE_UPLOAD_TEMP_DIR is looked at, and only its `*.upload*` files: when the
    setting is empty (the system's shared temporary folder) nothing is swept.
    """
    if not settings.FILE_UPLOAD_TEMP_DIR:
        return []
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if not folder.is_dir():
        return []
    cutoff = _cutoff(older_than, now).timestamp()
    swept = []
    for entry in os.scandir(folder):
        if not entry.is_file(follow_symlinks=False) or UPLOAD_MARK not in entry.name:
            continue
        if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
            continue
        if not dry_run:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:  # its request ended meanwhile and removed it
                continue
        swept.append(Path(entry.path))
    return sorted(swept)


def stored_names(storage, folder):
    """Every file name under `folder` of a Django storage (local or S3), recursively."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from stored_names(storage, f"{folder}/{directory}")


def sweep_unreferenced_files(
    *, storage, folders, referenced, older_than: datetime.timedelta, now=None, dry_run=False
):
    """Delete the files under `folders` whose name is not in `referenced` and that are older
    than `older_than`; return their names.

    `referenced` holds the names the database refers to (a FileField's value).
    """
    cutoff = _cutoff(older_than, now)
    swept = []
    for folder in folders:
        for name in stored_names(storage, folder.strip("/")):
            if name in referenced:
                continue
            try:
                if storage.get_modified_time(name) >= cutoff:
                    continue
                if not dry_run:
                    storage.delete(name)
            except FileNotFoundError:
                continue
            swept.append(name)
    return sorted(swept)
