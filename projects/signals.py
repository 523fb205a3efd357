"""Events other apps may listen to (notifications, spread), without projects importing them.

Sent inside the writing transaction: a receiver's own writes commit or roll back with
the cause, and a receiver that does slow or outside work schedules it with
``transaction.on_commit`` or ``task.delay_on_commit``.
"""

from django.dispatch import Signal

# A measure's data points were added, changed or removed. Arguments: measure, by.
measure_data_changed = Signal()

# A project waits for approval: registered where new projects are approved, or sent again
# after it was returned. Arguments: project, by.
project_approval_requested = Signal()

# A coach or the QI team approved a project waiting for approval, or returned it to the
# team. Arguments: project, approved (bool), note (the reason, for a return), by.
project_approval_decided = Signal()
