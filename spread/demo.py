"""Demo spread data for Demo Trust: three approved changes (two spreading to other wards,
one waiting for Ward 7 to take it up), one proposed, one declined and one "early promise".

Runs after ``projects.demo`` and ``pdsa.demo`` and finds their projects, ideas and people
by name, skipping whatever is not there. The Ward 7 falls huddle was already suggested
when the pdsa demo adopted it (its falls chart shifted after the huddle started). Two more
tested changes are added through the projects and pdsa services, each started in the
month its project's chart began to improve, so the SPC engine, not the demo, proves
them: an eat-and-drink card on Ward 12 Surgical, an admission-booklet prompt on Ward 7, and
intentional rounding on the Acute Medical Unit, whose own falls project and data are made
here (its falls chart shifts down when rounding starts), so Ward 7, which measures falls
too, sees it on its page with the reasons.
Everything goes through the spread services; each step looks up before it acts, so a
second run changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from backend.models import Organisation, Unit, User
from pdsa import services as pdsa_services
from pdsa.demo import decision_dated
from pdsa.models import Cycle
from projects import services as project_services
from projects.models import (
    ChangeIdea,
    DataPoint,
    Measure,
    MeasureDefinition,
    Project,
    ProjectMember,
    StrategicAim,
)
from projects.selectors import measure_spc
from spread import services
from spread.models import Adoption, SpreadCandidate

ORGANISATION = "demo-trust"
QI, NURSE, HCA, COACH = (
    "qi@demo.example",
    "nurse@demo.example",
    "hca@demo.example",
    "coach@demo.example",
)
Status = SpreadCandidate.Status
FALLS_PROJECT = "Falls huddle at handover"
SURGERY_PROJECT = "Eating and drinking on the day of surgery"
EATING_MEASURE = "Patients eating and drinking on the day of surgery"
RISK_MEASURE = "Falls risk assessment within 24 hours of admission"
FALLS = "Inpatient falls per 1,000 bed days"
COACH2 = "coach2@demo.example"
AMU = "Ward 1 Acute Medical Unit"
ROUNDING_PROJECT = "Fewer falls on the Acute Medical Unit"
ROUNDING_AIM = "Medicine: halve inpatient falls"
# A year around 7 falls a month, then 8 months around 3.5 once rounding started.
ROUNDING_FALLS = [7, 6, 8, 7, 6, 7, 8, 6, 7, 7, 6, 8, 4, 3, 4, 3, 3, 4, 3, 3]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _improving_since(measure: Measure) -> date | None:
    """The first period of the run of improvement the chart ends with (or ended with)."""
    spc = measure_spc(measure)
    if spc is None:
        return None
    start = None
    for point in reversed(spc["points"]):
        if point["point_type"] != "special_cause_improvement":
            break
        start = date.fromisoformat(point["x"])
    return start


def _tested_change(
    *, project: Project, by: User, title: str, measure: Measure, story: dict[str, str]
) -> ChangeIdea | None:
    """A change idea tested from the month ``measure`` began to improve and adopted: the
    adopt decision lets spread's listener judge it on the data, as in real use."""
    idea = ChangeIdea.objects.filter(project=project, title=title).first()
    if idea is not None:
        return idea
    started = _improving_since(measure)
    if started is None:
        return None
    before = project.last_activity_at
    idea = project_services.change_idea_create(
        by=by, project=project, title=title, description=story["description"]
    )
    cycle, _ = pdsa_services.cycle_create(
        by=by,
        project=project,
        title=story["cycle"],
        change_idea=idea,
        objective=story["objective"],
        planned_start=started,
        planned_end=started + timedelta(days=28),
        measures=[measure],
        questions=[{"question": story["question"], "prediction": story["prediction"]}],
    )
    cycle = pdsa_services.cycle_update(cycle=cycle, by=by, started_on=started)
    cycle = pdsa_services.cycle_advance(cycle=cycle, by=by, to=Cycle.Stage.DO)
    cycle = pdsa_services.cycle_update(
        cycle=cycle, by=by, observations=story["observations"], ended_on=started + timedelta(28)
    )
    cycle = pdsa_services.cycle_advance(cycle=cycle, by=by, to=Cycle.Stage.STUDY)
    question = cycle.questions.get()
    cycle = pdsa_services.cycle_update(
        cycle=cycle,
        by=by,
        questions=[{"id": question.pk, "result": story["result"]}],
        learning=story["learning"],
    )
    cycle = pdsa_services.cycle_advance(cycle=cycle, by=by, to=Cycle.Stage.ACT)
    pdsa_services.cycle_advance(
        cycle=cycle, by=by, to=Cycle.Stage.DONE, decision="adopt", spread_note=story["spread"]
    )
    decided = started + timedelta(days=35)
    Cycle.objects.filter(pk=cycle.pk).update(
        created_at=_moment(started - timedelta(days=3)), stage_changed_at=_moment(decided)
    )
    decision_dated(cycle, decided)
    # The demo's stall and activity story belongs to the projects demo: keep its date.
    latest = project.cycles.aggregate(latest=Max("stage_changed_at"))["latest"]
    Project.objects.filter(pk=project.pk).update(
        last_activity_at=max(filter(None, [before, latest]), default=None)
    )
    idea.refresh_from_db()
    return idea


EATING_STORY = {
    "description": "A card on the bedside table when patients return from theatre: what they "
    "may eat and drink, and a prompt for staff to offer it within two hours.",
    "cycle": "Eat-and-drink card for one week of day-case lists",
    "objective": "See whether a bedside card gets patients eating and drinking on the day.",
    "question": "Will more patients eat and drink on the day of surgery?",
    "prediction": "Three in four will, up from about half.",
    "observations": "Cards went out with every returning patient; nurses offered drinks.",
    "result": "78% ate and drank on the day, against 55% before.",
    "learning": "Patients wait to be told they may eat; the card tells them.",
    "spread": "Print the card with the theatre list; the recovery nurse puts it out.",
}
BOOKLET_STORY = {
    "description": "A falls risk prompt on the first page of the admission booklet, so the "
    "multifactorial assessment is started at clerking, not left for the next shift.",
    "cycle": "Falls prompt in the admission booklet",
    "objective": "See whether a prompt at clerking gets the assessment done within 24 hours.",
    "question": "Will more assessments be done within 24 hours?",
    "prediction": "At least 70% of admissions aged 65 and over.",
    "observations": "The prompt was filled in on most admissions; nights were slower.",
    "result": "Assessments within 24 hours rose every month.",
    "learning": "Putting the prompt where the clerking starts beats a reminder on the wall.",
    "spread": "Add the prompt page to the booklet reprint; tell the clerking doctors.",
}


ROUNDING_STORY = {
    "description": "Every hour by day and every two hours at night, a nurse or HCA visits "
    "each patient at risk: toilet, position, pain, and the call bell and belongings left "
    "within reach.",
    "cycle": "Hourly rounding with a call-bell check in bay B",
    "objective": "See whether rounding with a call-bell check cuts falls on the way to the toilet.",
    "question": "Will fewer patients fall reaching for something or walking to the toilet?",
    "prediction": "Falls in bay B halve within a month.",
    "observations": "Rounds logged on a bedside sheet; night rounds slipped when two nurses "
    "were on breaks.",
    "result": "Three falls in bay B in the month, against seven the month before.",
    "learning": "Patients stop getting up alone once they trust someone will come; leaving "
    "the call bell in reach matters as much as the round itself.",
    "spread": "Print the rounding sheet; agree who rounds during breaks at the start of "
    "each shift.",
}


def _months_to(today: date, count: int) -> list[date]:
    """The ``count`` month starts before this month, oldest first."""
    latest = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    periods = [latest]
    while len(periods) < count:
        periods.append((periods[-1] - timedelta(days=1)).replace(day=1))
    return periods[::-1]


def _rounding_measure(
    organisation: Organisation, unit: Unit | None, people: dict[str, User], today: date
) -> Measure | None:
    """The Acute Medical Unit's falls project, measure and 20 months of data (made once)."""
    found = Measure.objects.filter(
        project__organisation=organisation, project__title=ROUNDING_PROJECT, definition__name=FALLS
    ).first()
    definition = MeasureDefinition.objects.filter(organisation=organisation, name=FALLS).first()
    qi = people[QI]
    if found is not None or unit is None or definition is None:
        return found
    project = project_services.project_create(
        by=qi,
        unit=unit,
        title=ROUNDING_PROJECT,
        aims=list(StrategicAim.objects.filter(organisation=organisation, title=ROUNDING_AIM)),
        status=Project.Status.ACTIVE,
        # The ward named as the unit is, so a ward adopting the change gets its own name.
        aim_statement=f"Reduce inpatient falls on {AMU} from 7 to 4 per 1,000 bed days by "
        "March 2027.",
        aim_what=f"Reduce inpatient falls on {AMU}",
        aim_how_much="from 7 to 4 per 1,000 bed days by March 2027.",
        problem="Most falls happen when patients get up alone to reach the toilet or a drink.",
    )
    if COACH2 in people:
        project_services.project_member_add(
            by=qi, project=project, user=people[COACH2], role=ProjectMember.Role.COACH
        )
    measure = project_services.measure_create(
        by=qi, project=project, definition=definition, type=Measure.Type.OUTCOME, target=4.0
    )
    periods = _months_to(today, len(ROUNDING_FALLS))
    project_services.data_points_upsert(
        measure=measure,
        by=qi,
        rows=[
            {"period": period, "numerator": falls, "denominator": 0.9}
            for period, falls in zip(periods, ROUNDING_FALLS, strict=True)
        ],
    )
    Project.objects.filter(pk=project.pk).update(started_on=periods[0])
    return measure


def _candidate(idea: ChangeIdea | None) -> SpreadCandidate | None:
    if idea is None:
        return None
    return (
        SpreadCandidate.objects.filter(change_idea=idea)
        .select_related("origin_project", "origin_unit", "change_idea")
        .first()
    )


def _approve(candidate: SpreadCandidate | None, qi: User, package: dict) -> SpreadCandidate | None:
    if candidate is None:
        return None
    if candidate.status == Status.PROPOSED:
        candidate = services.candidate_review_start(by=qi, candidate=candidate)
    if candidate.status == Status.UNDER_REVIEW and candidate.evidence_strength == "proven":
        candidate = services.candidate_approve(by=qi, candidate=candidate, package=package)
    return candidate if candidate.status == Status.APPROVED else None


def _nominate(idea: ChangeIdea | None, by: User | None, note: str) -> SpreadCandidate | None:
    if idea is None or by is None or idea.status != ChangeIdea.Status.ADOPTED:
        return _candidate(idea)
    return _candidate(idea) or services.candidate_nominate(by=by, change_idea=idea, note=note)


def _take_up(
    candidate: SpreadCandidate, unit: Unit | None, by: User, steps: list[str], note: str = ""
) -> Adoption | None:
    if unit is None:
        return None
    adoption = Adoption.objects.filter(candidate=candidate, unit=unit).first()
    if adoption is not None:
        return adoption
    first = "declined" if steps == ["declined"] else "planned"
    adoption = services.adoption_create(
        by=by, candidate=candidate, unit=unit, status=first, note=note
    )
    for status in steps:
        if status != adoption.status:
            adoption = services.adoption_update(by=by, adoption=adoption, status=status)
    return adoption


def _local_data(adoption: Adoption, by: User, today: date) -> None:
    """Ward 10's own falls chart: 18 months, the last 8 lower since it took the huddle up
    (the adoption and its first cycle are put back in time to match)."""
    measure = Measure.objects.filter(project=adoption.project, definition__name=FALLS).first()
    if measure is None or DataPoint.objects.filter(measure=measure).exists():
        return
    latest = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    periods = [latest]
    while len(periods) < 18:
        periods.append((periods[-1] - timedelta(days=1)).replace(day=1))
    periods.reverse()
    falls = [6, 7, 5, 6, 7, 6, 5, 7, 6, 6, 4, 3, 3, 4, 2, 3, 3, 4]
    project_services.data_points_upsert(
        measure=measure,
        by=by,
        rows=[
            {"period": period, "numerator": count, "denominator": 0.85}
            for period, count in zip(periods, falls, strict=True)
        ],
    )
    began = periods[10]
    Cycle.objects.filter(project=adoption.project).update(
        planned_start=began, started_on=began, created_at=_moment(began - timedelta(days=5))
    )
    Adoption.objects.filter(pk=adoption.pk).update(created_at=_moment(began - timedelta(days=7)))
    Project.objects.filter(pk=adoption.project_id).update(started_on=began)


def seed() -> None:
    """Seed Demo Trust's spread candidates, targets and adoptions; safe to run again."""
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None:
        return
    people = {u.email: u for u in User.objects.filter(memberships__organisation=organisation)}
    qi = people.get(QI)
    if qi is None:
        return
    units = {u.name: u for u in Unit.objects.filter(organisation=organisation)}
    projects = {p.title: p for p in Project.objects.filter(organisation=organisation)}
    ideas = {
        (i.project.title, i.title): i
        for i in ChangeIdea.objects.filter(project__organisation=organisation).select_related(
            "project"
        )
    }
    today = timezone.localdate()

    huddle = _approve(
        _candidate(ideas.get((FALLS_PROJECT, "Falls huddle at handover"))),
        qi,
        {
            "how_to": "Two minutes at each handover, led by the nurse in charge: who is at "
            "risk tonight, who needs a bay watch, who has had a fall. Print the huddle card.",
            "context_notes": "28-bed elderly care ward, most falls at night and at handover.",
            "contact_details": "Ward 7 sister, extension 4107",
        },
    )
    if huddle is not None:
        for name in ("Ward 10 Elderly Care", "Ward 20 Rehabilitation", "Falls Clinic"):
            if name in units:
                services.target_add(by=qi, candidate=huddle, unit=units[name])
        ward10 = _take_up(
            huddle, units.get("Ward 10 Elderly Care"), people.get(HCA, qi), ["testing", "adopted"]
        )
        if ward10 is not None and ward10.project_id is not None:
            _local_data(ward10, people.get(HCA, qi), today)
        _take_up(huddle, units.get("Ward 20 Rehabilitation"), qi, ["testing"])
        _take_up(
            huddle,
            units.get("Ward 8 Stroke"),
            qi,
            ["declined"],
            note="Piloting the stroke handover tool this quarter; revisit in spring.",
        )

    surgery = projects.get(SURGERY_PROJECT)
    eating = Measure.objects.filter(project=surgery, name=EATING_MEASURE).first()
    if surgery is not None and eating is not None:
        card = _tested_change(
            project=surgery, by=qi, title="Eat-and-drink card after theatre", measure=eating,
            story=EATING_STORY,
        )  # fmt: skip
        card_candidate = _approve(
            _candidate(card),
            qi,
            {
                "how_to": "Print the card with the theatre list; the recovery nurse puts it "
                "on the bedside table; the ward offers a drink within two hours.",
                "context_notes": "Works for day-case and short-stay surgical patients.",
            },
        )
        if card_candidate is not None:
            for name in ("Ward 14 Orthopaedics", "Main Theatres"):
                if name in units:
                    services.target_add(by=qi, candidate=card_candidate, unit=units[name])
            _take_up(card_candidate, units.get("Ward 14 Orthopaedics"), qi, ["planned"])

    falls_project = projects.get(FALLS_PROJECT)
    risk = Measure.objects.filter(project=falls_project, name=RISK_MEASURE).first()
    if falls_project is not None and risk is not None and NURSE in people:
        # Suggested by the adopt decision; it waits for the QI team's review.
        _tested_change(
            project=falls_project, by=people[NURSE],
            title="Falls prompt in the admission booklet", measure=risk, story=BOOKLET_STORY,
        )  # fmt: skip

    rounding = _rounding_measure(organisation, units.get(AMU), people, today)
    if rounding is not None:
        idea = _tested_change(
            project=rounding.project, by=qi,
            title="Intentional rounding with a call-bell check", measure=rounding,
            story=ROUNDING_STORY,
        )  # fmt: skip
        _approve(
            _candidate(idea),
            qi,
            {
                "how_to": "Round every hour by day and every two hours at night on patients "
                "at risk: toilet, position, pain, possessions and call bell in reach. Tick "
                "the bedside sheet at each round.",
                "resources": "The rounding sheet (one per bed a day); ten minutes at the "
                "safety brief to agree who rounds during breaks.",
                "tips": "Start with one bay; let patients know when the next round is.",
                "context_notes": "32-bed acute medical unit with a high turnover.",
            },
        )

    sskin = _nominate(
        ideas.get(("SSKIN bundle for pressure ulcer prevention", "SSKIN board at each bay")),
        people.get(HCA),
        "The board keeps SSKIN checks visible at every bay.",
    )
    if sskin is not None and sskin.status in (Status.PROPOSED, Status.UNDER_REVIEW):
        services.candidate_decline(
            by=qi,
            candidate=sskin,
            reason="Two years of data show no change in pressure ulcers, and the SSKIN bundle "
            "is already trust policy. Tell us if you find what moves the chart.",
        )

    _nominate(
        ideas.get(("Sepsis: antibiotics within the hour", "Sepsis screening tool at triage")),
        people.get(COACH),
        "Triage nurses say the tool makes red flags easy to spot; the data do not show it yet.",
    )
