"""The one way to hand work to the Celery worker from a write.

A task is published only once the writing transaction commits (a rolled-back write
enqueues nothing), and publishing can never fail the request that caused it: with the
broker down, the failure is logged and the periodic job that derives the same effects
from the database (the nightly reconcile, the delivery sweep) makes it up. Every task is
safe to run twice, so that healing never doubles an effect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

from celery import Task, current_app, group
from celery.canvas import Signature
from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task: Task | str, args: tuple[Any, ...]) -> None:
    # A task's name lets a service enqueue a task of its own app without importing the
    # tasks module, which imports the services (no import circle).
    if isinstance(task, str):
        # A web process registers only the tasks modules something has imported (the
        # worker imports them all at start): import the task's own module first.
        if task not in current_app.tasks:
            import_module(task.rpartition(".")[0])
        task = current_app.tasks[task]  # the registered task, so eager mode still runs it
    task.delay(*args)


def _name(task: Task | str) -> str:
    return task if isinstance(task, str) else task.name


def enqueue_on_commit(
    task: Task | str, *args: Any, if_lost: Callable[[], None] | None = None
) -> None:
    """Publish ``task(*args)`` (a task, or its name) after the current transaction
    commits; never raise. ``if_lost`` runs when it could not be published, for a task no
    periodic job makes up (so that the person's next try goes through)."""

    def publish() -> None:
        try:
            _send(task, args)
        except Exception:  # the broker is down; the reconcile or the sweep makes it up
            logger.exception("Could not enqueue %s%r; the periodic run heals it", _name(task), args)
            if if_lost is not None:
                if_lost()

    transaction.on_commit(publish)


def enqueue_each_on_commit(task: Task | str, ids: list[Any]) -> None:
    """Publish ``task(id)`` for each id after commit, stopping at the first broker failure
    (the rest would fail the same way; the periodic run picks them all up)."""
    if not ids:
        return

    def publish() -> None:
        for one in ids:
            try:
                _send(task, (one,))
            except Exception:
                logger.exception(
                    "Could not enqueue %s(%r); the periodic run heals it", _name(task), one
                )
                return

    transaction.on_commit(publish)


def enqueue_group_on_commit(signatures: Sequence[Signature]) -> None:
    """Publish ``signatures`` as one Celery group after commit, so every worker can take a
    share (a nightly job fanned out per organisation); never raise."""
    if not signatures:
        return

    def publish() -> None:
        try:
            group(signatures).apply_async()
        except Exception:  # the broker is down; the next periodic run does the work
            logger.exception(
                "Could not enqueue a group of %d %s tasks; the next periodic run heals it",
                len(signatures),
                signatures[0].task,
            )

    transaction.on_commit(publish)
