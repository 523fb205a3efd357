"""Events other apps may listen to (pdsa, spread, notifications), without projects
importing them. Each is sent by the service that made the change, inside its
transaction: a receiver's own writes commit or roll back with the cause, and a receiver
that does slow or outside work schedules it after commit (``backend.jobs``).
"""

from django.dispatch import Signal

# A measure's data points (or its rebases) were added, changed or removed, so what SPC
# reads from it may have changed. Arguments: measure, by.
measure_data_changed = Signal()

# Something a project's progress score is computed from changed: its aim statement, its
# team, its measures or its change ideas. Arguments: project_id, by.
project_record_changed = Signal()
