"""`python -m projects.spc`, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from projects.spc import analyse

REPO = Path(__file__).resolve().parents[2]


def run_cli(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "projects.spc", *args],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def document(count: int = 15, **options: Any) -> dict[str, Any]:
    points = [{"x": f"2024-{i + 1:02d}-01", "y": float((i * 7) % 5)} for i in range(count)]
    return {"chart": "xmr", "points": points, "options": options}


def test_one_document_in_one_result_out() -> None:
    doc = document(improvement_direction="increase", target=1.0)
    completed = run_cli(json.dumps(doc).encode())
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == analyse(doc)


def test_an_array_in_an_array_out_in_order() -> None:
    docs = [document(14), {"chart": "c", "points": [{"x": "a", "y": 2}, {"x": "b", "y": 3}]}]
    docs.append(document(20, rebase_at=["2024-10-01"]))
    completed = run_cli(json.dumps(docs).encode())
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == [analyse(d) for d in docs]


def test_pretty_output_is_the_same_json() -> None:
    doc = document()
    completed = run_cli(json.dumps(doc).encode(), "--pretty")
    assert completed.returncode == 0
    assert b"\n  " in completed.stdout
    assert json.loads(completed.stdout) == analyse(doc)


def test_bad_document_exits_2_with_the_field_on_stderr() -> None:
    doc = document()
    doc["points"][3]["y"] = "twelve"
    completed = run_cli(json.dumps(doc).encode())
    assert completed.returncode == 2
    assert completed.stdout == b""
    error = json.loads(completed.stderr)["error"]
    assert error == {"field": "points[3].y", "message": "must be a number, got str"}


def test_bad_document_in_an_array_names_its_index() -> None:
    bad = document(options=None)
    bad["options"] = {"rebase_at": ["1999-01-01"]}
    completed = run_cli(json.dumps([document(), bad]).encode())
    assert completed.returncode == 2
    error = json.loads(completed.stderr)["error"]
    assert error["index"] == 1
    assert error["field"] == "options.rebase_at[0]"


def test_invalid_json_and_nan_exit_2_without_a_traceback() -> None:
    for stdin in (b"{not json", b"", b'{"chart": "xmr", "points": [{"x": "a", "y": NaN}]}'):
        completed = run_cli(stdin)
        assert completed.returncode == 2
        assert b"Traceback" not in completed.stderr
        assert "error" in json.loads(completed.stderr)


def test_x_labels_are_echoed_exactly_even_when_they_need_escaping() -> None:
    labels = ['Q1 "pilot"', "back\\slash", "é-month", "tab\there"]
    doc = {"chart": "run", "points": [{"x": x, "y": float(i)} for i, x in enumerate(labels)]}
    completed = run_cli(json.dumps(doc).encode())
    assert completed.returncode == 0, completed.stderr
    assert [p["x"] for p in json.loads(completed.stdout)["points"]] == labels
