"""Which question words meet which answer words, learned from real Dutch question/answer pairs
(issue 20): the GGZ nota van inlichtingen's rows, the Q&A tables and FAQ pages of the corpus.

Measured, not used by the answerer: cross-validated over 291 pairs (5 folds by position), the
association did not rank the right answer higher than the lexical match alone (MRR 0.441 ->
0.385-0.440 over weights 0.1-1.0 and lifts 2-10; R@1 100/291 -> 89-100/291). Run it again with
`python -m assistant.measure.qa_pairs ../shared` when there are more pairs.

A provider asks "Hoe lang duurt het voordat ik uitsluitsel krijg?" where the document says
"Het zorgkantoor besluit binnen zes weken": the lemma and thesaurus do not join "uitsluitsel"
and "besluit", but answers to questions with "uitsluitsel" often say "besluit". The table holds,
per question stem, the answer stems that co-occur with it across pairs far more often than
chance (lift), each with P(answer stem | question stem). Pure: pairs in, a table out; reading
the pairs from files is `pairs_from_markdown`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.tokens import DUTCH_STOPWORDS, token
from index.vocabulary import words


@dataclass(frozen=True)
class QAPair:
    question: str
    answer: str


def stems(text: str) -> set[str]:
    return {token(w) for w in words(text) if w not in DUTCH_STOPWORDS and len(w) > 2}


@dataclass(frozen=True)
class Associations:
    """Per question stem: answer stems with P(answer stem | question stem)."""

    table: dict[str, dict[str, float]]

    def strength(self, question_stem: str, evidence: set[str]) -> float:
        """How strongly the evidence says what answers to `question_stem` usually say: the
        best association among its stems (0 when none)."""
        row = self.table.get(question_stem)
        if not row:
            return 0.0
        return max((p for a, p in row.items() if a in evidence), default=0.0)


def learn(
    pairs: Sequence[QAPair], min_pairs: int = 2, min_lift: float = 3.0, keep: int = 12
) -> Associations:
    """Answer stems that come with a question stem in at least `min_pairs` pairs and `min_lift`
    times more often than chance; a stem the answer repeats from the question is no evidence
    of an association (the lexical match already counts it)."""
    n = len(pairs)
    q_count: Counter[str] = Counter()
    a_count: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for pair in pairs:
        qs, ans = stems(pair.question), stems(pair.answer)
        q_count.update(qs)
        a_count.update(ans)
        both.update((q, a) for q in qs for a in ans - qs)
    table: dict[str, dict[str, float]] = {}
    for (q, a), c in both.items():
        if c < min_pairs:
            continue
        lift = c * n / (q_count[q] * a_count[a])
        if lift >= min_lift:
            table.setdefault(q, {})[a] = c / q_count[q]
    return Associations(
        {q: dict(sorted(row.items(), key=lambda x: -x[1])[:keep]) for q, row in table.items()}
    )


_TABLE_ROW = re.compile(r"^\|\s*(?P<q>[^|]{10,}?)\s*\|\s*(?P<a>[^|]{10,}?)\s*\|?\s*$")
_HEADING_QUESTION = re.compile(r"^#{2,4}\s+(?P<q>.+\?)\s*$")


def pairs_from_markdown(text: str) -> list[QAPair]:
    """Question/answer pairs of a Markdown FAQ: two-column table rows (Vraag | Antwoord), or a
    heading that asks ("## Hoe ...?") with the paragraphs under it."""
    pairs: list[QAPair] = []
    lines = text.splitlines()
    for line in lines:
        m = _TABLE_ROW.match(line.strip())
        if m and "---" not in line and not m.group("q").strip("* ").lower().startswith("vra"):
            pairs.append(QAPair(m.group("q"), m.group("a")))
    question: str | None = None
    body: list[str] = []
    for line in [*lines, "## end"]:
        if line.startswith("#"):
            if question and body:
                pairs.append(QAPair(question, " ".join(body)))
            m = _HEADING_QUESTION.match(line)
            question, body = (m.group("q") if m else None), []
        elif question and line.strip():
            body.append(line.strip())
    return pairs


def folds(pairs: Sequence[QAPair], k: int = 5) -> Iterable[tuple[list[QAPair], list[QAPair]]]:
    """k train/test splits by pair position (deterministic: no shuffling)."""
    for f in range(k):
        yield (
            [p for i, p in enumerate(pairs) if i % k != f],
            [p for i, p in enumerate(pairs) if i % k == f],
        )


def reciprocal_rank(
    question: str,
    answers: Sequence[str],
    right: int,
    idf: dict[str, float],
    assoc: Associations | None,
    weight: float = 0.5,
) -> float:
    """1/rank of the right answer among `answers` for a question, scored by the idf-weighted
    share of the question's stems each answer says, plus `weight` times the association of
    those it does not say."""
    qs = stems(question)
    total = sum(idf.get(q, 0.0) for q in qs) or 1.0
    scores = []
    for text in answers:
        ans = stems(text)
        said = sum(idf.get(q, 0.0) for q in qs if q in ans)
        if assoc is not None:
            said += weight * sum(idf.get(q, 0.0) * assoc.strength(q, ans) for q in qs - ans)
        scores.append(said / total)
    better = sum(s > scores[right] for s in scores)
    return 1.0 / (1 + better)


def idf_of(texts: Iterable[str]) -> dict[str, float]:
    docs = [stems(t) for t in texts]
    df: Counter[str] = Counter(s for d in docs for s in d)
    n = len(docs)
    return {s: math.log(1 + (n - c + 0.5) / (c + 0.5)) for s, c in df.items()}


def main(shared: str) -> None:
    """The cross-validation on the corpus's own pairs, printed (`../shared` as argument)."""
    import json
    from pathlib import Path

    root = Path(shared)
    nvi = json.loads((root / "eval" / "zk_NvI-GGZ-2024-2026.json").read_text(encoding="utf-8"))
    pairs = [QAPair(r["question"], r["answer"]) for r in nvi if r.get("answer")]
    for name in (
        "isd_Vragen_en_antwoorden_CS_Jeugd_en_Wmo_definitief.md",
        "isd_veelgestelde-vragen-iwmo-3.2-en-ijw-3.2.md",
    ):
        pairs += pairs_from_markdown((root / "corpus" / "text" / name).read_text(encoding="utf-8"))
    answers = [p.answer for p in pairs]
    idf = idf_of(answers)
    for weight, lift in ((0.1, 5.0), (0.25, 3.0), (0.5, 3.0), (1.0, 2.0)):
        lexical = associated = 0.0
        for train, test in folds(pairs):
            table = learn(train, min_lift=lift)
            for p in test:
                right = answers.index(p.answer)
                lexical += reciprocal_rank(p.question, answers, right, idf, None)
                associated += reciprocal_rank(p.question, answers, right, idf, table, weight)
        n = len(pairs)
        mrr = f"MRR {lexical / n:.3f} -> {associated / n:.3f}"
        print(f"{n} pairs, weight {weight}, lift {lift}: {mrr}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "../shared")
