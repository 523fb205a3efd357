"""The method's rules for moving a PDSA cycle from one stage to the next.

Saving never needs a complete worksheet (any stage can be a draft); moving on does:

- Plan -> Do: an objective, and at least one question, each with a prediction
  (a test without a prediction cannot teach anything).
- Do -> Study: what happened (observations).
- Study -> Act: for each question, the result against its prediction; what was learned.
- Act -> Done: the decision (adopt, adapt or abandon); for adapt, the next steps
  (what the next cycle will change).

Each refusal names the field at fault, in the one error shape's dotted paths
(``questions[1].prediction``), with a message written for the person holding the phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pdsa.models import Cycle, CycleQuestion

Stage = Cycle.Stage

NEXT_STAGE: dict[str, str] = {
    Stage.PLAN: Stage.DO,
    Stage.DO: Stage.STUDY,
    Stage.STUDY: Stage.ACT,
    Stage.ACT: Stage.DONE,
}

# The decision belongs to Act; it may be drafted once the team is studying the results.
DECISION_STAGES = frozenset({Stage.STUDY, Stage.ACT})


@dataclass(frozen=True)
class Missing:
    """One thing the worksheet needs before the cycle can move on."""

    field: str
    message: str


def _blank(text: str) -> bool:
    return not (text or "").strip()


def _plan_missing(cycle: Cycle, questions: Sequence[CycleQuestion]) -> list[Missing]:
    missing = []
    if _blank(cycle.objective):
        missing.append(
            Missing(
                "objective", "Write the objective (what this cycle will test) before moving to Do."
            )
        )
    if not questions:
        missing.append(
            Missing("questions", "Add a question this cycle will answer before moving to Do.")
        )
    missing.extend(
        Missing(
            f"questions[{index}].prediction",
            f"Write what you predict for question {index + 1} before moving to Do.",
        )
        for index, question in enumerate(questions)
        if _blank(question.prediction)
    )
    return missing


def _do_missing(cycle: Cycle, questions: Sequence[CycleQuestion]) -> list[Missing]:
    if _blank(cycle.observations):
        return [
            Missing("observations", "Write what happened (observations) before moving to Study.")
        ]
    return []


def _study_missing(cycle: Cycle, questions: Sequence[CycleQuestion]) -> list[Missing]:
    missing = [
        Missing(
            f"questions[{index}].result",
            f"Write the result for question {index + 1}, against its prediction, "
            "before moving to Act.",
        )
        for index, question in enumerate(questions)
        if _blank(question.result)
    ]
    if _blank(cycle.learning):
        missing.append(Missing("learning", "Write what you learned before moving to Act."))
    return missing


def _act_missing(cycle: Cycle, questions: Sequence[CycleQuestion]) -> list[Missing]:
    if not cycle.decision:
        return [Missing("decision", "Choose whether to adopt, adapt or abandon before finishing.")]
    if cycle.decision == Cycle.Decision.ADAPT and _blank(cycle.next_steps):
        return [
            Missing(
                "next_steps",
                "Write what the next cycle will change (next steps) before finishing an "
                "adapted cycle.",
            )
        ]
    return []


_CHECKS = {
    Stage.PLAN: _plan_missing,
    Stage.DO: _do_missing,
    Stage.STUDY: _study_missing,
    Stage.ACT: _act_missing,
}


def missing_before_next_stage(
    cycle: Cycle, questions: Sequence[CycleQuestion] | None = None
) -> list[Missing]:
    """What the worksheet still needs before ``cycle`` may leave its stage (empty: ready).

    ``questions`` defaults to the cycle's questions in order (prefetched ones are used).
    """
    check = _CHECKS.get(cycle.stage)
    if check is None:
        return []
    if questions is None:
        questions = list(cycle.questions.all())
    return check(cycle, questions)
