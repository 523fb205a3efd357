"""Pages for the portfolio, one module per group of pages; this module only routes.

They read through the same selectors as ``projects.api`` and write through the same
services; cycles are reached through reverse relations (``project.cycles``,
``measure.cycles``), as the portfolio does, so no module here imports ``pdsa``.
"""

from django.urls import path

from projects.pages import approval, data, diagram, files, home, measures, registration, team

urlpatterns = [
    path("", home.my_projects, name="my-projects"),
    path("projects/new/", registration.project_new, name="project-new"),
    path("projects/new/preview/", registration.register_preview, name="project-new-preview"),
    path("projects/<id:pk>/", home.project_page, name="project-page"),
    path("projects/<id:pk>/approval/", approval.project_approval, name="project-approval"),
    path("projects/<id:pk>/resubmit/", approval.project_resubmit, name="project-resubmit"),
    path("projects/<id:pk>/team/", team.project_team, name="project-team"),
    path(
        "projects/<id:pk>/team/<id:member_pk>/remove/",
        team.project_member_delete,
        name="project-member-remove",
    ),
    path("projects/<id:pk>/diagram/", diagram.project_diagram, name="project-diagram"),
    path("projects/<id:pk>/measures/new/", measures.measure_new, name="measure-new"),
    path("projects/<id:pk>/files/", files.project_files_page, name="project-files"),
    path("projects/<id:pk>/files/<id:file_pk>/", files.project_file_open, name="project-file"),
    path(
        "projects/<id:pk>/files/<id:file_pk>/remove/",
        files.project_file_delete,
        name="project-file-remove",
    ),
    path("data/new/", data.data_point_new, name="data-point-new"),
    path("measures/<id:pk>/data/", data.measure_data, name="measure-data"),
    path(
        "measures/<id:pk>/rebases/<id:rebase_pk>/remove/",
        data.rebase_remove,
        name="rebase-remove",
    ),
]
