"""Pages for PDSA cycles, one module per group of pages; this module only routes."""

from django.urls import path

from pdsa.pages import cycles, files, quick_log, tasks

urlpatterns = [
    path("cycles/new/", quick_log.cycle_new, name="cycle-new"),
    path("cycles/<id:pk>/", cycles.cycle_page, name="cycle-page"),
    path("cycles/<id:pk>/tasks/", tasks.cycle_tasks, name="cycle-tasks"),
    path("cycles/<id:pk>/files/", files.cycle_files_page, name="cycle-files"),
    path("cycles/<id:pk>/files/<id:file_pk>/", files.cycle_file_open, name="cycle-file"),
    path(
        "cycles/<id:pk>/files/<id:file_pk>/remove/",
        files.cycle_file_delete,
        name="cycle-file-remove",
    ),
]
