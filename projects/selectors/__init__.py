"""Read queries for aims, projects and measures, scoped to what the user may see.

Import from here (``from projects.selectors import project_list``); the modules inside
are an arrangement, not an interface.
"""

from projects.selectors.access import (
    AIM_WRITER_ROLES,
    APPROVER_ROLES,
    LIBRARY_WRITER_ROLES,
    PORTFOLIO_READER_ROLES,
    PROJECT_CREATOR_ROLES,
    PROJECT_REOPENER_ROLES,
    can_approve_projects,
    can_create_project,
    can_edit_measure,
    can_edit_project,
    can_read_portfolio,
    can_reopen_project,
    can_write_aims,
    can_write_library,
    is_on_team,
)
from projects.selectors.aims import (
    aim_get,
    aim_list,
    aim_tree,
    aims_reaching_unit,
    unit_ancestor_ids,
)
from projects.selectors.approvals import approval_queue
from projects.selectors.charts import measure_chart, measure_charts, measure_summary
from projects.selectors.comments import project_comment_list
from projects.selectors.evidence import ImprovementSignal, improvement_since
from projects.selectors.files import project_file_list, project_files
from projects.selectors.history import measure_data_history, object_history
from projects.selectors.measures import (
    CSV_COLUMNS,
    data_point_list,
    data_points_csv,
    measure_definition_list,
    measure_get,
    measure_list,
    measure_scope,
    points_since,
    rebase_list,
)
from projects.selectors.projects import (
    change_idea_list,
    colleague_list,
    driver_diagram,
    driver_list,
    project_get,
    project_list,
    project_member_list,
)
from projects.selectors.readings import (
    READING_SUMMARY_FIELDS,
    measure_reading_get,
    measure_readings,
    measures_spc_summaries,
    reading_current,
    reading_stale,
    readings_compute,
)
from projects.selectors.similar import SimilarProject, project_similar, significant_words
from projects.selectors.spc import (
    measure_spc,
    measure_spc_reading,
    measures_spc,
    measures_spc_readings,
    spc_cache_key,
    spc_document,
)

__all__ = [
    "AIM_WRITER_ROLES",
    "APPROVER_ROLES",
    "CSV_COLUMNS",
    "LIBRARY_WRITER_ROLES",
    "PORTFOLIO_READER_ROLES",
    "PROJECT_CREATOR_ROLES",
    "PROJECT_REOPENER_ROLES",
    "READING_SUMMARY_FIELDS",
    "ImprovementSignal",
    "SimilarProject",
    "aim_get",
    "aim_list",
    "aim_tree",
    "aims_reaching_unit",
    "approval_queue",
    "can_approve_projects",
    "can_create_project",
    "can_edit_measure",
    "can_edit_project",
    "can_read_portfolio",
    "can_reopen_project",
    "can_write_aims",
    "can_write_library",
    "change_idea_list",
    "colleague_list",
    "data_point_list",
    "data_points_csv",
    "driver_diagram",
    "driver_list",
    "improvement_since",
    "is_on_team",
    "measure_chart",
    "measure_charts",
    "measure_data_history",
    "measure_definition_list",
    "measure_get",
    "measure_list",
    "measure_reading_get",
    "measure_readings",
    "measure_scope",
    "measure_spc",
    "measure_spc_reading",
    "measure_summary",
    "measures_spc",
    "measures_spc_readings",
    "measures_spc_summaries",
    "object_history",
    "points_since",
    "project_comment_list",
    "project_file_list",
    "project_files",
    "project_get",
    "project_list",
    "project_member_list",
    "project_similar",
    "reading_current",
    "reading_stale",
    "readings_compute",
    "rebase_list",
    "significant_words",
    "spc_cache_key",
    "spc_document",
    "unit_ancestor_ids",
]
