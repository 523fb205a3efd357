"""Strategic aims, improvement projects, their teams and driver diagrams, and measures."""

from projects.models.choices import (
    RATIO_CHARTS,
    ChartType,
    Frequency,
    ImprovementDirection,
    QualityDimension,
)
from projects.models.comments import ProjectComment
from projects.models.diagram import ChangeIdea, Driver
from projects.models.files import ProjectFile
from projects.models.measures import DataPoint, Measure, MeasureDefinition, Rebase
from projects.models.portfolio import Project, ProjectMember, StrategicAim
from projects.models.readings import MeasureReading

__all__ = [
    "RATIO_CHARTS",
    "ChangeIdea",
    "ChartType",
    "DataPoint",
    "Driver",
    "Frequency",
    "ImprovementDirection",
    "Measure",
    "MeasureDefinition",
    "MeasureReading",
    "Project",
    "ProjectComment",
    "ProjectFile",
    "ProjectMember",
    "QualityDimension",
    "Rebase",
    "StrategicAim",
]
