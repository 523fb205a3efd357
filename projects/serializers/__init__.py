"""Input and output shapes for the portfolio API."""

from projects.serializers.aims import AimSerializer, AimTreeQuerySerializer, AimTreeSerializer
from projects.serializers.common import HistoryEntrySerializer, PersonSerializer
from projects.serializers.diagram import (
    ChangeIdeaSerializer,
    DriverDiagramSerializer,
    DriverSerializer,
)
from projects.serializers.measures import (
    ChartSerializer,
    DataPointListSerializer,
    DataPointRowSerializer,
    DataPointSerializer,
    DataUploadSerializer,
    DataUpsertResultSerializer,
    MeasureDefinitionSerializer,
    MeasureSerializer,
    RebaseSerializer,
)
from projects.serializers.projects import (
    ProjectMemberSerializer,
    ProjectSerializer,
    ProjectTransitionSerializer,
    SimilarProjectSerializer,
    SimilarQuerySerializer,
    progress_of,
)

__all__ = [
    "AimSerializer",
    "AimTreeQuerySerializer",
    "AimTreeSerializer",
    "ChangeIdeaSerializer",
    "ChartSerializer",
    "DataPointListSerializer",
    "DataPointRowSerializer",
    "DataPointSerializer",
    "DataUploadSerializer",
    "DataUpsertResultSerializer",
    "DriverDiagramSerializer",
    "DriverSerializer",
    "HistoryEntrySerializer",
    "MeasureDefinitionSerializer",
    "MeasureSerializer",
    "PersonSerializer",
    "ProjectMemberSerializer",
    "ProjectSerializer",
    "ProjectTransitionSerializer",
    "RebaseSerializer",
    "SimilarProjectSerializer",
    "SimilarQuerySerializer",
    "progress_of",
]
