"""Large runs are computed by the task worker (`manage.py db_worker`), not in a request."""

from django_tasks import task

from .services.runs import compute_run


@task()
def compute_run_task(run_id):
    compute_run(run_id)
