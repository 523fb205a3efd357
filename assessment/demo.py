"""Demo self-assessments for Demo Trust: last year's, agreed, with its evidence computed
from Ripple's data as it stood a year ago, and this year's draft, most key tests rated,
its evidence computed today.

Runs last (the assessment reads every app's demo data). Made through the services; each
year is made only if it is not there, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from assessment import services
from assessment.models import Assessment
from assessment.pages import current_year
from backend.models import Organisation, User

QI, BOARD = "qi@demo.example", "board@demo.example"

# code: (last year's rating and narrative, this year's rating and narrative or None)
ANSWERS = {
    "V1": (
        (
            2,
            "The quality strategy was launched in the spring; few ward teams could say "
            "what it means for them yet.",
        ),
        (
            3,
            "Ward huddles now open with the strategy's three questions; the staff "
            "survey's new question shows 61% know our quality vision.",
        ),
    ),
    "V2": (
        (2, "Four bold aims agreed; only two had a measure with a year's data."),
        (
            3,
            "Every bold aim has an owner and a measure on the board page, read with SPC; "
            "two still have too few points for firm limits.",
        ),
    ),
    "V3": (
        (2, "The strategy was written by the executive team with a survey of staff."),
        (
            2,
            "Listening events reached 300 staff; patients and carers were not yet "
            "involved in setting the aims.",
        ),
    ),
    "V4": (
        (
            3,
            "The Model for Improvement is our method; some directorates still use "
            "their own templates.",
        ),
        (4, "One method, taught in every course and used in Ripple by every project."),
    ),
    "V5": (
        (2, "A business case for a QI team was agreed; training is mostly e-learning."),
        (
            3,
            "The practitioner programme runs twice a year; the board funded a second "
            "cohort of coaches.",
        ),
    ),
    "L1": (
        (2, "Quality takes about a fifth of the board's agenda."),
        (
            3,
            "The board now opens with a patient story and the SPC summary of the bold "
            "aims before finance.",
        ),
    ),
    "L2": (
        (1, "Board members do not visit improvement projects in any planned way."),
        (
            3,
            "Each executive visits a project a quarter and records what they learned; "
            "the stories are read at the board.",
        ),
    ),
    "L3": (
        (2, "Teams said they feel listened to by their ward managers, less so by senior leaders."),
        (
            3,
            "Back-to-floor sessions and the listening events are changing this; the "
            "community teams feel it least.",
        ),
    ),
    "L4": ((2, "Staff survey engagement score 6.8; sickness absence above 5%."), None),
    "C1": (
        (1, "No way to find who has improvement skills beyond word of mouth."),
        (
            3,
            "The skills directory lists our practitioners with what they have led, so "
            "teams can find one nearby.",
        ),
    ),
    "C2": (
        (2, "PDSA cycles are logged in a spreadsheet by a few teams."),
        (
            3,
            "Most projects under way run cycles every month; a few stall and their "
            "coaches are nudged.",
        ),
    ),
    "C3": (
        (2, "We adopted the escalator but had no headcount by division to size it."),
        (
            3,
            "Dosing targets by division: Surgery needs 12 more practitioners; the "
            "support services' gap is the widest.",
        ),
    ),
    "C4": (
        (2, "Successes are shared in the chief executive's blog."),
        (
            3,
            "Ripple celebrates wins only when the data show a real signal; spread is "
            "tracked unit by unit.",
        ),
    ),
    "C5": (
        (1, "Patients are consulted on some projects but are not on the teams."),
        (
            2,
            "A third of projects under way have a lived-experience partner on the team; "
            "none in Surgery yet.",
        ),
    ),
    "O1": (
        (2, "About half of projects link to the strategy's aims."),
        (4, "Almost every project under way serves a strategic aim through the cascade."),
    ),
    "O2": (
        (1, "Divisional aims were set without wards."),
        (
            2,
            "Divisions set their aims with their wards this year; the aims are on every "
            "ward's board.",
        ),
    ),
    "O3": (
        (2, "Coaches are spread thinly across many small projects."),
        (3, "Coaches now take projects that serve the bold aims first."),
    ),
    "O4": (
        (2, "Few leaders coach; improvement is seen as the QI team's job."),
        (
            3,
            "Every project under way has a coach and none is over capacity; leaders "
            "sponsor the larger projects.",
        ),
    ),
    "S1": (
        (1, "Support services were not part of the improvement programme."),
        (3, "HR, finance, IT and estates each run a project under a bold aim."),
    ),
    "S2": ((1, "Not yet considered."), None),
    "S3": (
        (1, "No one in the support services had been trained."),
        (
            2,
            "The support services have started foundation training; their practitioner "
            "gap is the widest in the trust.",
        ),
    ),
}


def _answer(by: User, assessment: Assessment, code: str, rating: int, narrative: str) -> None:
    answer = assessment.answers.get(code=code)
    services.answer_update(by=by, answer=answer, rating=rating, narrative=narrative)


def seed() -> None:
    """Seed Demo Trust's last year's and this year's assessments; safe to run again."""
    organisation = Organisation.objects.filter(slug="demo-trust").first()
    qi = User.objects.filter(email=QI).first()
    board = User.objects.filter(email=BOARD).first()
    if organisation is None or qi is None or board is None:
        return
    this_year = current_year()
    if not Assessment.objects.filter(organisation=organisation, year=this_year - 1).exists():
        last = services.assessment_start(
            by=qi,
            organisation=organisation,
            year=this_year - 1,
            as_of=timezone.localdate() - timedelta(days=365),
        )
        for code, ((rating, narrative), _) in ANSWERS.items():
            _answer(qi, last, code, rating, narrative)
        services.assessment_agree(by=board, assessment=last)
        # Its evidence was computed, and it was agreed, a year ago.
        year_ago = timezone.now() - timedelta(days=365)
        last.answers.update(evidence_at=year_ago)
        Assessment.objects.filter(pk=last.pk).update(evidence_at=year_ago, agreed_at=year_ago)
    if not Assessment.objects.filter(organisation=organisation, year=this_year).exists():
        draft = services.assessment_start(by=qi, organisation=organisation, year=this_year)
        for code, (_, now) in ANSWERS.items():
            if now is not None:
                _answer(qi, draft, code, *now)
