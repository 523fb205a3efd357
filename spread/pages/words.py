"""The evidence behind a change, in the words the QI team and the wards read it in.

A candidate's ``evidence`` is the citation ``spread.selectors.change_evidence`` stored: the
measure, the SPC rules that fired, when the signal and the change started, and what each
measure checked showed. These words never claim more than it does: proof is special-cause
improvement since the change started; anything less is early promise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from spread.models import SpreadCandidate
from spread.selectors.evidence import RULE_WORDS


def _date(value: str | None, style: str = "%-d %B %Y") -> str | None:
    return date.fromisoformat(value).strftime(style) if value else None


def _rules(rules: list[str]) -> str:
    named = [RULE_WORDS.get(rule, rule.replace("_", " ")) for rule in rules]
    if len(named) > 1:
        return f"{', '.join(named[:-1])} and {named[-1]}"
    return named[0] if named else "a pattern"


def evidence_words(candidate: SpreadCandidate) -> dict[str, Any]:
    """The verdict (``proven``), a tag, one line for a list (``line`` beside the tag,
    ``sentence`` on its own), and why, for ``candidate``."""
    evidence = candidate.evidence or {}
    proven = candidate.evidence_strength == SpreadCandidate.EvidenceStrength.PROVEN
    measure = (evidence.get("measure") or {}).get("name") or "a linked measure"
    started = _date(evidence.get("change_started"))
    signal = _date(evidence.get("signal_started"), "%B %Y")
    rules = _rules(evidence.get("rules") or [])
    if proven:
        line = f"{rules} in {measure}" + (f" from {signal}" if signal else "")
        why = (
            f"Since the change started{f' on {started}' if started else ''}, {measure} shows "
            f"special-cause improvement: {rules}{f', from {signal}' if signal else ''}. By the "
            "SPC rules a pattern like this is very unlikely to be chance, so it counts as "
            "proof that the change worked there."
        )
    else:
        line = "no special-cause improvement yet"
        why = (
            f"Since the change started{f' on {started}' if started else ''}, none of its "
            "measures shows special-cause improvement. It may well be working, but the data "
            "cannot tell yet: it is early promise, not proof. Only proof can be approved for "
            "spread; check the evidence again when more data are in."
        )
    latest = evidence.get("latest_check")
    return {
        "proven": proven,
        "tag": ("Proof", "blue") if proven else ("Early promise", "yellow"),
        "line": line[:1].upper() + line[1:],
        "sentence": f"{'Proof' if proven else 'Early promise'}: {line}",
        "why": why,
        "change_started": started,
        "checked": evidence.get("measures_checked") or [],
        "latest_check": (latest or {}).get("summary") if latest else None,
    }


def reasons_in_words(reasons: list[str]) -> str:
    """An opportunity's reasons as one sentence, its first letter capitalised (and nothing
    else lowered: "QI team" stays)."""
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:]
