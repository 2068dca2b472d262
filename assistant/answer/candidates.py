"""What the extractive answerer (`answer.extractive`) works with: its tuned numbers, the
question's weighted terms and the candidate sentences it scores."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from assistant.settings import Settings, default
from index.retriever import RetrievedChunk


def _setting(name: str) -> Any:
    """A tuned number: its default is the `Settings` field of that name, read when an
    ExtractiveSettings is made (not at import), with the measurement behind it there."""
    return field(default_factory=lambda: float(default(name)))


@dataclass(frozen=True)
class ExtractiveSettings:
    max_sentences: int = 3
    max_sentence_words: int = 80
    # share of the question's weighted content words in the evidence
    min_coverage: float = _setting("min_coverage")
    # shares of the question's words (and of their weight) that may be absent
    max_missing: float = _setting("max_missing")
    max_missing_weight: float = _setting("max_missing_weight")
    min_row_question: float = _setting("min_row_question")
    # a sentence that means what the question asks may cover fewer of its words
    min_focus: float = _setting("min_focus")
    min_focus_typed: float = _setting("min_focus_typed")
    semantic_min: float = _setting("semantic_min")
    semantic_focus: float = _setting("semantic_focus")
    # how a candidate sentence ranks
    score_coverage: float = _setting("score_coverage")
    score_focus: float = _setting("score_focus")
    score_own: float = _setting("score_own")
    score_rank: float = _setting("score_rank")
    score_definition: float = _setting("score_definition")
    # how much a context word counts in a passage's share of the question (where to read)
    context_share_weight: float = _setting("context_share_weight")

    @classmethod
    def of(cls, settings: Settings, **overrides: Any) -> ExtractiveSettings:
        """The answerer's numbers from the app's settings (env INKOOP_*), with overrides."""
        tuned = {name: getattr(settings, name) for name in TUNED}
        return cls(**{**tuned, **overrides})


# The answerer's tuned numbers: its fields that are `Settings` fields (`_setting`).
TUNED = tuple(f.name for f in fields(ExtractiveSettings) if f.name in Settings.model_fields)


@dataclass(frozen=True)
class Candidate:
    rank: int
    hit: RetrievedChunk
    start: int  # offset inside the chunk text
    text: str
    score: float
    coverage: float
    missing: int = 0  # question words found nowhere in the evidence
    semantic: float = 0.0
    typed: bool = True  # holds the answer type the question needs
    defines: bool = False  # gives the meaning of the term a definition question asks about
    focus: float = 0.0  # coverage of the words that set it apart from the other passages
    wide: float = 1.0  # weight share of the question's words in it, its heading or neighbours
    asked: bool = True  # says a word of what a conditional question asks (`main_clause`)


@dataclass(frozen=True)
class Term:
    word: str
    token: str
    weight: float
    context: bool = False  # only in the sentences before the one that asks
