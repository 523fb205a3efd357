"""The SPC engine over HTTP: the same contract as the Python function and the command line."""

import json
import subprocess
import sys

from projects.spc import analyse

DOCUMENT = {
    "chart": "xmr",
    "points": [
        {"x": f"2024-{m:02d}-01", "y": y}
        for m, y in enumerate([5, 6, 5, 7, 6, 5, 9, 9, 9, 9, 9, 9, 9, 9], start=1)
    ],
    "options": {"improvement_direction": "increase", "target": 4},
}


def test_analyse_over_http_equals_the_function_and_the_command_line(api, member):
    response = api(member()).post("/api/v1/spc/analyse/", DOCUMENT, format="json")

    cli = subprocess.run(
        [sys.executable, "-m", "projects.spc"],
        input=json.dumps(DOCUMENT),
        capture_output=True,
        text=True,
        check=True,
    )
    assert response.status_code == 200
    assert response.json() == analyse(DOCUMENT) == json.loads(cli.stdout)


def test_a_batch_gives_a_list_of_results(api, member):
    response = api(member()).post("/api/v1/spc/analyse/", [DOCUMENT, DOCUMENT], format="json")

    assert response.status_code == 200
    assert len(response.json()) == 2


def test_bad_input_is_a_400_naming_the_field(api, member):
    bad = {**DOCUMENT, "points": [*DOCUMENT["points"][:3], {"x": "2024-04-01", "y": "lots"}]}

    response = api(member()).post("/api/v1/spc/analyse/", bad, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "points[3].y"


def test_bad_input_in_a_batch_names_the_document(api, member):
    response = api(member()).post(
        "/api/v1/spc/analyse/", [DOCUMENT, {**DOCUMENT, "chart": "pie"}], format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "[1].chart"


def test_analyse_needs_a_signed_in_user(api, db):
    assert api().post("/api/v1/spc/analyse/", DOCUMENT, format="json").status_code == 401
