"""The timeline as of today: statements merged into rows, oldest first.

`timeline` knows what day it is (`today`: the clock, or INKOOP_TODAY): a planned step shows
the letter that announced it, a planned date that has passed without a later source says so,
and a later document reporting the step makes it decided (or done) with that source. The same
statement in several letters is one row naming each gemeente and letter.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from datetime import date

from assistant.answer.timeline.statement import DatedStatement
from assistant.prompts import PASSED_NOTE, PLANNED_NOTE, REPORTED_NOTE
from index.tokens import tokenize
from ingest.extract import MONTHS, dutch_date, parse_date

log = logging.getLogger(__name__)

TODAY_ENV = "INKOOP_TODAY"  # an ISO or Dutch date: "today" for tests and demos

# Kinds of step a planned statement and a later report must share to be the same step.
_STEP_KINDS = {
    "vaststellen": re.compile(r"\bvast(?:gesteld|gestelde|stellen|stelt| te stellen)\b", re.I),
    "gunning": re.compile(r"\b(?:gunning|gegund|gunnen|gunt)\b", re.I),
    "ingaan": re.compile(
        r"\b(?:ingaan|ingegaan|in werking|in te laten gaan|gaan\b.*\bin|gingen\b.*\bin)\b", re.I
    ),
    "besluiten": re.compile(r"\b(?:besloten|besluit|ingestemd|instemmen)\b", re.I),
}
_SPECIFIC_KINDS = {"gunning", "ingaan"}  # one such step per dossier: no object words needed
_GENERIC = set(
    tokenize(
        "verwachting verwacht zal zullen worden wordt gaan gaat omstreeks gepland planning "
        "waarna ruime periode nieuwe huidige hebben heeft zijn is op per in door de het"
    )
)
_MONTH_TOKENS = set(tokenize(" ".join(MONTHS)))


def today() -> str:
    """Today as ISO date: INKOOP_TODAY when set (tests, demos), else the clock."""
    value = os.environ.get(TODAY_ENV, "").strip()
    if value:
        parsed = parse_date(value)
        if parsed:
            return parsed.isoformat()
        log.warning("%s=%r is not a date; using the clock", TODAY_ENV, value)
    return date.today().isoformat()


def _same_text(text: str) -> str:
    """A statement as compared across letters: case, quotes, punctuation and spaces ignored."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold().replace("’", "'")))


def _merge(rows: list[DatedStatement]) -> list[DatedStatement]:
    """One row per statement: the same sentence on the same date in several letters."""
    groups: dict[tuple[str, str, str], list[DatedStatement]] = {}
    for s in rows:
        groups.setdefault((s.date, s.status, _same_text(s.statement)), []).append(s)
    merged = []
    for group in groups.values():
        group.sort(key=lambda s: (s.announced or "9999", s.gemeente, s.source))
        first = group[0]
        gemeenten = list(dict.fromkeys(s.gemeente for s in group if s.gemeente))
        merged.append(
            replace(first, gemeente=", ".join(gemeenten), sources=tuple(s.ref() for s in group))
        )
    return merged


def _content(text: str) -> set[str]:
    return {
        t
        for t in tokenize(text)
        if t not in _GENERIC and t not in _MONTH_TOKENS and not t[0].isdigit()
    }


def _kinds(text: str) -> set[str]:
    return {name for name, pattern in _STEP_KINDS.items() if pattern.search(text)}


def reports(planned: DatedStatement, later: DatedStatement) -> bool:
    """True when `later` (from a later document) reports the step `planned` announced."""
    if later.status != "besloten" or later.source in {r.source for r in planned.sources}:
        return False
    if not later.announced or later.announced <= (planned.announced or ""):
        return False
    shared = _kinds(planned.statement) & _kinds(later.statement)
    if not shared:
        return False
    same_dossier = bool(planned.dossier) and planned.dossier == later.dossier
    if shared & _SPECIFIC_KINDS and (same_dossier or not later.dossier):
        return True
    wanted = _content(planned.statement) - set(tokenize(planned.gemeente))
    if not wanted:
        return False
    return len(wanted & _content(later.statement)) / len(wanted) >= 0.5


def passed(when: str, day: str) -> bool:
    """True when the (day or month) date `when` lies before `day`."""
    return day[: len(when)] > when


def timeline(statements: list[DatedStatement], day: str | None = None) -> list[DatedStatement]:
    """Oldest first, as of `day` (default: `today()`).

    The same sentence of the same document once; the same statement in several letters one
    row naming each; a planned step that a later document reports done takes that status and
    source (and the report is not a row of its own); a planned date that has passed without
    such a report is `verstreken`.
    """
    day = day or today()
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in statements:
        if (s.source, s.quote) not in seen:
            seen.add((s.source, s.quote))
            unique.append(s)
    rows = _merge(unique)
    absorbed: set[int] = set()
    out = []
    for s in rows:
        if s.status == "gepland":
            report = next(
                (
                    (i, r)
                    for i, r in enumerate(rows)
                    if r is not s and r.date <= day and reports(s, r)
                ),
                None,
            )
            if report is not None:
                absorbed.add(report[0])
                r = report[1]
                status = "besloten" if r.actor else "gebeurd"
                note = REPORTED_NOTE.format(
                    status=status, document=r.title or r.source, datum=dutch_date(r.date)
                )
                s = replace(s, status=status, reported_by=r.ref(), note=note)
            else:
                planned = PLANNED_NOTE.format(document=s.sources[0].label())
                if passed(s.date, day):
                    s = replace(s, status="verstreken", note=f"{PASSED_NOTE} ({planned})")
                else:
                    s = replace(s, note=planned)
        out.append(s)
    kept = [s for i, s in enumerate(out) if i not in absorbed]
    return sorted(kept, key=lambda s: (s.date, s.gemeente, s.source, s.page))
