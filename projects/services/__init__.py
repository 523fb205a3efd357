"""Write use-cases for aims, projects, driver diagrams, measures and their data.

Import from here (``from projects.services import project_create``); the modules inside
are an arrangement, not an interface. Every service takes keyword arguments, checks who
is asking, runs in a transaction and records ``by`` in the history.
"""

from projects.services._shared import project_record_changed_by
from projects.services.aims import aim_create, aim_update
from projects.services.approval import (
    project_approval_request,
    project_approve,
    project_return,
)
from projects.services.comments import project_comment_create, project_comment_delete
from projects.services.data import DataUpsert, data_point_delete, data_points_upsert
from projects.services.diagram import (
    change_idea_create,
    change_idea_delete,
    change_idea_move,
    change_idea_update,
    driver_create,
    driver_delete,
    driver_move,
    driver_update,
)
from projects.services.files import project_file_add, project_file_remove
from projects.services.measures import (
    bump_revision,
    measure_create,
    measure_definition_create,
    measure_definition_delete,
    measure_definition_update,
    measure_delete,
    measure_reading_changed,
    measure_update,
    rebase_create,
    rebase_delete,
)
from projects.services.projects import (
    ensure_can_edit_project,
    needs_approval,
    project_create,
    project_member_add,
    project_member_remove,
    project_member_update,
    project_transition,
    project_update,
)
from projects.services.readings import measure_reading_write, readings_recompute

__all__ = [
    "DataUpsert",
    "aim_create",
    "aim_update",
    "bump_revision",
    "change_idea_create",
    "change_idea_delete",
    "change_idea_move",
    "change_idea_update",
    "data_point_delete",
    "data_points_upsert",
    "driver_create",
    "driver_delete",
    "driver_move",
    "driver_update",
    "ensure_can_edit_project",
    "measure_create",
    "measure_definition_create",
    "measure_definition_delete",
    "measure_definition_update",
    "measure_delete",
    "measure_reading_changed",
    "measure_reading_write",
    "measure_update",
    "needs_approval",
    "project_approval_request",
    "project_approve",
    "project_comment_create",
    "project_comment_delete",
    "project_create",
    "project_file_add",
    "project_file_remove",
    "project_member_add",
    "project_member_remove",
    "project_member_update",
    "project_record_changed_by",
    "project_return",
    "project_transition",
    "project_update",
    "readings_recompute",
    "rebase_create",
    "rebase_delete",
]
