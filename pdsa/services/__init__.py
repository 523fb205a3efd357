"""Write use-cases for PDSA cycles, one function per thing a user does.

- ``worksheet``: ``cycle_create`` (quick log), ``cycle_update`` (drafts), ``cycle_delete``
- ``stages``: ``cycle_advance`` (the method's stage rules and the decision)
- ``ramps``: ``cycle_next_draft``, ``cycle_create_next``, ``cycle_clone``
- ``files``: ``cycle_file_add``, ``cycle_file_remove`` (photos and documents)
- ``comments``: ``cycle_comment_create``, ``cycle_comment_delete``
- ``progress``: ``project_progress_refresh``, ``project_progress_override``
"""

from pdsa.services.comments import cycle_comment_create, cycle_comment_delete
from pdsa.services.files import cycle_file_add, cycle_file_remove
from pdsa.services.progress import project_progress_override, project_progress_refresh
from pdsa.services.ramps import cycle_clone, cycle_create_next, cycle_next_draft
from pdsa.services.stages import cycle_advance
from pdsa.services.worksheet import cycle_create, cycle_delete, cycle_update

__all__ = [
    "cycle_advance",
    "cycle_clone",
    "cycle_comment_create",
    "cycle_comment_delete",
    "cycle_create",
    "cycle_create_next",
    "cycle_delete",
    "cycle_file_add",
    "cycle_file_remove",
    "cycle_next_draft",
    "cycle_update",
    "project_progress_override",
    "project_progress_refresh",
]
