"""The choice sets aims, projects and measures share."""

from __future__ import annotations

from django.db import models


class QualityDimension(models.TextChoices):
    SAFE = "safe", "Safe"
    EFFECTIVE = "effective", "Effective"
    TIMELY = "timely", "Timely"
    EFFICIENT = "efficient", "Efficient"
    EQUITABLE = "equitable", "Equitable"
    PERSON_CENTRED = "person_centred", "Person-centred"
    STAFF_WELLBEING = "staff_wellbeing", "Staff wellbeing"


class ImprovementDirection(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither"


class ChartType(models.TextChoices):
    RUN = "run", "Run chart"
    XMR = "xmr", "XmR chart"
    P = "p", "p chart (proportion)"
    PP = "pp", "p' chart (Laney)"
    U = "u", "u chart (rate)"
    UP = "up", "u' chart (Laney)"
    C = "c", "c chart (count)"
    G = "g", "g chart (opportunities between events)"
    T = "t", "t chart (time between events)"


# Charts whose points are a numerator over a denominator.
RATIO_CHARTS = frozenset({ChartType.P, ChartType.PP, ChartType.U, ChartType.UP})


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
