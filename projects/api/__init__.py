"""API for aims, projects, teams, driver diagrams, the measure library, measures and data,
and the portfolio views over them.

Included under ``/api/v1/`` by ``backend/urls.py``.
"""

from django.urls import include, path

from backend.routing import Router
from projects.api.aims import AimViewSet
from projects.api.comments import ProjectCommentsView, ProjectCommentView
from projects.api.diagram import ChangeIdeaViewSet, DriverViewSet
from projects.api.files import MeasureChartSVGView, MeasureDataCSVView
from projects.api.measures import MeasureDefinitionViewSet, MeasureViewSet
from projects.api.portfolio import MeasureSummaryView, PortfolioView
from projects.api.projects import ProjectMemberViewSet, ProjectViewSet

router = Router()
router.register("aims", AimViewSet, basename="aim")
router.register("projects", ProjectViewSet, basename="project")
router.register("project-members", ProjectMemberViewSet, basename="project-member")
router.register("drivers", DriverViewSet, basename="driver")
router.register("change-ideas", ChangeIdeaViewSet, basename="change-idea")
router.register("measure-definitions", MeasureDefinitionViewSet, basename="measure-definition")
router.register("measures", MeasureViewSet, basename="measure")

urlpatterns = [
    path("portfolio/", PortfolioView.as_view(), name="portfolio"),
    path("portfolio/measures/", MeasureSummaryView.as_view(), name="portfolio-measures"),
    path("measures/<id:pk>/data.csv", MeasureDataCSVView.as_view(), name="measure-data-csv"),
    path("measures/<id:pk>/chart.svg", MeasureChartSVGView.as_view(), name="measure-chart-svg"),
    path("projects/<id:pk>/comments/", ProjectCommentsView.as_view(), name="project-comments"),
    path(
        "projects/<id:pk>/comments/<id:comment_id>/",
        ProjectCommentView.as_view(),
        name="project-comment",
    ),
    path("", include(router.urls)),
]
