"""The five domains of a system for improvement and the key tests a board asks of itself,
in our own words (numbered as the framework numbers them), and the five-step scale an
organisation rates itself on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    key: str
    name: str
    summary: str


@dataclass(frozen=True)
class KeyTest:
    code: str
    domain: str
    question: str


@dataclass(frozen=True)
class Step:
    rating: int
    name: str
    description: str


DOMAINS = (
    Domain("vision", "Vision", "A quality strategy everyone understands and owns."),
    Domain(
        "leadership",
        "Leadership and culture",
        "Quality at the heart of the board's work, and a culture where staff feel able to improve.",
    ),
    Domain(
        "capability",
        "Capability",
        "The skills to improve, where they are needed, used with one method.",
    ),
    Domain(
        "operating",
        "Operating system",
        "Improvement aimed at what matters most, coached and part of daily work.",
    ),
    Domain(
        "support",
        "Aligning support services",
        "HR, finance, information and IT, and estates working for the improvement effort.",
    ),
)

KEY_TESTS = (
    KeyTest(
        "V1",
        "vision",
        "Is there a clear vision for quality that everyone understands and feels is theirs?",
    ),
    KeyTest(
        "V2",
        "vision",
        "Does the strategy set a few bold aims for the whole "
        "organisation, with a plan to measure them and report on them?",
    ),
    KeyTest("V3", "vision", "Did the way the strategy was made bring everyone in?"),
    KeyTest("V4", "vision", "Have we adopted one improvement method, and do we stick to it?"),
    KeyTest(
        "V5",
        "vision",
        "Have we committed to investing in improvement skills across the organisation?",
    ),
    KeyTest(
        "L1",
        "leadership",
        "Does quality get as much of the board's agenda, time and "
        "attention as money and operational performance?",
    ),
    KeyTest(
        "L2",
        "leadership",
        "How does the board know about the improvement work, take "
        "part in it, and hear first-hand about quality?",
    ),
    KeyTest(
        "L3",
        "leadership",
        "If we asked ten members of staff whether they feel "
        "empowered and valued, and whether leaders are compassionate and inclusive, "
        "what would they say?",
    ),
    KeyTest(
        "L4",
        "leadership",
        "What do the hard data say (the staff survey, culture "
        "surveys, HR measures), and how do we check them against what we see?",
    ),
    KeyTest(
        "C1",
        "capability",
        "Can we find the staff who already have improvement skills, "
        "connect them, and help them use those skills where it matters?",
    ),
    KeyTest("C2", "capability", "Is our improvement method used reliably across the organisation?"),
    KeyTest(
        "C3",
        "capability",
        "Have we worked out what improvement training we need, with "
        "a dosing formula and a skills escalator behind the plan?",
    ),
    KeyTest(
        "C4",
        "capability",
        "How do we spot improvement efforts, learn from them and "
        "celebrate what works, so staff are engaged and supported?",
    ),
    KeyTest(
        "C5",
        "capability",
        "Are people who use our services on improvement teams as "
        "members, and how could their part grow?",
    ),
    KeyTest("O1", "operating", "Is the improvement work aimed at our most important priorities?"),
    KeyTest(
        "O2",
        "operating",
        "Were all staff part of setting those priorities, and are "
        "the bold aims widely known and understood?",
    ),
    KeyTest(
        "O3", "operating", "Are the improvement programmes and our expertise focused on those aims?"
    ),
    KeyTest(
        "O4",
        "operating",
        "Do leaders coach and support staff to improve their daily work, and improve their own?",
    ),
    KeyTest(
        "S1",
        "support",
        "Have we thought about how HR, finance, information and IT, "
        "and estates could be aligned with the improvement effort?",
    ),
    KeyTest(
        "S2",
        "support",
        "What harm, meant or not, do our ways of managing people, "
        "money, data and buildings do to improvement, and how could they change?",
    ),
    KeyTest(
        "S3",
        "support",
        "Have leaders and staff in HR, finance, information and IT, "
        "and estates been trained in the method and had the chance to use it?",
    ),
)

SCALE = (
    Step(1, "Not started", "Nothing is in place yet, or it has only been talked about."),
    Step(2, "Emerging", "First steps taken in a few places; not yet planned or consistent."),
    Step(
        3,
        "Developing",
        "In place in parts of the organisation, with the gaps known and a plan to close them.",
    ),
    Step(
        4,
        "Established",
        "In place across the organisation and used routinely; the evidence shows it working.",
    ),
    Step(
        5,
        "Embedded",
        "How we work everywhere: sustained, reviewed and still improving; others learn from us.",
    ),
)

BY_CODE = {test.code: test for test in KEY_TESTS}
DOMAIN_BY_KEY = {domain.key: domain for domain in DOMAINS}
STEP_BY_RATING = {step.rating: step for step in SCALE}
CODE_CHOICES = [(test.code, test.code) for test in KEY_TESTS]
RATING_CHOICES = [(step.rating, f"{step.rating}: {step.name}") for step in SCALE]


def tests_in(domain: str) -> list[KeyTest]:
    """The key tests of one domain, in order."""
    return [test for test in KEY_TESTS if test.domain == domain]


def year_label(year: int) -> str:
    """A financial year as the NHS writes it: 2026 is "2026/27" (April to March)."""
    return f"{year}/{(year + 1) % 100:02d}"
