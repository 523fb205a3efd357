"""Deterministic demo data series, each drawn to show one SPC pattern.

Every series is made from a seeded generator (or written out by hand), so every run of
the demo gives the same numbers and the same signals; ``tests/projects/test_demo.py``
checks each pattern with the SPC engine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MONTHS = 30
# The Ward 7 falls huddle started this many months before the latest month of data.
CHANGE_MONTHS_AGO = 10
CHANGE_AT = MONTHS - CHANGE_MONTHS_AGO


@dataclass(frozen=True)
class Row:
    """One month of a series: a value, or a numerator over a denominator."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""


def _rng(name: str) -> random.Random:
    return random.Random(f"ripple-demo:{name}")  # string seeds are stable across runs


def falls_rate() -> list[Row]:
    """Falls per 1,000 bed days (u chart): about 7, then about 3.5 once the huddle began."""
    rng = _rng("falls")
    rows = []
    for month in range(MONTHS):
        bed_days = round(0.9 + rng.uniform(-0.05, 0.05), 3)  # thousands of bed days
        rate = 7.0 if month < CHANGE_AT else 3.5
        falls = max(0, round(rate * bed_days + rng.gauss(0, 0.8)))
        note = "Falls huddle at handover started" if month == CHANGE_AT else ""
        rows.append(Row(numerator=falls, denominator=bed_days, note=note))
    return rows


def risk_assessment() -> list[Row]:
    """Falls risk assessed within 24 hours (p chart): flat, then rising month on month."""
    rng = _rng("risk-assessment")
    rows = []
    for _ in range(MONTHS - 8):
        admissions = rng.randint(55, 70)
        rows.append(
            Row(numerator=round(admissions * (0.62 + rng.gauss(0, 0.03))), denominator=admissions)
        )
    for step in range(8):  # a trend: every month better than the one before
        rows.append(Row(numerator=40 + 2 * step, denominator=60))
    return rows


def huddle_minutes() -> list[Row]:
    """Minutes of handover the huddle takes (balancing, XmR): steady around six."""
    rng = _rng("huddle-minutes")
    return [Row(value=round(6 + rng.gauss(0, 0.6), 1)) for _ in range(CHANGE_MONTHS_AGO)]


# Written out: Poisson-like counts that break no rule (common-cause variation).
PRESSURE_ULCERS = [3, 2, 4, 3, 1, 5, 2, 4, 3, 2, 5, 3, 1, 4, 2, 4, 3, 1, 2, 5, 3, 2, 4, 1, 3, 5,
                   2, 4, 3, 2]  # fmt: skip


def pressure_ulcers() -> list[Row]:
    """Category 2+ pressure ulcers (c chart): common-cause variation only."""
    return [Row(value=count) for count in PRESSURE_ULCERS]


# Written out: steady minutes crossing the mean often, so the one outlier stands alone.
SEPSIS_MINUTES = [49.4, 54.9, 51.3, 55.8, 54.1, 49.8, 51.7, 55.4, 49.1, 54.2, 50.6, 54.7, 54.0,
                  50.0, 55.5, 51.1, 95.0, 54.3, 49.6, 55.1, 51.6, 54.4, 49.3, 54.5, 50.9, 55.9,
                  50.3, 54.2, 51.4, 55.0]  # fmt: skip
SEPSIS_OUTLIER = 16


def sepsis_minutes() -> list[Row]:
    """Door to antibiotics in minutes (XmR): steady, with one month far beyond the limits."""
    rows = [Row(value=minutes) for minutes in SEPSIS_MINUTES]
    rows[SEPSIS_OUTLIER] = Row(value=95.0, note="Electronic record outage for nine days")
    return rows


def stroke_unit() -> list[Row]:
    """Stroke patients on the stroke unit within 4 hours (p chart): common cause."""
    rng = _rng("stroke")
    rows = []
    for _ in range(MONTHS):
        patients = rng.randint(30, 40)
        rows.append(
            Row(numerator=round(patients * (0.58 + rng.gauss(0, 0.04))), denominator=patients)
        )
    return rows


def sickness_absence() -> list[Row]:
    """Staff sickness absence % (XmR, lower is better): a rise sustained for nine months."""
    rng = _rng("sickness")
    return [
        Row(value=round((4.6 if month < MONTHS - 9 else 5.4) + rng.gauss(0, 0.12), 2))
        for month in range(MONTHS)
    ]


def invoices_paid() -> list[Row]:
    """Invoices paid within 30 days % (XmR): well above the 95% target, every month."""
    rng = _rng("invoices")
    return [Row(value=round(97.8 + rng.gauss(0, 0.3), 1)) for _ in range(MONTHS)]


def first_contact() -> list[Row]:
    """IT tickets resolved at first contact % (XmR): around the 70% target, hit and miss."""
    rng = _rng("first-contact")
    return [Row(value=round(68 + rng.gauss(0, 3), 1)) for _ in range(MONTHS)]


def repairs_on_time() -> list[Row]:
    """Reactive repairs done within 24 hours % (XmR): far below the 90% target."""
    rng = _rng("repairs")
    return [Row(value=round(74 + rng.gauss(0, 2), 1)) for _ in range(MONTHS)]


def insulin_visits() -> list[Row]:
    """Insulin visits on time (p chart): the data stop three months ago (a stalled team)."""
    rng = _rng("insulin")
    rows = []
    for _ in range(MONTHS - 3):
        visits = rng.randint(110, 130)
        rows.append(Row(numerator=round(visits * (0.86 + rng.gauss(0, 0.02))), denominator=visits))
    return rows


def theatre_within_36_hours() -> list[Row]:
    """Hip fractures in theatre within 36 hours (p chart): better after a dedicated trauma
    list, rebased at month 12."""
    rng = _rng("hip-fracture")
    rows = []
    for month in range(MONTHS):
        patients = rng.randint(25, 35)
        rate = 0.6 if month < 12 else 0.82
        rows.append(
            Row(numerator=round(patients * (rate + rng.gauss(0, 0.03))), denominator=patients)
        )
    return rows


def eating_after_surgery() -> list[Row]:
    """Patients eating and drinking on the day of surgery % (XmR): a completed project."""
    rng = _rng("eating")
    return [
        Row(value=round((55 if month < 10 else 78) + rng.gauss(0, 2.5), 1))
        for month in range(MONTHS - 6)
    ]


def falls_with_harm() -> list[Row]:
    """Inpatient falls with harm across the trust (c chart, the aim's own measure)."""
    rng = _rng("falls-with-harm")
    return [
        Row(value=max(0, round((14 if month < MONTHS - 8 else 8) + rng.gauss(0, 1.5))))
        for month in range(MONTHS)
    ]


def other_trust_falls() -> list[Row]:
    """A small series for the other organisation's one project."""
    rng = _rng("other-falls")
    return [Row(value=round(6 + rng.gauss(0, 1), 1)) for _ in range(14)]
