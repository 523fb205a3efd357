"""The pages for starting and shaping a project, without a browser: who may use them,
errors beside their fields, retries that save once, and query counts that do not grow."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from PIL import Image

from backend.models import Membership
from pdsa.models import Cycle, CycleTask
from projects.models import (
    ChangeIdea,
    DataPoint,
    Driver,
    Measure,
    Project,
    ProjectFile,
    ProjectMember,
    Rebase,
)
from tests.backend.test_uploads import MINIMAL_PDF, photo_with_location
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    DataPointFactory,
    DriverFactory,
    MeasureDefinitionFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StrategicAimFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def nurse(member):
    return member(Role.FRONTLINE, full_name="Priya Shah", email="priya.shah@example.org")


@pytest.fixture
def project(nurse, organisation, ward):
    project = ProjectFactory(
        organisation=organisation, unit=ward, title="Fewer falls", status=Project.Status.ACTIVE
    )
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.LEAD)
    return project


@pytest.fixture
def outsider(member, other_organisation):
    return member(Role.QI_TEAM, org=other_organisation)


REGISTRATION = {
    "title": "Fewer falls at night",
    "problem": "Patients fall at night going to the toilet.",
    "aim_what": "reduce falls at night",
    "aim_how_much": "by half",
    "aim_baseline": "8",
    "aim_target": "4",
}


def _registration(ward, **extra):
    return {
        **REGISTRATION,
        "unit": ward.pk,
        "aim_by_when": (date.today() + timedelta(days=365)).isoformat(),
        **extra,
    }


# --- registering ------------------------------------------------------------------------


def test_without_javascript_registration_confirms_with_what_was_tried_then_registers(
    nurse, ward, organisation
):
    earlier = ProjectFactory(organisation=organisation, unit=ward, title="Falls at night")
    ChangeIdeaFactory(project=earlier, title="Night toilet rounds", status="abandoned")
    aim = StrategicAimFactory(organisation=organisation, title="Zero avoidable harm")
    client = _client(nurse)

    confirm = client.post("/projects/new/", _registration(ward, aims=[aim.pk]))

    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Check your project" in page
    assert "We will reduce falls at night by half, from 8 to 4, by" in page
    assert f'href="/projects/{earlier.pk}/"' in page  # a similar project, to open
    assert "Night toilet rounds" in page and "Abandoned" in page
    assert not Project.objects.filter(title="Fewer falls at night").exists()

    done = client.post(
        "/projects/new/", _registration(ward, aims=[aim.pk], seen="True"), HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = client.post(
        "/projects/new/", _registration(ward, aims=[aim.pk], seen="True"), HTTP_IDEMPOTENCY_KEY="k1"
    )

    project = Project.objects.get(title="Fewer falls at night")
    assert done.status_code == again.status_code == 302
    assert done["Location"] == again["Location"] == f"/projects/{project.pk}/"
    assert list(project.aims.all()) == [aim]
    assert project.members.get().user == nurse


def test_the_preview_beside_the_form_says_the_aim_and_what_was_tried(nurse, ward, organisation):
    ProjectFactory(organisation=organisation, unit=ward, title="Falls at night on Ward 9")

    answer = _client(nurse).get(
        "/projects/new/preview/", {"title": "Falls at night", "unit": ward.pk, "aim_what": ""}
    )

    assert answer.status_code == 200
    assert "Falls at night on Ward 9" in answer.content.decode()
    assert "<html" not in answer.content.decode()


def test_bad_registration_is_a_400_with_each_error_beside_its_field(nurse, ward, organisation):
    elsewhere = UnitFactory(organisation=organisation, name="Ward 12")
    not_reaching = StrategicAimFactory(
        organisation=organisation, title="Ward 12 aim", unit=elsewhere
    )

    answer = _client(nurse).post(
        "/projects/new/",
        {
            **_registration(ward, aim_by_when="2001-01-01", aims=[not_reaching.pk]),
            "title": "",
            "aim_target": "four",
        },
    )

    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert errors["title"] == ["Enter a name for the project"]
    assert errors["aim_target"] == ["Enter the target as a number, such as 4"]
    assert "future" in errors["aim_by_when"][0]
    assert "aims" in errors  # an aim that does not reach the ward is not offered
    assert 'value="reduce falls at night"' in answer.content.decode()  # nothing typed is lost


def test_a_leader_is_told_who_registers_projects(member):
    answer = _client(member(Role.LEADER)).get("/projects/new/")

    assert answer.status_code == 403
    assert "ask a member of the team, a coach or the QI team" in answer.content.decode()


# --- approval ---------------------------------------------------------------------------


@pytest.fixture
def waiting(nurse, ward, organisation):
    project = ProjectFactory(
        organisation=organisation,
        unit=ward,
        title="Waiting project",
        status=Project.Status.PROPOSED,
        approval=Project.Approval.PENDING,
    )
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.LEAD)
    return project


def test_approval_page_is_for_coaches_and_the_qi_team_only(nurse, waiting, outsider, member):
    assert _client(nurse).get(f"/projects/{waiting.pk}/approval/").status_code == 403
    assert _client(outsider).get(f"/projects/{waiting.pk}/approval/").status_code == 404
    coach = _client(member(Role.COACH))
    assert coach.get(f"/projects/{waiting.pk}/approval/").status_code == 200

    refused = coach.post(f"/projects/{waiting.pk}/approval/", {"decision": "return", "note": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors["note"] == [
        "Say what the team should change before it comes back to you."
    ]

    returned = coach.post(
        f"/projects/{waiting.pk}/approval/", {"decision": "return", "note": "Add a measure"}
    )
    assert returned.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.approval, waiting.approval_note) == ("returned", "Add a measure")
    page = _client(nurse).get(f"/projects/{waiting.pk}/").content.decode()
    assert "Returned to the team" in page and "Add a measure" in page

    assert _client(nurse).post(f"/projects/{waiting.pk}/resubmit/").status_code == 302
    waiting.refresh_from_db()
    assert waiting.approval == "pending"


# --- team -------------------------------------------------------------------------------


def test_people_are_added_by_email_or_by_choosing_among_names(nurse, project, member, outsider):
    member(Role.FRONTLINE, full_name="Sam Jones", email="sam.jones@example.org")
    member(Role.FRONTLINE, full_name="Sam Okafor", email="sam.okafor@example.org")
    client = _client(nurse)

    by_email = client.post(
        f"/projects/{project.pk}/team/", {"person": "SAM.JONES@example.org", "role": "member"}
    )
    assert by_email.status_code == 302

    ambiguous = client.post(f"/projects/{project.pk}/team/", {"person": "Sam", "role": "coach"})
    assert ambiguous.status_code == 400
    choices = ambiguous.context["form"].fields["chosen"].widget.choices
    assert [label for _, label in choices] == [
        "Sam Jones (sam.jones@example.org)",
        "Sam Okafor (sam.okafor@example.org)",
    ]
    okafor = choices[1][0]
    chosen = client.post(
        f"/projects/{project.pk}/team/", {"person": "Sam", "role": "coach", "chosen": okafor}
    )
    assert chosen.status_code == 302

    nobody = client.post(
        f"/projects/{project.pk}/team/", {"person": outsider.email, "role": "member"}
    )
    assert nobody.status_code == 400
    assert "No one in your organisation matches" in nobody.context["form"].errors["person"][0]
    assert sorted(project.members.values_list("user__full_name", "role")) == [
        ("Priya Shah", "lead"),
        ("Sam Jones", "member"),
        ("Sam Okafor", "coach"),
    ]


def test_the_last_lead_cannot_be_removed_and_the_page_says_why(nurse, project):
    lead = project.members.get()

    answer = _client(nurse).post(f"/projects/{project.pk}/team/{lead.pk}/remove/", follow=True)

    assert "A project needs a lead" in answer.content.decode()
    assert project.members.count() == 1


def test_someone_off_the_team_cannot_change_it(member, project):
    answer = _client(member(Role.FRONTLINE)).post(
        f"/projects/{project.pk}/team/", {"person": "x", "role": "member"}
    )
    assert answer.status_code == 403


# --- driver diagram ---------------------------------------------------------------------


def test_the_diagram_is_built_moved_and_pruned_with_plain_forms(nurse, project):
    client = _client(nurse)
    url = f"/projects/{project.pk}/diagram/"

    def post(**data):
        return client.post(url, data)

    post(form="new-primary", action="add-primary", **{"new-primary-title": "People"})
    post(form="new-primary", action="add-primary", **{"new-primary-title": "Places"})
    people, places = Driver.objects.filter(project=project).order_by("position")
    post(
        form="new-secondary",
        action="add-secondary",
        **{"new-secondary-title": "Handover", "new-secondary-parent": people.pk},
    )
    handover = Driver.objects.get(title="Handover")
    added = post(
        form="new-idea",
        action="add-idea",
        **{"new-idea-title": "Huddle at handover", "new-idea-drivers": [handover.pk]},
    )
    assert added.status_code == 302
    idea = ChangeIdea.objects.get(project=project)
    assert [d.pk for d in idea.drivers.all()] == [handover.pk]

    assert post(item=f"driver-{places.pk}", action="up")["Location"].endswith(
        f"#driver-{places.pk}"
    )
    assert list(
        Driver.objects.filter(project=project, kind="primary")
        .order_by("position")
        .values_list("title", flat=True)
    ) == ["Places", "People"]
    post(
        form=f"driver-{handover.pk}",
        action="save",
        **{
            f"driver-{handover.pk}-title": "Shift handover",
            f"driver-{handover.pk}-parent": places.pk,
        },
    )
    handover.refresh_from_db()
    assert (handover.title, handover.parent) == ("Shift handover", places)

    blank = post(form=f"idea-{idea.pk}", action="save", **{f"idea-{idea.pk}-title": ""})
    assert blank.status_code == 400
    assert blank.context["form"].errors["title"] == ["Enter the words for it"]
    assert '<details class="nhsuk-details ripple-item__change" open>' in blank.content.decode()

    post(item=f"driver-{places.pk}", action="remove")
    assert not Driver.objects.filter(title__in=["Places", "Shift handover"]).exists()
    idea.refresh_from_db()
    assert list(idea.drivers.all()) == []  # kept, unlinked, with its learning


def test_the_diagram_editor_reads_in_a_fixed_number_of_queries(
    nurse, project, django_assert_max_num_queries
):
    client = _client(nurse)

    def grow(count: int) -> None:
        for index in range(count):
            primary = DriverFactory(project=project, title=f"Primary {index}")
            secondary = DriverFactory(
                project=project, kind="secondary", parent=primary, title=f"Secondary {index}"
            )
            idea = ChangeIdeaFactory(project=project, title=f"Idea {index}")
            idea.drivers.add(secondary)

    grow(1)
    with django_assert_max_num_queries(15) as one:
        assert client.get(f"/projects/{project.pk}/diagram/").status_code == 200
    grow(10)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(f"/projects/{project.pk}/diagram/").status_code == 200


# --- measures ---------------------------------------------------------------------------


def test_a_measure_from_the_library_with_the_chart_from_a_plain_question(
    nurse, project, organisation
):
    definition = MeasureDefinitionFactory(
        organisation=organisation,
        name="Falls risk assessment within 24 hours",
        chart_type="p",
        improvement_direction="increase",
        operational_definition="Admissions assessed within 24 hours.",
    )
    client = _client(nurse)

    found = client.get(f"/projects/{project.pk}/measures/new/", {"q": "assessment"})
    assert "Admissions assessed within 24 hours." in found.content.decode()
    form = client.get(f"/projects/{project.pk}/measures/new/", {"definition": definition.pk})
    assert form.context["form"].initial["data_kind"] == "percentage"

    added = client.post(
        f"/projects/{project.pk}/measures/new/",
        {
            "definition": definition.pk,
            "name": definition.name,
            "type": "process",
            "data_kind": "percentage",
            "improvement_direction": "increase",
            "target": "90",
            "frequency": "monthly",
        },
    )

    measure = Measure.objects.get(project=project)
    assert added["Location"] == f"/measures/{measure.pk}/data/"
    assert (measure.definition, measure.chart_type, measure.type, measure.target) == (
        definition,
        "p",
        "process",
        0.9,
    )


@pytest.mark.parametrize(
    ("kind", "chart"),
    [("count", "c"), ("rate", "u"), ("value", "xmr"), ("time_between", "t"),
     ("cases_between", "g"), ("unsure", "run")],
)  # fmt: skip
def test_each_kind_of_data_gets_its_chart(nurse, project, kind, chart):
    _client(nurse).post(
        f"/projects/{project.pk}/measures/new/",
        {
            "name": "A measure",
            "type": "outcome",
            "data_kind": kind,
            "improvement_direction": "decrease",
            "frequency": "weekly",
        },
    )
    assert Measure.objects.get(project=project).chart_type == chart


# --- data -------------------------------------------------------------------------------


@pytest.fixture
def falls(project):
    return MeasureFactory(
        project=project, name="Falls", chart_type="xmr", frequency="monthly", type="outcome"
    )


def test_a_correction_needs_a_reason_and_the_page_shows_it(nurse, falls):
    DataPointFactory(measure=falls, period=date(2025, 1, 1), value=7)
    client = _client(nurse)
    url = f"/measures/{falls.pk}/data/"
    row = {"form": "point", "point-period": "2025-01-01", "point-value": "6"}

    refused = client.post(url, row)
    assert refused.status_code == 400
    assert "say why they are being corrected" in refused.context["point_form"].errors["reason"][0]
    assert DataPoint.objects.get(measure=falls).value == 7

    saved = client.post(url, {**row, "point-reason": "Counted twice"}, follow=True)
    assert DataPoint.objects.get(measure=falls).value == 6
    page = saved.content.decode()
    assert "Counted twice" in page and "value 7.0 → 6.0" in page


def test_a_paste_with_bad_rows_saves_nothing_and_names_every_one(nurse, falls):
    pasted = "month\tvalue\nJan 2025\t7\nFeb 2025\tseven\nMar 2025\t6\n2099-01-01\t5\n"

    answer = _client(nurse).post(
        f"/measures/{falls.pk}/data/", {"form": "paste", "paste-text": pasted}
    )

    assert answer.status_code == 400
    assert answer.context["paste_form"].errors["text"] == [
        "Row 3, value: A valid number is required.",
        "Row 5, period: is in the future; data are recorded for periods that have started.",
    ]
    assert not DataPoint.objects.filter(measure=falls).exists()


def test_a_csv_file_is_uploaded_all_together(nurse, falls):
    csv = b"period,value,note\n2025-01-01,7,\n2025-02-01,6,new rota\n"

    answer = _client(nurse).post(
        f"/measures/{falls.pk}/data/",
        {"form": "paste", "paste-file": io.BytesIO(csv)},
    )

    assert answer.status_code == 302
    assert list(DataPoint.objects.filter(measure=falls).values_list("value", "note")) == [
        (7.0, ""),
        (6.0, "new rota"),
    ]


def test_limits_are_recalculated_from_a_date_with_a_reason(nurse, falls):
    client = _client(nurse)
    url = f"/measures/{falls.pk}/data/"

    refused = client.post(url, {"form": "rebase", "rebase-starts_on": "2025-06-01"})
    assert refused.status_code == 400
    saved = client.post(
        url,
        {"form": "rebase", "rebase-starts_on": "2025-06-01", "rebase-reason": "Huddles began"},
    )

    assert saved.status_code == 302
    rebase = Rebase.objects.get(measure=falls)
    assert (rebase.reason, rebase.decided_by) == ("Huddles began", nurse)


def test_the_data_page_is_scoped_and_reads_in_a_fixed_number_of_queries(
    nurse, falls, outsider, member, django_assert_max_num_queries
):
    assert _client(outsider).get(f"/measures/{falls.pk}/data/").status_code == 404
    reader = _client(member(Role.LEADER))
    assert "Save the value" not in reader.get(f"/measures/{falls.pk}/data/").content.decode()
    assert reader.post(f"/measures/{falls.pk}/data/", {"form": "point"}).status_code == 403

    client = _client(nurse)
    DataPointFactory(measure=falls, period=date(2024, 1, 1), value=5)
    with django_assert_max_num_queries(20) as one:
        client.get(f"/measures/{falls.pk}/data/")
    for month in range(2, 13):
        DataPointFactory(measure=falls, period=date(2024, month, 1), value=month)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(f"/measures/{falls.pk}/data/")


def test_the_data_page_draws_the_chart_and_says_how_many_points_it_has(nurse, falls):
    for month in range(1, 13):
        DataPointFactory(measure=falls, period=date(2024, month, 1), value=month)

    page = _client(nurse).get(f"/measures/{falls.pk}/data/").content.decode()

    assert f"/api/v1/measures/{falls.pk}/chart.svg" in page
    assert f"Chart of {falls.name}, 12 points from Jan 2024 to Dec 2024." in page


# --- files ------------------------------------------------------------------------------


def test_a_photo_is_attached_and_served_only_inside_the_organisation(
    nurse, project, outsider, member
):
    client = _client(nurse)

    added = client.post(
        f"/projects/{project.pk}/files/",
        {"file": _named(photo_with_location(), "board.jpg"), "caption": "Huddle board"},
    )

    assert added.status_code == 302
    attached = ProjectFile.objects.get(project=project)
    url = f"/projects/{project.pk}/files/{attached.pk}/"
    served = _client(member(Role.LEADER)).get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    body = b"".join(served.streaming_content)
    with Image.open(io.BytesIO(body)) as image:
        assert dict(image.getexif()) == {}
    assert _client(member(Role.LEADER)).get(url + "?preview=1").status_code == 200
    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).get(f"/projects/{project.pk}/files/").status_code == 404


def test_an_upload_that_is_not_an_image_or_pdf_is_refused_with_a_clear_message(nurse, project):
    answer = _client(nurse).post(
        f"/projects/{project.pk}/files/", {"file": _named(b"just text", "photo.jpg")}
    )

    assert answer.status_code == 400
    assert answer.context["form"].errors["file"] == [
        "Choose a photo (JPEG, PNG or WebP) or a PDF. Other files cannot be attached."
    ]
    assert not ProjectFile.objects.exists()


def test_a_cycle_takes_a_pdf(nurse, project):
    cycle = CycleFactory(project=project)
    client = _client(nurse)

    added = client.post(f"/cycles/{cycle.pk}/files/", {"file": _named(MINIMAL_PDF, "form.pdf")})

    assert added.status_code == 302
    attached = cycle.files.get()
    served = client.get(f"/cycles/{cycle.pk}/files/{attached.pk}/")
    assert served["Content-Type"] == "application/pdf"
    assert "sandbox" in served["Content-Security-Policy"]


def _named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


# --- cycles -----------------------------------------------------------------------------


def test_the_quick_log_preselects_the_only_project_and_ticks_its_outcome_measures(
    nurse, project, falls
):
    MeasureFactory(project=project, name="Checks done", type="process")

    form = _client(nurse).get("/cycles/new/").context["form"]

    assert form.initial["project"] == project.pk
    assert form.initial["measures"] == [falls.pk]


def test_a_logged_cycle_is_linked_to_the_measures_chosen(nurse, project, falls, organisation):
    elsewhere = MeasureFactory(
        project=ProjectFactory(organisation=organisation, unit=project.unit), name="Theirs"
    )
    client = _client(nurse)

    refused = client.post(
        "/cycles/new/", {"project": project.pk, "title": "Huddle", "measures": [elsewhere.pk]}
    )
    assert refused.status_code == 400
    assert "measures" in refused.context["form"].errors

    client.post(
        "/cycles/new/",
        {
            "project": project.pk,
            "title": "Huddle",
            "measures": [falls.pk],
            "planned_start": "2025-03-01",
        },
    )
    cycle = Cycle.objects.get(project=project)
    assert (list(cycle.measures.all()), cycle.planned_start) == ([falls], date(2025, 3, 1))


def test_log_the_next_cycle_prefills_it_as_the_next_of_the_ramp(nurse, project, falls):
    idea = ChangeIdeaFactory(project=project, title="Huddle")
    first = CycleFactory(
        project=project,
        change_idea=idea,
        title="Huddle at handover",
        stage="done",
        decision="adapt",
        next_steps="Shorter huddle",
        data_collection_plan="Tally falls",
    )
    first.measures.add(falls)
    client = _client(nurse)

    form = client.get(f"/cycles/new/?after={first.pk}").context["form"]
    assert (form.initial["project"], form.initial["change_idea"], form.initial["measures"]) == (
        project.pk,
        idea.pk,
        [falls.pk],
    )
    assert "Shorter huddle" in form.initial["objective"]

    client.post(
        "/cycles/new/",
        {
            "after": first.pk,
            "project": project.pk,
            "change_idea": idea.pk,
            "title": form.initial["title"],
            "objective": form.initial["objective"],
            "measures": [falls.pk],
        },
    )
    second = Cycle.objects.exclude(pk=first.pk).get(project=project)
    assert (second.parent, second.change_idea, second.data_collection_plan) == (
        first,
        idea,
        "Tally falls",
    )
    assert list(second.measures.all()) == [falls]


def test_the_cycle_page_keeps_tasks_and_planned_dates(nurse, project):
    cycle = CycleFactory(project=project, objective="Test the huddle")
    client = _client(nurse)

    client.post(
        f"/cycles/{cycle.pk}/tasks/",
        {"what_new": "Print the checklist", "who_new": "Priya", "when_new": "2025-03-03"},
    )
    task = CycleTask.objects.get(cycle=cycle)
    client.post(
        f"/cycles/{cycle.pk}/tasks/",
        {"what_0": task.what, "who_0": task.who, "when_0": "2025-03-03", "done_0": "on"},
    )
    task.refresh_from_db()
    assert (task.what, task.who, task.when, task.done) == (
        "Print the checklist",
        "Priya",
        date(2025, 3, 3),
        True,
    )

    client.post(
        f"/cycles/{cycle.pk}/",
        {
            "stage": "plan",
            "action": "save",
            "objective": "Test the huddle",
            "planned_start": "2025-03-03",
            "planned_end": "2025-03-01",
        },
    )
    cycle.refresh_from_db()
    assert cycle.planned_end is None  # refused: the end before the start

    client.post(
        f"/cycles/{cycle.pk}/",
        {
            "stage": "plan",
            "action": "save",
            "objective": "Test the huddle",
            "planned_start": "2025-03-03",
            "planned_end": "2025-03-31",
            "data_collection_plan": "Tally falls each night",
        },
    )
    cycle.refresh_from_db()
    assert (cycle.planned_start, cycle.planned_end, cycle.data_collection_plan) == (
        date(2025, 3, 3),
        date(2025, 3, 31),
        "Tally falls each night",
    )


def test_the_project_page_reads_in_a_fixed_number_of_queries(
    nurse, project, django_assert_max_num_queries
):
    client = _client(nurse)

    def grow(count: int) -> None:
        for index in range(count):
            measure = MeasureFactory(project=project, name=f"Measure {index}")
            DataPointFactory(measure=measure, period=date(2025, 1, 1), value=1)
            DataPointFactory(measure=measure, period=date(2025, 2, 1), value=2)
            cycle = CycleFactory(project=project, planned_start=date(2025, 1, 5))
            cycle.measures.add(measure)
            Rebase.objects.create(measure=measure, starts_on=date(2025, 2, 1), reason="x")
            ProjectMemberFactory(project=project)
            DriverFactory(project=project)
            ChangeIdeaFactory(project=project)

    grow(1)
    client.get(f"/projects/{project.pk}/")  # warm the SPC cache
    with django_assert_max_num_queries(30) as one:
        assert client.get(f"/projects/{project.pk}/").status_code == 200
    # Read now: the next request empties the connection's query log.
    with_one = len(one.captured_queries)
    grow(8)
    client.get(f"/projects/{project.pk}/")
    with django_assert_max_num_queries(with_one):
        assert client.get(f"/projects/{project.pk}/").status_code == 200


def test_the_aims_follow_the_ward_chosen(nurse, ward, organisation):
    ward12 = UnitFactory(organisation=organisation, name="Ward 12")
    mine = StrategicAimFactory(organisation=organisation, title="Ward 7 aim", unit=ward)
    theirs = StrategicAimFactory(organisation=organisation, title="Ward 12 aim", unit=ward12)
    client = _client(nurse)

    offered = client.get("/projects/new/").context["form"].fields["aims"].choices
    other = client.get("/projects/new/", {"unit": ward12.pk}).context["form"]

    assert [pk for pk, _ in offered] == [mine.pk]
    assert [pk for pk, _ in other.fields["aims"].choices] == [theirs.pk]


def test_the_team_and_library_pages_read_in_a_fixed_number_of_queries(
    nurse, project, organisation, django_assert_max_num_queries
):
    client = _client(nurse)
    ProjectMemberFactory(project=project)
    MeasureDefinitionFactory(organisation=organisation, name="Falls 0")
    with django_assert_max_num_queries(15) as team:
        client.get(f"/projects/{project.pk}/team/")
    with_one_member = len(team.captured_queries)
    with django_assert_max_num_queries(15) as library:
        client.get(f"/projects/{project.pk}/measures/new/", {"q": "falls"})
    with_one_definition = len(library.captured_queries)
    for index in range(1, 10):
        ProjectMemberFactory(project=project)
        MeasureDefinitionFactory(organisation=organisation, name=f"Falls {index}")

    with django_assert_max_num_queries(with_one_member):
        client.get(f"/projects/{project.pk}/team/")
    with django_assert_max_num_queries(with_one_definition):
        client.get(f"/projects/{project.pk}/measures/new/", {"q": "falls"})
