"""What the demo portfolio holds: the measure library, aims, projects, their teams,
driver diagrams and measures. Seeded by ``projects.demo.seed``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from projects.demo import series

NURSE, COACH, COACH2 = "nurse@demo.example", "coach@demo.example", "coach2@demo.example"
QI, BOARD, PARTNER = "qi@demo.example", "board@demo.example", "partner@demo.example"
HCA, PHYSIO, DN, HR = (
    "hca@demo.example",
    "physio@demo.example",
    "dn@demo.example",
    "hr@demo.example",
)

CCS = "Community and Corporate Services"

# (name, unit, direction, chart, definition, numerator, denominator, dimensions)
LIBRARY = [
    ("Inpatient falls per 1,000 bed days", "per 1,000 bed days", "decrease", "u",
     "Falls reported on the ward, per 1,000 occupied bed days.", "Inpatient falls (Datix)",
     "Occupied bed days, in thousands (e.g. 0.9 for 900)", ["safe"]),
    ("Inpatient falls with harm", "falls", "decrease", "c",
     "Falls causing moderate harm or worse, across the trust.", "", "", ["safe"]),
    ("Pressure ulcers category 2 and above", "ulcers", "decrease", "c",
     "Hospital-acquired pressure ulcers, category 2 or worse.", "", "", ["safe"]),
    ("Falls risk assessment within 24 hours of admission", "% of admissions", "increase", "p",
     "Admissions with a completed multifactorial falls risk assessment within 24 hours.",
     "Assessments completed within 24 hours", "Admissions aged 65 and over",
     ["safe", "effective"]),
    ("Time to antibiotics for sepsis", "minutes (median)", "decrease", "xmr",
     "Median minutes from arrival to first antibiotic dose for red-flag sepsis.", "", "",
     ["timely", "safe"]),
    ("Stroke patients on a stroke unit within 4 hours", "% of patients", "increase", "p",
     "Confirmed strokes admitted to the stroke unit within 4 hours of arrival.",
     "Admitted within 4 hours", "Confirmed strokes", ["timely", "effective"]),
    ("Staff sickness absence", "% of hours", "decrease", "xmr",
     "Hours lost to sickness as a share of contracted hours.", "", "", ["staff_wellbeing"]),
    ("Invoices paid within 30 days", "% of invoices", "increase", "xmr",
     "Share of valid supplier invoices paid within 30 days (Better Payment Practice Code).",
     "", "", ["efficient"]),
    ("IT tickets resolved at first contact", "% of tickets", "increase", "xmr",
     "Service desk tickets closed on the first contact.", "", "", ["efficient"]),
    ("Reactive repairs completed within 24 hours", "% of urgent repairs", "increase", "xmr",
     "Urgent estates repairs completed within 24 hours of the request.", "", "",
     ["efficient", "safe"]),
    ("Insulin visits on time", "% of visits", "increase", "p",
     "Insulin visits made within 30 minutes of the planned time.", "Visits on time",
     "Planned insulin visits", ["timely", "safe"]),
    ("Hip fracture patients in theatre within 36 hours", "% of patients", "increase", "p",
     "Hip fracture patients operated on within 36 hours of arrival.", "In theatre within 36 h",
     "Hip fracture admissions", ["timely"]),
]  # fmt: skip


@dataclass(frozen=True)
class AimSpec:
    key: str
    title: str
    statement: str
    dimensions: list[str]
    owner: str
    unit: str | None = None
    parent: str | None = None
    years: tuple[int, int] = (2024, 2029)


AIMS = [
    AimSpec("harm", "Zero avoidable harm",
            "No patient comes to avoidable harm in our care: falls with harm halved by 2028.",
            ["safe"], BOARD),
    AimSpec("timely", "No one waits longer than they must",
            "Every patient gets time-critical care on time: sepsis, stroke and hip fracture.",
            ["timely", "effective"], BOARD),
    AimSpec("wellbeing", "A great place to work",
            "Sickness absence below 4% and every team able to improve its own work.",
            ["staff_wellbeing"], BOARD),
    AimSpec("value", "Every pound well spent",
            "Support services that are quick, right first time and kind to suppliers.",
            ["efficient"], QI),
    AimSpec("medicine-falls", "Medicine: halve inpatient falls",
            "The Medicine division halves falls per 1,000 bed days by March 2027.",
            ["safe"], QI, unit="Medicine", parent="harm", years=(2024, 2027)),
    AimSpec("ward7-falls", "Ward 7: falls down by 40%",
            "Ward 7 cuts falls per 1,000 bed days from 7 to 4 by December 2026.",
            ["safe", "person_centred"], NURSE, unit="Ward 7 Elderly Care",
            parent="medicine-falls", years=(2025, 2026)),
    AimSpec("community-safe", "Community: safe care at home",
            "Every planned visit in the community made on time, so no one comes to harm "
            "waiting.", ["safe", "timely"], QI, unit=CCS, parent="harm"),
    AimSpec("dn-insulin", "District Nursing North: insulin on time",
            "95% of insulin visits within 30 minutes of the planned time.", ["timely", "safe"],
            DN, unit="District Nursing North", parent="community-safe", years=(2025, 2026)),
    AimSpec("medicine-timely", "Medicine: time-critical care on time",
            "Sepsis and stroke treated within the national standards, every month.",
            ["timely"], QI, unit="Medicine", parent="timely", years=(2024, 2027)),
    AimSpec("ed-sepsis", "Emergency Department: antibiotics within the hour",
            "Median door to antibiotics under 60 minutes for red-flag sepsis.",
            ["timely", "safe"], QI, unit="Emergency Department", parent="medicine-timely"),
    AimSpec("ward8-stroke", "Ward 8: stroke unit within 4 hours",
            "80% of confirmed strokes on the stroke unit within 4 hours.", ["timely"], PHYSIO,
            unit="Ward 8 Stroke", parent="medicine-timely"),
    AimSpec("surgery-timely", "Surgery: theatre when it matters",
            "Emergency and trauma patients in theatre within the standard.", ["timely"], QI,
            unit="Surgery", parent="timely"),
    AimSpec("ward14-hip", "Ward 14: hip fracture surgery within 36 hours",
            "85% of hip fracture patients in theatre within 36 hours.", ["timely"], QI,
            unit="Ward 14 Orthopaedics", parent="surgery-timely"),
    AimSpec("ccs-wellbeing", "Community and Corporate Services: a healthier workforce",
            "Sickness absence below 4.5% in every team of the division.", ["staff_wellbeing"],
            HR, unit=CCS, parent="wellbeing"),
    AimSpec("hr-checkins", "HR: a wellbeing check-in for every team",
            "Every manager holds a monthly wellbeing check-in.", ["staff_wellbeing"], HR,
            unit="HR", parent="ccs-wellbeing"),
    AimSpec("ccs-value", "Corporate Services: right first time",
            "Support services that finish the job the first time they are asked.",
            ["efficient"], QI, unit=CCS, parent="value"),
    AimSpec("finance-pay", "Finance: suppliers paid within 30 days",
            "95% of valid invoices paid within 30 days, every month.", ["efficient"], QI,
            unit="Finance", parent="ccs-value"),
    AimSpec("it-first", "IT: fixed at first contact",
            "70% of service desk tickets resolved at first contact.", ["efficient"], QI,
            unit="IT", parent="ccs-value"),
    AimSpec("estates-repairs", "Estates: urgent repairs within 24 hours",
            "90% of urgent repairs done within 24 hours.", ["efficient", "safe"], QI,
            unit="Estates", parent="ccs-value"),
]  # fmt: skip


@dataclass(frozen=True)
class MeasureSpec:
    definition: str
    rows: Callable[[], list[series.Row]]
    type: str = "outcome"
    target: float | None = None
    name: str | None = None
    ends_months_ago: int = 0
    rebase: tuple[int, str] | None = None  # (index of the first point of the new group, why)
    first_target: float | None = None  # set first, then changed: the history shows who
    fix_after_n_points: int | None = None
    direction: str | None = None
    chart_type: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class ProjectSpec:
    title: str
    unit: str
    lead: str
    status: str
    aims: list[str]
    team: list[tuple[str, str]]
    started_months_ago: int | None
    last_activity_days_ago: int
    aim_what: str = ""
    aim_how_much: str = ""
    problem: str = ""
    diagram: str | None = None
    measures: list[MeasureSpec] = field(default_factory=list)

    @property
    def aim_statement(self) -> str:
        return f"{self.aim_what} {self.aim_how_much}".strip()


FALLS = "Inpatient falls per 1,000 bed days"
F = MeasureSpec  # the project table below reads better with a short name

PROJECTS = [
    ProjectSpec(
        "Falls huddle at handover", "Ward 7 Elderly Care", NURSE, "active", ["ward7-falls"],
        [(COACH, "coach"), (BOARD, "sponsor"), (PARTNER, "lived_experience_partner"),
         (HCA, "member")],
        started_months_ago=14, last_activity_days_ago=2,
        aim_what="Reduce inpatient falls on Ward 7",
        aim_how_much="from 7 to 4 per 1,000 bed days by December 2026.",
        problem="Falls happen most at night and at handover, when no one is sure who is at "
                "risk.",
        diagram="falls",
        measures=[
            F(FALLS, series.falls_rate, target=5.0, first_target=6.0),
            F("Falls risk assessment within 24 hours of admission", series.risk_assessment,
              type="process", target=0.9),
            F("", series.huddle_minutes, type="balancing", name="Minutes of handover spent on "
              "the huddle", direction="neutral", chart_type="xmr", unit="minutes"),
        ],
    ),
    ProjectSpec(
        "Safer mealtimes for people with dementia", "Ward 7 Elderly Care", HCA, "proposed",
        ["harm"], [(NURSE, "member"), (COACH, "coach")],
        started_months_ago=None, last_activity_days_ago=6,
        aim_what="Every patient with dementia on Ward 7 gets help to eat and drink",
        aim_how_much="at every meal by June 2027.",
        problem="Meals go back untouched when help comes late.",
    ),
    ProjectSpec(
        "SSKIN bundle for pressure ulcer prevention", "Ward 10 Elderly Care", HCA, "sustaining",
        ["harm"], [(COACH, "coach")], started_months_ago=26, last_activity_days_ago=9,
        aim_what="No avoidable category 2+ pressure ulcers on Ward 10",
        aim_how_much="sustained for 12 months.", diagram="pressure",
        measures=[F("Pressure ulcers category 2 and above", series.pressure_ulcers)],
    ),
    ProjectSpec(
        "Stroke unit within 4 hours", "Ward 8 Stroke", PHYSIO, "active", ["ward8-stroke"],
        [(COACH, "coach")], started_months_ago=9, last_activity_days_ago=4,
        aim_what="Admit confirmed strokes to the stroke unit within 4 hours",
        aim_how_much="for 80% of patients by March 2027.",
        measures=[F("Stroke patients on a stroke unit within 4 hours", series.stroke_unit,
                    target=0.8)],
    ),
    ProjectSpec(
        "Oxygen prescribed on admission", "Ward 2 Respiratory", QI, "on_hold", ["harm"],
        [(COACH2, "coach")], started_months_ago=8, last_activity_days_ago=60,
        aim_what="Every patient on oxygen has it prescribed with a target range",
        aim_how_much="within 4 hours of admission.",
        problem="Paused while the ward moves to electronic prescribing.",
    ),
    ProjectSpec(
        "Eating and drinking on the day of surgery", "Ward 12 Surgical", QI, "completed",
        ["timely"], [(COACH2, "coach")], started_months_ago=28, last_activity_days_ago=170,
        aim_what="Patients eat and drink on the day of their operation",
        aim_how_much="75% of patients by March 2025.",
        measures=[F("", series.eating_after_surgery, name="Patients eating and drinking on "
                    "the day of surgery", direction="increase", chart_type="xmr",
                    unit="% of patients", target=75, ends_months_ago=6)],
    ),
    ProjectSpec(
        "Hip fracture: theatre within 36 hours", "Ward 14 Orthopaedics", QI, "spreading",
        ["ward14-hip"], [(COACH2, "coach"), (BOARD, "sponsor")], started_months_ago=24,
        last_activity_days_ago=12,
        aim_what="Operate on hip fracture patients within 36 hours",
        aim_how_much="for 85% of patients, and share the trauma list model.",
        measures=[F("Hip fracture patients in theatre within 36 hours",
                    series.theatre_within_36_hours, target=0.85,
                    rebase=(12, "Dedicated morning trauma list started"))],
    ),
    ProjectSpec(
        "Sepsis: antibiotics within the hour", "Emergency Department", QI, "active",
        ["ed-sepsis", "harm"], [(COACH, "coach")], started_months_ago=20, last_activity_days_ago=3,
        aim_what="Give antibiotics to red-flag sepsis patients within 60 minutes",
        aim_how_much="median under 60 minutes, every month.", diagram="sepsis",
        measures=[F("Time to antibiotics for sepsis", series.sepsis_minutes, target=60)],
    ),
    ProjectSpec(
        "Ambulance handover within 30 minutes", "Emergency Department", QI, "abandoned",
        ["timely"], [(COACH2, "coach")], started_months_ago=18, last_activity_days_ago=200,
        aim_what="Hand over every ambulance patient within 30 minutes",
        aim_how_much="by winter 2024.",
        problem="Stopped: the regional handover programme replaced it.",
    ),
    ProjectSpec(
        "Insulin visits on time", "District Nursing North", DN, "active", ["dn-insulin"],
        [(COACH, "coach")], started_months_ago=12, last_activity_days_ago=35,
        aim_what="Make insulin visits within 30 minutes of the planned time",
        aim_how_much="for 95% of visits by September 2026.",
        measures=[F("Insulin visits on time", series.insulin_visits, target=0.95,
                    ends_months_ago=3)],
    ),
    ProjectSpec(
        "Discharge before noon", "Ward 1 Acute Medical Unit", QI, "active", ["timely"],
        [(COACH2, "coach")], started_months_ago=5, last_activity_days_ago=5,
        aim_what="Discharge a third of patients going home before noon",
        aim_how_much="by March 2027.",
    ),
    ProjectSpec(
        "Wellbeing check-ins to reduce sickness absence", "HR", HR, "active", ["hr-checkins"],
        [(COACH, "coach"), (BOARD, "sponsor")], started_months_ago=7, last_activity_days_ago=8,
        aim_what="Bring staff sickness absence below 4.5%",
        aim_how_much="across the trust by April 2027.", diagram="sickness",
        measures=[F("Staff sickness absence", series.sickness_absence, target=4.5)],
    ),
    ProjectSpec(
        "Pay suppliers within 30 days", "Finance", QI, "sustaining", ["finance-pay"],
        [(COACH2, "coach")], started_months_ago=30, last_activity_days_ago=15,
        aim_what="Pay 95% of valid invoices within 30 days", aim_how_much="every month.",
        measures=[F("Invoices paid within 30 days", series.invoices_paid, target=95)],
    ),
    ProjectSpec(
        "Fix it first time at the IT service desk", "IT", QI, "active", ["it-first"],
        [(COACH2, "coach")], started_months_ago=10, last_activity_days_ago=7,
        aim_what="Resolve 70% of IT tickets at first contact", aim_how_much="by January 2027.",
        measures=[F("IT tickets resolved at first contact", series.first_contact, target=70)],
    ),
    ProjectSpec(
        "Urgent repairs within 24 hours", "Estates", QI, "active", ["estates-repairs", "harm"],
        [(COACH, "coach")], started_months_ago=6, last_activity_days_ago=10,
        aim_what="Complete 90% of urgent repairs within 24 hours",
        aim_how_much="by December 2026.",
        measures=[F("Reactive repairs completed within 24 hours", series.repairs_on_time,
                    target=90)],
    ),
    ProjectSpec(
        "Strength and balance referrals from the falls clinic", "Falls Clinic", QI, "proposed",
        ["harm"], [(COACH, "coach"), (PARTNER, "lived_experience_partner")],
        started_months_ago=None, last_activity_days_ago=4,
        aim_what="Refer every eligible falls clinic patient to strength and balance classes",
        aim_how_much="within two weeks, by June 2027.",
    ),
]  # fmt: skip

# Primary driver -> secondary drivers -> change ideas (title, status, learning).
DIAGRAMS: dict[str, list[tuple[str, list[tuple[str, list[str]]]]]] = {
    "falls": [
        (
            "Staff know who is at risk",
            [
                ("Shared awareness at every handover", ["huddle", "bay-tags"]),
                ("Risk assessed early", ["huddle", "risk-checklist"]),
            ],
        ),
        (
            "A safe environment",
            [
                ("Right footwear and aids within reach", ["socks"]),
                ("Beds and rails used safely", ["rails"]),
            ],
        ),
        ("Patients and families take part", [("Patients understand their risk", ["leaflet"])]),
    ],
    "pressure": [
        ("Skin checked and cared for", [("SSKIN bundle used every shift", ["sskin"])]),
    ],
    "sepsis": [
        (
            "Sepsis recognised at the front door",
            [
                ("Screening at triage", ["triage-screen"]),
            ],
        ),
        ("Antibiotics ready", [("Antibiotics stocked in resus", ["grab-bag"])]),
    ],
    "sickness": [
        ("Managers notice early", [("Regular wellbeing conversations", ["check-ins"])]),
    ],
}
IDEAS = {
    "huddle": (
        "Falls huddle at handover",
        "adopted",
        "Five minutes at handover; the team "
        "names every patient at high risk and agrees who watches which bay.",
    ),
    "bay-tags": ("Bay tagging at night", "testing", ""),
    "risk-checklist": (
        "Falls risk checklist on admission",
        "adapted",
        "Shortened to one page after night staff found it too long.",
    ),
    "socks": ("Non-slip socks for every patient at risk", "adopted", ""),
    "rails": (
        "Review bed rail use daily",
        "abandoned",
        "Rails stayed up out of habit; the daily review added paperwork and no benefit.",
    ),
    "leaflet": ("Falls leaflet for patients and families", "untested", ""),
    "sskin": ("SSKIN board at each bay", "adopted", ""),
    "triage-screen": ("Sepsis screening tool at triage", "adopted", ""),
    "grab-bag": ("Sepsis grab bag in resus", "testing", ""),
    "check-ins": ("Monthly wellbeing check-in", "testing", ""),
}
# Not linked to a driver yet: shown apart in the diagram.
UNLINKED = {"falls": [("Sensor mats for the highest-risk beds", "untested", "")]}

# (aim key, library definition, series, target): the aims' own outcome measures.
AIM_MEASURES = [
    ("harm", "Inpatient falls with harm", series.falls_with_harm, 7.0),
    ("wellbeing", "Staff sickness absence", series.sickness_absence, 4.0),
    ("timely", "Time to antibiotics for sepsis", series.sepsis_minutes, 60.0),
    ("value", "Invoices paid within 30 days", series.invoices_paid, 95.0),
    ("medicine-falls", FALLS, series.falls_rate, 4.5),
    ("ccs-value", "IT tickets resolved at first contact", series.first_contact, 70.0),
]
