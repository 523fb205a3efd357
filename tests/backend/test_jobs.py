"""Publishing a task by its name from a process that has not imported its module."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# As the web process starts: settings, apps and URLs loaded; no tasks module imported
# but the ones the apps import themselves (the worker imports them all, a web process
# does not).
PUBLISH_BY_NAME = """
import django
django.setup()
import backend.urls  # noqa: F401
from celery import current_app
from backend.jobs import _send
name = "backend.tasks.invitation_send"
registered_before = name in current_app.tasks
_send(name, (0,))
print(registered_before, name in current_app.tasks)
"""


def test_a_task_named_by_a_service_is_published_from_a_fresh_web_process():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "CELERY_BROKER_URL": "memory://localhost/",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH_BY_NAME],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # Not registered until published: the case the web process meets.
    assert done.stdout.split() == ["False", "True"]


def test_every_task_can_be_published_within_its_time_limits():
    # Celery refuses to publish a task whose soft limit (its own, or the default) passes
    # its hard limit; eager mode, as the tests run, never checks.
    from celery import current_app
    from django.conf import settings

    current_app.loader.import_default_modules()  # every app's tasks, as the worker does
    ours = [task for name, task in current_app.tasks.items() if not name.startswith("celery.")]
    assert len(ours) > 10
    for task in ours:
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert soft <= hard, f"{task.name}: soft limit {soft} s over the hard limit {hard} s"
