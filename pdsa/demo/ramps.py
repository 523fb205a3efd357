"""The demo's PDSA cycles: ramps on the demo projects, in every stage, with their story.

Dates are worked out from today (and, for the Ward 7 falls huddle, from the month the
projects demo's falls chart starts to improve), so the story stays current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

NURSE, HCA, COACH, COACH2 = (
    "nurse@demo.example",
    "hca@demo.example",
    "coach@demo.example",
    "coach2@demo.example",
)
QI, PHYSIO, HR = "qi@demo.example", "physio@demo.example", "hr@demo.example"
OTHER_COACH = "coach@other.example"
FALLS = "Inpatient falls per 1,000 bed days"
RISK_ASSESSMENT = "Falls risk assessment within 24 hours of admission"


@dataclass(frozen=True)
class Question:
    question: str
    prediction: str
    result: str = ""


@dataclass(frozen=True)
class CycleSpec:
    """One demo cycle and how far it has got. ``start`` and ``days`` place it in time:
    planned from ``start`` for ``days``; each later stage follows a few days after."""

    key: str
    title: str
    owner: str
    stage: str
    start: date
    days: int
    idea: str | None = None
    parent: str | None = None
    purpose: str = "test_change"
    objective: str = ""
    questions: tuple[Question, ...] = ()
    tasks: tuple[tuple[str, str], ...] = ()
    measures: tuple[str, ...] = ()
    observations: str = ""
    problems: str = ""
    learning: str = ""
    decision: str = ""
    next_steps: str = ""
    spread_note: str = ""


@dataclass(frozen=True)
class ProjectCycles:
    organisation: str  # slug
    project: str  # title
    cycles: list[CycleSpec] = field(default_factory=list)


def ward7_falls(today: date, change: date) -> ProjectCycles:
    """The falls huddle ramp (adapt, adapt, adopt from the month the falls chart shifts),
    and the ward's other tests: abandoned, adapted with a follow-on, overdue, unwritten."""
    ago = lambda days: today - timedelta(days=days)  # noqa: E731
    return ProjectCycles("demo-trust", "Falls huddle at handover", [
        CycleSpec(
            "rails", "Daily bed rail review", HCA, "done", change - timedelta(days=120), 14,
            idea="Review bed rail use daily",
            objective="See whether a daily review at the night handover cuts bed rails left "
                      "up without a reason.",
            questions=(Question("Will rails up without a reason fall below 4 a day?",
                                "Yes, from about 10 a day to under 4.",
                                "Still 8 to 10 a day by the end of the fortnight."),),
            observations="Reviews done on 9 of 14 nights; rails went back up within hours.",
            learning="Rails go back up out of habit; a separate daily review only added a "
                     "form to every night shift. Put the rails decision in the falls risk "
                     "assessment instead.",
            decision="abandon",
        ),
        CycleSpec(
            "huddle-1", "Falls huddle at one morning handover", NURSE, "done",
            change - timedelta(days=45), 1, idea="Falls huddle at handover",
            purpose="develop_change",
            objective="Try a five-minute falls huddle at one morning handover: name every "
                      "patient at high risk and agree who watches which bay.",
            questions=(Question("Can we name every high-risk patient in five minutes?",
                                "Yes, if the nurse in charge leads it from the bay board.",
                                "It took eight minutes; two patients were missed because the "
                                "board was out of date."),),
            observations="Nine staff came. The board was not updated overnight, so the huddle "
                         "started by fixing it.",
            learning="Five minutes is possible only if the board is updated before handover, "
                     "and night staff need to stay for it.",
            decision="adapt",
            next_steps="Move the huddle to 07:45 and ask night staff to update the bay board "
                       "before handover.",
        ),
        CycleSpec(
            "huddle-2", "Falls huddle every morning for a week", NURSE, "done",
            change - timedelta(days=30), 7, idea="Falls huddle at handover", parent="huddle-1",
            objective="Run the huddle at 07:45 every morning for a week.",
            questions=(Question("Does the huddle stay under five minutes every morning?",
                                "On at least 5 of 7 mornings.",
                                "Under five minutes on 6 of 7 mornings; Saturday's ran long."),),
            observations="Held on all 7 mornings. Agency staff on Saturday did not know the "
                         "format.",
            learning="The format works. Agency staff need a one-page sheet, and the evening "
                     "handover has no huddle yet.",
            decision="adapt",
            next_steps="Add the evening handover and a one-page huddle sheet for agency staff.",
        ),
        CycleSpec(
            "huddle-3", "Falls huddle at every handover for a month", NURSE, "done", change, 28,
            idea="Falls huddle at handover", parent="huddle-2", purpose="implement_change",
            objective="Huddle at every handover, morning and evening, for a month, and watch "
                      "the falls rate.",
            questions=(Question("Do falls go down when every handover has a huddle?",
                                "Fewer than 5 falls this month (usually 6 or 7).",
                                "3 falls in the month."),),
            tasks=(("Print the huddle sheet", "Nurse in charge"),
                   ("Update the bay board before handover", "Night staff")),
            measures=(FALLS, RISK_ASSESSMENT),
            observations="Huddles at 58 of 60 handovers; the two missed were during a cardiac "
                         "arrest call.",
            learning="The huddle is routine now and staff ask for it; falls dropped in the "
                     "first month.",
            decision="adopt",
            spread_note="Ward 10 Elderly Care has the same handover pattern: offer the huddle "
                        "sheet and the bay board.",
        ),
        CycleSpec(
            "checklist-1", "Falls risk checklist on admission", NURSE, "done", ago(110), 14,
            idea="Falls risk checklist on admission",
            objective="Complete the multifactorial falls checklist within 24 hours of "
                      "admission.",
            questions=(Question("Is the checklist done within 24 hours?", "For 8 of 10 "
                                "admissions.", "For 5 of 10: night staff found the four "
                                "pages too long."),),
            observations="Day admissions were checked; most night admissions waited until "
                         "the morning.",
            learning="The questions that matter fit on one page.",
            decision="adapt",
            next_steps="Cut it to one page and test it on nights.",
        ),
        CycleSpec(
            "socks", "Non-slip socks for every patient at risk", HCA, "done", ago(80), 21,
            idea="Non-slip socks for every patient at risk",
            objective="Give non-slip socks to every patient scored at high risk of falls.",
            questions=(Question("Will every high-risk patient be wearing them at the 10:00 "
                                "check?", "9 in 10.", "19 of 20 checks."),),
            observations="Stock ran short in week 2; the ward now orders weekly.",
            learning="Easy to keep up once the socks are stocked by the bed.",
            decision="adopt",
        ),
        CycleSpec(
            "bay-tags-day", "Bay tags on the day shift", HCA, "act", ago(40), 14,
            idea="Bay tagging at night",
            objective="Someone is always tagged to each bay with a high-risk patient, by day.",
            questions=(Question("Is a bay ever left without its tagged person?",
                                "Not more than once a day.", "Twice a day, at lunch breaks."),),
            observations="Tags were handed over at breaks on most days.",
            learning="Works by day when breaks are staggered; lunch is the gap.",
        ),
        CycleSpec(
            "agency-sheet", "Huddle sheet for agency staff", NURSE, "study", ago(22), 10,
            idea="Falls huddle at handover", purpose="implement_change",
            objective="Give agency nurses a one-page huddle sheet on arrival.",
            questions=(Question("Do agency nurses join the huddle without being told how?",
                                "On most shifts."),),
            observations="Agency nurses used the sheet on 7 of 9 shifts.",
        ),
        CycleSpec(
            "bay-tags-night", "Bay tagging at night", NURSE, "do", ago(21), 11,
            idea="Bay tagging at night",
            objective="Tag one member of staff to each bay with a high-risk patient through "
                      "the night.",
            questions=(Question("Is the tag handed over at every break?",
                                "At 9 of 10 breaks."),),
            observations="Tagged bays on 6 nights so far; the tag was handed over on 4.",
        ),
        CycleSpec(
            "toileting", "Night-time toileting rounds", NURSE, "do", ago(4), 14,
            purpose="collect_information",
            objective="Count how many night falls happen on the way to the toilet.",
            questions=(Question("What share of night falls happen on the way to the toilet?",
                                "About half."),),
        ),
        CycleSpec(
            "checklist-2", "One-page falls checklist on nights", NURSE, "plan", ago(-3), 14,
            idea="Falls risk checklist on admission", parent="checklist-1",
        ),
    ])  # fmt: skip


def other_projects(today: date) -> list[ProjectCycles]:
    """Ramps on the other demo projects, and one at Other Trust."""
    ago = lambda days: today - timedelta(days=days)  # noqa: E731
    return [
        ProjectCycles("demo-trust", "Sepsis: antibiotics within the hour", [
            CycleSpec(
                "triage-1", "Sepsis screening at triage for one shift", COACH, "done", ago(300),
                1, idea="Sepsis screening tool at triage",
                objective="Screen every adult at triage for red-flag sepsis for one shift.",
                questions=(Question("Are all adults screened?", "Yes, all of them.",
                                    "31 of 40: it was skipped when triage was busy."),),
                observations="Paper tool; skipped at the busiest hour.",
                learning="It must be in the triage form, or it is skipped when it matters.",
                decision="adapt",
                next_steps="Build the screening questions into the triage form.",
            ),
            CycleSpec(
                "triage-2", "Screening built into the triage form", COACH, "done", ago(270), 30,
                idea="Sepsis screening tool at triage", parent="triage-1",
                measures=("Time to antibiotics for sepsis",),
                objective="Screen with the questions built into the electronic triage form.",
                questions=(Question("Are all adults screened?", "At least 95%.", "98%."),),
                observations="Screening happens without anyone thinking about it.",
                learning="Making it part of the form made it reliable.",
                decision="adopt",
            ),
            CycleSpec(
                "grab-bag", "Sepsis grab bag in resus", QI, "study", ago(30), 14,
                idea="Sepsis grab bag in resus",
                objective="Keep a sepsis grab bag (cultures, fluids, antibiotics) in resus.",
                questions=(Question("Is the bag complete at every daily check?", "Yes.",
                                    "Complete on 12 of 14 days."),),
                observations="Restocked by the night coordinator; twice it was missing fluids.",
            ),
        ]),
        ProjectCycles("demo-trust", "SSKIN bundle for pressure ulcer prevention", [
            CycleSpec(
                "sskin", "SSKIN board at each bay", HCA, "done", ago(700), 28,
                idea="SSKIN board at each bay",
                objective="Put an SSKIN board at each bay and update it every shift.",
                questions=(Question("Is the board updated every shift?", "9 of 10 shifts.",
                                    "27 of 28 days."),),
                observations="Boards became the place where turns are agreed.",
                learning="Visible at the bay, the bundle gets done.",
                decision="adopt",
            ),
        ]),
        ProjectCycles("demo-trust", "Wellbeing check-ins to reduce sickness absence", [
            CycleSpec(
                "rtw-calls", "Return-to-work calls by phone", HR, "done", ago(150), 21,
                objective="Replace return-to-work meetings with a phone call for short "
                          "absences.",
                questions=(Question("Will calls happen within two days of return?",
                                    "For 9 of 10 returns.", "For 4 of 10."),),
                observations="Managers could not find time for calls either.",
                learning="The problem is managers' time, not the format; a call is no quicker.",
                decision="abandon",
            ),
            CycleSpec(
                "check-ins", "Monthly wellbeing check-in in the payroll team", HR, "do", ago(12),
                30, idea="Monthly wellbeing check-in",
                objective="A 15-minute wellbeing conversation with each payroll team member.",
                questions=(Question("Do people find the check-in useful?", "Most will say yes."),),
            ),
        ]),
        ProjectCycles("demo-trust", "Stroke unit within 4 hours", [
            CycleSpec(
                "pre-alert-1", "Pre-alert call from ED to the stroke nurse", PHYSIO, "done",
                ago(120), 14,
                objective="ED calls the stroke nurse as soon as a stroke is suspected.",
                questions=(Question("Does the stroke nurse hear within 15 minutes?",
                                    "For most patients.", "For 6 of 11: the switchboard "
                                    "queued the calls."),),
                observations="Calls went through the switchboard and waited.",
                learning="The route, not the idea, failed.",
                decision="adapt",
                next_steps="Use the stroke bleep instead of the switchboard.",
            ),
            CycleSpec(
                "pre-alert-2", "Pre-alert by stroke bleep", PHYSIO, "do", ago(10), 21,
                parent="pre-alert-1",
                objective="ED bleeps the stroke nurse as soon as a stroke is suspected.",
                questions=(Question("Does the stroke nurse hear within 15 minutes?",
                                    "For 9 of 10 patients."),),
            ),
        ]),
        ProjectCycles("demo-trust", "Discharge before noon", [
            CycleSpec(
                "board-round", "Board round finished by 09:30", QI, "plan", ago(-5), 14,
                objective="Finish the board round by 09:30 so discharges start earlier.",
                questions=(Question("How many discharges leave before noon?",
                                    "One in four (now one in eight)."),),
            ),
        ]),
        ProjectCycles("demo-trust", "Fix it first time at the IT service desk", [
            CycleSpec(
                "password-resets", "Password resets at first contact", COACH2, "act", ago(35),
                21,
                objective="Let the service desk reset passwords on the first call.",
                questions=(Question("What share of password calls close on first contact?",
                                    "Over 90%.", "94%."),),
                observations="Identity checks took a minute longer; no complaints.",
                learning="First-contact resets work and free second-line time.",
                decision="adopt",
            ),
        ]),
        ProjectCycles("other-trust", "Falls prevention huddle", [
            CycleSpec(
                "night-huddle", "Huddle at the night handover", OTHER_COACH, "do", ago(6), 14,
                objective="A five-minute falls huddle at the night handover.",
                questions=(Question("Is the huddle held every night?", "6 of 7 nights."),),
            ),
        ]),
    ]  # fmt: skip
