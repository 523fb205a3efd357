"""Events other apps may listen to (spread, notifications), without pdsa importing them.

Sent inside the writing transaction: a receiver's own writes commit or roll back with
the cause, and a receiver that does slow or outside work schedules it with
``transaction.on_commit`` or ``task.delay_on_commit``.
"""

from django.dispatch import Signal

# A cycle's act decision was recorded. Arguments: cycle, decision ("adopt", "adapt",
# "abandon"), by (the user).
cycle_decided = Signal()

# Someone commented on a cycle. Arguments: comment (a CycleComment), by.
cycle_comment_posted = Signal()
