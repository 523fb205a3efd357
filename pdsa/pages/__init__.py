"""Pages for PDSA cycles, one module per group of pages; this module only routes."""

from django.urls import path

from pdsa.pages import cycles, files, quick_log, tasks

urlpatterns = [
    path("cycles/new/", quick_log.cycle_new, name="cycle-new"),
    path("cycles/<int:pk>/", cycles.cycle_page, name="cycle-page"),
    path("cycles/<int:pk>/tasks/", tasks.cycle_tasks, name="cycle-tasks"),
    path("cycles/<int:pk>/files/", files.cycle_files_page, name="cycle-files"),
    path("cycles/<int:pk>/files/<int:file_pk>/", files.cycle_file_open, name="cycle-file"),
    path(
        "cycles/<int:pk>/files/<int:file_pk>/remove/",
        files.cycle_file_delete,
        name="cycle-file-remove",
    ),
]
