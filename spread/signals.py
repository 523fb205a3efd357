"""Events other apps may listen to (notifications), without spread importing them.

Sent by the service that made the change, inside its transaction, so a receiver's own
writes commit or roll back with it.
"""

from django.dispatch import Signal

# A unit adopted (or adapted) a spread change: its adoption now counts towards reach.
# Arguments: adoption, by.
change_adopted = Signal()
