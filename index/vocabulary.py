"""Dutch word forms and procurement vocabulary: when does a question's word occur in a text?

Three ways beyond the stemmer (`index.tokens.stem`): a lemma (simplemma: "gegund" →
"gunnen", "doorgestreept" → "doorstrepen"), the reviewed thesaurus in
`index/data/thesaurus_nl.txt` ("aanbieder" ~ "opdrachtnemer", "gunnen" ~ "gunning"), and
compounds ("jeugdhulpaanbieder" → "jeugdhulp" + "aanbieder"; "opzegtermijn" holds
"termijn"). Everything is a stem in the end, so it compares with `index.tokens.tokenize`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from index.tokens import join_separable, lemma, stem, token, tokenize

MIN_PART = 4  # shortest compound part that counts ("zorg", "wet"-like short parts do not)
_WORD = re.compile(r"[\w'’]+")


@functools.lru_cache(maxsize=65536)
def forms(word: str) -> frozenset[str]:
    """The stems a word may appear as: its index token (its lemma's stem) and its own stem."""
    low = word.lower()
    return frozenset({stem(low), token(low)})


class Thesaurus:
    """Groups of words that stand for one another, read from a reviewed data file."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self.groups: list[tuple[tuple[str, ...], ...]] = []
        self._by_stem: dict[str, set[int]] = {}
        for group in groups:
            phrases = tuple(tuple(tokenize(p)) for p in group if tokenize(p))
            if len(phrases) < 2:
                continue
            index = len(self.groups)
            self.groups.append(phrases)
            for phrase in phrases:
                if len(phrase) == 1:
                    for form in forms(phrase[0]) | {phrase[0]}:
                        self._by_stem.setdefault(form, set()).add(index)

    @classmethod
    def from_text(cls, text: str) -> Thesaurus:
        groups = []
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                groups.append([w.strip() for w in line.split("|") if w.strip()])
        return cls(groups)

    def alternatives(self, token: str) -> list[tuple[str, ...]]:
        """Other words (as stem tuples) that may stand for `token` (a stem)."""
        out: list[tuple[str, ...]] = []
        for index in sorted(self._by_stem.get(token, ())):
            out.extend(p for p in self.groups[index] if p != (token,))
        return out


@functools.lru_cache(maxsize=1)
def thesaurus() -> Thesaurus:
    text = resources.files("index").joinpath("data/thesaurus_nl.txt").read_text("utf-8")
    return Thesaurus.from_text(text)


def compound_parts(word: str, known: Collection[str]) -> tuple[str, str] | None:
    """A compound split into two known words ("jeugdhulpaanbieder" → jeugdhulp, aanbieder).

    `word` is lower-cased; `known` holds index tokens (e.g. the BM25 vocabulary). The split
    with the longest head wins; a linking "s" or "e" between the parts is allowed."""
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        for link in ("", "s", "e"):
            if link and not head.endswith(link):
                continue
            base = head[: len(head) - len(link)] if link else head
            if len(base) >= MIN_PART and token(base) in known and token(tail) in known:
                return token(base), token(tail)
    return None


def occurs(token: str, evidence: Collection[str]) -> bool:
    """True when a stem occurs in a set of evidence stems, also inside an evidence compound
    ("termijn" in "opzegtermijn", "aanbieder" in "zorgaanbieder")."""
    if token in evidence:
        return True
    if len(token) < MIN_PART + 1 or token.isdigit():
        return False
    return any(
        len(e) >= len(token) + 3 and (e.endswith(token) or e.startswith(token)) for e in evidence
    )


@dataclass(frozen=True)
class Wanted:
    """The ways a question's word may be said, worked out once per question: its stem and
    lemma, thesaurus alternatives (phrases, every word needed), its parts as a compound."""

    forms: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    parts: tuple[str, str] | None
    verb: tuple[str, ...] = ()  # a separable verb's own verb, which must occur as a word

    def said_in(self, evidence: Collection[str]) -> bool:
        """Does a text with these evidence stems say the word? Its stem or lemma (also inside
        a compound, `occurs`), every word of a thesaurus phrase, its separable verb's own
        verb, or both of its compound parts."""
        return self.said_by({s for s in self.stems() if occurs(s, evidence)}, evidence)

    def stems(self) -> frozenset[str]:
        """Every stem `said_in` looks for inside the evidence (not the separable verb's own
        verb, which must occur as a word)."""
        words = set(self.forms).union(*self.phrases)
        return frozenset(words | set(self.parts or ()))

    def said_by(self, found: Collection[str], evidence: Collection[str]) -> bool:
        """`said_in`, given the stems of `stems()` that occur in the evidence (`found`)."""
        if any(f in found for f in self.forms):
            return True
        if any(all(p in found for p in phrase) for phrase in self.phrases):
            return True
        if any(v in evidence for v in self.verb):
            return True
        return self.parts is not None and all(p in found for p in self.parts)


class Sayings:
    """Which of a question's words each of many texts says (`said`), the same as
    `Wanted.said_in` word by word: an evidence stem is compared with the words' stems once,
    by its own prefixes and suffixes, and remembered. A question's answer and its where to
    read look at the same sentences over and over (with their headings, with their
    neighbours), so each stem is read once, not once per word and sentence."""

    def __init__(self, wanted: Mapping[str, Wanted]) -> None:
        self.wanted = dict(wanted)
        self._stems = frozenset().union(*(w.stems() for w in self.wanted.values()))
        # a stem found inside a compound (`occurs`): long enough and not a number
        self._inner = frozenset(
            s for s in self._stems if len(s) >= MIN_PART + 1 and not s.isdigit()
        )
        self._memo: dict[str, frozenset[str]] = {}

    def found(self, e: str) -> frozenset[str]:
        """The wanted stems an evidence stem holds: itself, or its start or end when at
        least three letters are left over ("termijn" in "opzegtermijn")."""
        hit = self._memo.get(e)
        if hit is None:
            inner = self._inner
            at = range(MIN_PART + 1, len(e) - 2)
            hit = frozenset(
                {e} & self._stems
                | {e[:i] for i in at if e[:i] in inner}
                | {e[-i:] for i in at if e[-i:] in inner}
            )
            self._memo[e] = hit
        return hit

    def said(self, evidence: Collection[str]) -> frozenset[str]:
        """The keys of the wanted words that a text with these evidence stems says."""
        found: set[str] = set()
        for e in evidence:
            found |= self.found(e)
        return frozenset(k for k, w in self.wanted.items() if w.said_by(found, evidence))


# Particles of Dutch separable verbs: "aanhouden" is said "houdt ... aan", "opzeggen" "zegt
# ... op"; the particle stands apart, so the verb itself is the evidence.
SEPARABLE = (
    "aan",
    "af",
    "bij",
    "door",
    "in",
    "mee",
    "na",
    "om",
    "op",
    "over",
    "terug",
    "toe",
    "uit",
    "vast",
    "voor",
    "weg",
)


def separable_base(word: str) -> str | None:
    """The verb of a separable verb in its infinitive ("aanhouden" → "houden"), else None."""
    low = lemma(word.lower())
    if not low.endswith("en"):
        return None
    for particle in SEPARABLE:
        base = low[len(particle) :]
        if low.startswith(particle) and len(base) >= 5 and lemma(base) == base:
            return base
    return None


def wanted(word: str, token: str, known: Collection[str]) -> Wanted:
    """How a question's word (`word`, stemmed `token`) may be said; `known`: indexed stems."""
    own = forms(word) | {token}
    phrases = tuple(p for form in sorted(own) for p in thesaurus().alternatives(form))
    base = separable_base(word)
    verb = (stem(lemma(base)),) if base is not None else ()
    return Wanted(own, phrases, compound_parts(word.lower(), known), verb)


def covered(word: str, token: str, evidence: Collection[str], known: Collection[str]) -> bool:
    """Does the text with `evidence` stems say a question's word (`word`, stemmed `token`)?

    Its stem or lemma, a compound holding it, a thesaurus alternative (every word of a
    phrase), or both parts of the word as a compound."""
    return wanted(word, token, known).said_in(evidence)


def words(text: str) -> list[str]:
    """The words of a text as written (lower case), for `covered`."""
    return [w.replace("’", "'") for w in _WORD.findall(join_separable(text.lower()))]


@functools.lru_cache(maxsize=1)
def filler_words() -> frozenset[str]:
    """Words a person adds to a question that no document repeats (index/data)."""
    text = resources.files("index").joinpath("data/question_filler_nl.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
