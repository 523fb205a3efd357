"""Comments on a project and on a cycle: who may write and delete, the NHS-number guard,
an idempotent API create, and the team told (in-app, and by e-mail as each prefers)."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.errors import ApplicationError
from backend.models import Membership
from notifications.models import Kind, Notification
from pdsa.services import cycle_comment_create
from projects.models import ProjectComment, ProjectMember
from projects.services import project_comment_create, project_comment_delete
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    OrganisationFactory,
    PreferenceFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
VALID_NHS_NUMBER = "943 476 5919"


@pytest.fixture
def team(organisation, ward, member):
    project = ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle")
    people = {}
    for role, org_role in (("lead", "frontline"), ("coach", "coach"), ("member", "frontline")):
        people[role] = member(org_role)
        ProjectMemberFactory(project=project, user=people[role], role=role)
    return project, people


def test_a_coachs_comment_tells_the_rest_of_the_team_once_each(
    team, django_capture_on_commit_callbacks
):
    project, people = team
    PreferenceFactory(user=people["member"], email=False)
    with django_capture_on_commit_callbacks():
        comment = project_comment_create(project=project, by=people["coach"], text="Lovely work")
    told = Notification.objects.filter(kind=Kind.COMMENT)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [people["lead"].pk, people["member"].pk]
    )
    lead_note = told.get(recipient=people["lead"])
    assert lead_note.link == f"/projects/{project.pk}/#comment-{comment.pk}"
    assert lead_note.email_due_at is not None
    assert told.get(recipient=people["member"]).email_due_at is None  # e-mail off


def test_a_comment_on_a_cycle_points_at_the_cycle_page(team):
    project, people = team
    cycle = CycleFactory(project=project, number=3, title="Night huddle")
    comment = cycle_comment_create(cycle=cycle, by=people["coach"], text="Ask the night team")
    note = Notification.objects.get(kind=Kind.COMMENT, recipient=people["lead"])
    assert note.link == f"/cycles/{cycle.pk}/#comment-{comment.pk}"
    assert note.cycle_id == cycle.pk
    assert "cycle 3 'Night huddle'" in note.title


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write your comment"),
        (f"Patient {VALID_NHS_NUMBER} fell", "NHS number"),
        ("x" * 2001, "2,000"),
    ],
)
def test_a_comment_is_refused_beside_its_text(team, text, message):
    project, people = team
    with pytest.raises(ApplicationError, match=message) as refused:
        project_comment_create(project=project, by=people["coach"], text=text)
    assert refused.value.field == "text"
    assert not ProjectComment.objects.exists()


def test_only_the_author_deletes_a_comment(team):
    project, people = team
    comment = project_comment_create(project=project, by=people["coach"], text="Well done")
    with pytest.raises(ApplicationError) as refused:
        project_comment_delete(comment=comment, by=people["lead"])
    assert refused.value.status_code == 403
    project_comment_delete(comment=comment, by=people["coach"])
    assert not ProjectComment.objects.exists()


def test_the_api_create_is_idempotent_and_names_the_field(team, api):
    project, people = team
    client = api(people["coach"])
    url = f"/api/v1/projects/{project.pk}/comments/"
    headers = {"HTTP_IDEMPOTENCY_KEY": "comment-1"}
    first = client.post(url, {"text": "Try it on nights"}, format="json", **headers)
    again = client.post(url, {"text": "Try it on nights"}, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ProjectComment.objects.count() == 1
    assert Notification.objects.filter(kind=Kind.COMMENT).count() == 2
    listed = client.get(url).json()
    assert [(c["text"], c["can_delete"]) for c in listed] == [("Try it on nights", True)]
    bad = client.post(url, {"text": f"NHS {VALID_NHS_NUMBER}"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "text"


def test_cycle_comments_through_the_api_and_deleting_your_own(team, api):
    project, people = team
    cycle = CycleFactory(project=project)
    url = f"/api/v1/cycles/{cycle.pk}/comments/"
    made = api(people["member"]).post(url, {"text": "Done at 2pm"}, format="json").json()
    assert api(people["lead"]).delete(f"{url}{made['id']}/").status_code == 403
    assert api(people["member"]).delete(f"{url}{made['id']}/").status_code == 204


def test_another_organisations_record_is_a_404(team, api):
    project, _ = team
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=OrganisationFactory(), role="coach")
    cycle = CycleFactory(project=project)
    client = api(stranger)
    assert client.get(f"/api/v1/projects/{project.pk}/comments/").status_code == 404
    assert client.post(f"/api/v1/cycles/{cycle.pk}/comments/", {"text": "hi"}).status_code == 404


def test_the_pages_post_a_comment_and_show_it_on_the_cycle_page(team):
    project, people = team
    cycle = CycleFactory(project=project)
    client = Client()
    client.force_login(people["coach"])
    posted = client.post(
        f"/cycles/{cycle.pk}/comments/",
        {"text": "Compare with last month", "next": "//evil.example/"},
    )
    comment = cycle.comments.get()
    assert posted["Location"] == f"/cycles/{cycle.pk}/#comment-{comment.pk}"
    nurse = Client()
    nurse.force_login(people["member"])
    html = nurse.get(f"/cycles/{cycle.pk}/").content.decode()
    assert "Compare with last month" in html
    assert f"/cycles/{cycle.pk}/comments/{comment.pk}/delete/" not in html  # not theirs
    refused = client.post(f"/cycles/{cycle.pk}/comments/", {"text": f"Bed 4, {VALID_NHS_NUMBER}"})
    assert refused.status_code == 400
    assert "NHS number" in refused.content.decode()
    assert cycle.comments.count() == 1


def test_a_team_member_who_left_the_organisation_is_not_told(team, organisation):
    project, people = team
    Membership.objects.filter(user=people["member"], organisation=organisation).delete()
    project_comment_create(project=project, by=people["coach"], text="Well done")
    assert not Notification.objects.filter(recipient=people["member"]).exists()
    assert ProjectMember.objects.filter(user=people["member"]).exists()
