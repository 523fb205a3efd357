"""Pages for the portfolio, one module per group of pages; this module only routes.

They read through the same selectors as ``projects.api`` and write through the same
services; cycles are reached through the project's reverse relation (``project.cycles``),
as the portfolio does, so no module here imports ``pdsa``.
"""

from django.urls import path

from projects.pages import home

urlpatterns = [
    path("", home.my_projects, name="my-projects"),
    path("projects/<int:pk>/", home.project_page, name="project-page"),
    path("data/new/", home.data_point_new, name="data-point-new"),
]
