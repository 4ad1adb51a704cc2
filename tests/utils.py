"""Helpers shared by the test modules (no test module imports another's helpers)."""

import json

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

# Migrations ------------------------------------------------------------------


def migrate(targets):
    """Migrate the test database to `targets` and return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest_migrations():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def load_dump(apps, path):
    """Load a `dumpdata` JSON file into the historical models `apps` (loaddata uses today's).

    Returns {model label: row count}. Rows keep their primary keys.
    """
    records = json.loads(path.read_text())
    # Foreign keys are checked at commit (deferred on SQLite and PostgreSQL): any row order works.
    with transaction.atomic():
        counts = _insert(apps, records)
    with connection.cursor() as cursor:
        models = [apps.get_model(label) for label in counts]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    return counts


def _insert(apps, records):
    counts = {}
    many = []
    for record in records:
        model = apps.get_model(record["model"])
        obj = model(pk=record["pk"])
        for name, value in record["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many.append((obj, name, value))
            elif field.is_relation:
                setattr(obj, field.attname, value)
            else:
                setattr(obj, field.attname, field.to_python(value))
        obj.save(force_insert=True)
        counts[record["model"]] = counts.get(record["model"], 0) + 1
    for obj, name, value in many:
        getattr(obj, name).set(value)
    return counts
