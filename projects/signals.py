"""Events other apps may listen to (notifications, spread), without projects importing them.

Sent inside the writing transaction: a receiver's own writes commit or roll back with
the cause, and a receiver that does slow or outside work schedules it with
``transaction.on_commit`` or ``task.delay_on_commit``.
"""

from django.dispatch import Signal

# A measure's data points were added, changed or removed. Arguments: measure, by.
measure_data_changed = Signal()

# Someone commented on a project. Arguments: comment (a ProjectComment), by.
project_comment_posted = Signal()
