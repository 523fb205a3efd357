"""Read schemathesis's reports from .ci/fuzz-api: print the case counts, the status codes
and every failure; exit 1 on any server error, response outside its schema, undocumented
status, wrong content type or header, or broken access check.

Two kinds of finding are printed but do not fail the run, because a schema cannot rule
them out: a valid-looking request refused by a rule of the domain (a reference to a
record that does not exist, a lifecycle step not allowed from the record's state: 400 in
the error shape), and a query value read leniently (an empty filter means no filter).
"""

from __future__ import annotations

import base64
import json
import sys
from collections import Counter
from pathlib import Path

REPORTED_ONLY = {"ST201", "ST202"}  # negative data accepted, positive data rejected


def _events(path: Path):
    for line in path.read_text().splitlines():
        event = json.loads(line)
        name = next(iter(event))
        yield name, event[name]


def _summarise(folder: Path) -> tuple[int, Counter, list[dict], list[str]]:
    report = json.loads(next(folder.glob("json-*.json")).read_text())
    statuses: Counter = Counter()
    findings: list[dict] = []
    for name, event in _events(next(folder.glob("ndjson-*.ndjson"))):
        if name != "ScenarioFinished":
            continue
        recorder = event.get("recorder") or {}
        interactions = recorder.get("interactions") or {}
        for interaction in interactions.values():
            if interaction.get("response"):
                statuses[interaction["response"]["status_code"]] += 1
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                response = (interactions.get(case_id) or {}).get("response") or {}
                body = base64.b64decode((response.get("content") or {}).get("$base64", ""))
                findings.append(
                    {
                        "code": failure["code"],
                        "operation": failure["operation"],
                        "status": response.get("status_code"),
                        "body": body[:160].decode("utf-8", "replace"),
                    }
                )
    problems = [f"{folder.name}: schemathesis error: {error}" for error in report["errors"]]
    if not report["complete"]:
        problems.append(f"{folder.name}: the run stopped early ({report['stop_reason']})")
    return report["test_cases"]["generated"], statuses, findings, problems


def main(folders: list[str]) -> int:
    total, failing = 0, []
    for folder in map(Path, folders):
        cases, statuses, findings, problems = _summarise(folder)
        total += cases
        print(f"\n{folder.name}: {cases} cases")
        print("  status codes: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
        seen = set()
        for finding in findings:
            key = (finding["code"], finding["operation"], finding["status"])
            if key in seen:
                continue
            seen.add(key)
            tolerated = finding["code"] in REPORTED_ONLY
            mark = "reported" if tolerated else "FAILURE"
            print(f"  {mark} {finding['code']} {finding['operation']} -> {finding['status']}")
            if not tolerated:
                print(f"      {finding['body']}")
                failing.append(finding)
        failing.extend({"code": "run"} for _ in problems)
        for problem in problems:
            print(f"  FAILURE {problem}")
    print(f"\n{total} cases in all; {len(failing)} failing finding(s)")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
