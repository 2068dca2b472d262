"""A question is read once: its text becomes one `Question` value the later stages read.

What is read here: the cleaned text (cut to `MAX_QUESTION_CHARS`, with a note), the gemeenten
it names (two or more make it a comparison), its section references ("§ 5.7", "artikel
3.19"), and its kind (when, how long, how much, who, what is, …), which decides the answer
type an answer must hold (`assistant.answer.types`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.prompts import QUESTION_CUT
from assistant.verify.sentences import split_line
from index.retriever import section_references
from index.vocabulary import filler_words

# One limit for every way in (CLI, chat, API): a pasted document is no question; it only
# slows search. The chat's text box stops typing at the same length.
MAX_QUESTION_CHARS = 1000

# Words that ask for a comparison, not for content: the answer per gemeente ignores them.
_COMPARING = re.compile(
    r"\b(?:verschil\w*|vergelijk\w*|versch(?:ilt|illen)|overeenkomst(?:en)?|"
    r"tussen|beide|allebei|respectievelijk|en die van|die van|dat van)\b",
    re.I,
)
# Question kinds, tried in this order; the first that matches decides. Each names the answer
# type it needs (`assistant.answer.types.NEEDS`).
_UNIT = r"(?:dagen|dag|weken|week|maanden|maand|jaren|jaar|uur|uren|tijd)"
# The closed set of question kinds: read once (`question_kind`), carried on `Question.kind`.
Kind = Literal[
    "how-long", "when", "how-much", "how-many", "why", "who", "what-is", "which", "may-must", "open"
]
_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        "how-long",
        re.compile(
            rf"\bhoe ?lang\b|\bhoeveel (?:\w+ )?(?:kalender|werk)?{_UNIT}\b"
            r"|\bhoe ver (?:van )?tevoren\b|\b(?:op|opzeg|bewaar|gestanddoenings)termijn\b"
            r"|\blooptijd\b|\bhoe oud\b|\btot welke leeftijd\b"
            r"|\b(?:binnen )?welke termijn\b|\bhoe snel\b|\bhoeveel tijd\b",
            re.I,
        ),
    ),
    (
        "when",
        re.compile(
            r"\b(?:wanneer|per wanneer|vanaf wanneer|tot wanneer|op welke datum|welke datum"
            r"|deadline|\w*datum|uiterlijk wanneer)\b",
            re.I,
        ),
    ),
    (
        "how-much",
        re.compile(
            r"\bhoe ?hoog\b|\bhoeveel (?:korting|geld|euro|procent|bedraagt|kost|budget|subsidie)"
            r"\w*\b"
            r"|\bwat (?:kost|bedraagt)\b|\b\w*tarief\b|\bbedrag\b|\bpercentage\b",
            re.I,
        ),
    ),
    ("how-many", re.compile(r"\bhoeveel\b|\bhoe vaak\b|\bhoeveelste\b", re.I)),
    (
        "why",
        re.compile(r"\bwaarom\b|\bom welke reden\b|\bwat is de reden\b|\bhoe komt het\b", re.I),
    ),
    (
        "who",
        re.compile(
            r"^(?:\w+ )?(?:wie|bij wie|met wie|door wie|van wie|aan wie)\b|\bwie\b"
            r"|\bwelke? (?:gemeente|organisatie|instantie|instelling|partij|persoon|afdeling"
            r"|commissie|\w*bureau|wethouder|instanties|organisaties|partijen|personen)\b",
            re.I,
        ),
    ),
    (
        "what-is",
        re.compile(
            r"\bwat (?:is|zijn|betekent|betekenen|houdt|valt|verstaat|bedoel\w*|wordt bedoeld)"
            r"\b(?! (?:er|de (?:termijn|datum|deadline)))|\bwat verstaan\b|\bwat wordt verstaan\b"
            # "wat wordt in de wet (precies) bedoeld met ...?"
            r"|\bwat (?:wordt|worden)(?: [^\s?]+){0,6}? (?:bedoeld|verstaan)\b",
            re.I,
        ),
    ),
    ("which", re.compile(r"^\s*welke?\b", re.I)),  # "Welke documenten moet ik ...?"
    (
        "may-must",
        re.compile(
            r"^(?:\w+ )?(?:mag|mogen|moet|moeten|kan|kunnen|ben|is|wordt|hoeft|hoeven)\b"
            r"|\b(?:mag ik|moet ik|is het toegestaan|verplicht|verwacht)\b",
            re.I,
        ),
    ),
    ("which", re.compile(r"\bwelke?\b|\bwaar\b|\bwaarmee\b", re.I)),
)


# Words that name the answer type a kind asks for ("hoe lang", "hoe hoog"): the answer's type
# check stands in for them, and no passage is about them.
KIND_WORDS: dict[Kind, frozenset[str]] = {
    "how-long": frozenset({"lang", "hoelang", "duur", "duurt", "snel"}),
    "how-much": frozenset({"hoog", "hoeveel"}),
    "how-many": frozenset({"vaak", "hoeveel"}),
    "when": frozenset({"laat", "wanneer", "datum"}),
}
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
# A question that opens with its condition: "Als ik ..., krijg ik dan ...?"
_CONDITION = re.compile(
    r"^\s*(?:als|indien|stel(?:\s+dat)?|zodra|wanneer\s+(?:ik|we|wij|een|de|het|mijn|onze))"
    r"\b[^,?]{3,200},",
    re.I,
)


@dataclass(frozen=True)
class Question:
    text: str  # stripped and cut: what is searched and answered
    cut_note: str | None = None  # set when the question was cut
    gemeenten: tuple[str, ...] = ()  # indexed gemeenten it names, in its order
    sections: tuple[str, ...] = ()  # section labels it refers to ("5.7")
    kind: Kind = "open"

    @property
    def search_text(self) -> str:
        """What is searched: the question without the words a person adds that no document
        repeats ("Ik wil eigenlijk ...", "Mag ik gewoon ...") and without the words that
        only name the answer type ("hoe lang"). Natural dev questions: the passage holding
        the answer in the top 6 for 28 of 36 instead of 25 (issue 13's note)."""
        drop = filler_words() | KIND_WORDS.get(self.kind, frozenset())
        kept = [w for w in _WORD.findall(self.text) if w.lower() not in drop]
        return " ".join(kept) if any(w[0].isalnum() for w in kept) else self.text

    @property
    def main_clause(self) -> str | None:
        """What a conditional question asks after its condition: "Als ik aan alle eisen
        voldoe, krijg ik dan een overeenkomst?" asks "krijg ik dan een overeenkomst"; an
        answer must speak of that, not only of the condition. None for other questions."""
        asking = asking_sentence(self.text)
        m = _CONDITION.match(asking)
        return asking[m.end() :].strip() if m else None

    @property
    def is_comparison(self) -> bool:
        return len(self.gemeenten) >= 2

    def per_gemeente(self) -> str:
        """What one gemeente's documents answer: without the names and comparison words."""
        text = self.text
        for name in self.gemeenten:
            text = _name(name).sub(" ", text)
        return " ".join(_COMPARING.sub(" ", text).split())


def shorten(question: str) -> tuple[str, str | None]:
    """The question stripped and at most `MAX_QUESTION_CHARS` long, and a note when it was cut."""
    text = question.strip()
    if len(text) <= MAX_QUESTION_CHARS:
        return text, None
    head = text[:MAX_QUESTION_CHARS]
    mid_word = not head[-1].isspace() and not text[MAX_QUESTION_CHARS].isspace()
    if mid_word and len(head.split()) > 1:
        head = head.rsplit(None, 1)[0]  # not half a word
    size = f"{len(text):,}".replace(",", ".")
    limit = f"{MAX_QUESTION_CHARS:,}".replace(",", ".")
    return head.rstrip(), QUESTION_CUT.format(size=size, limit=limit)


def named_gemeenten(question: str, known: Iterable[str]) -> list[str]:
    """The indexed gemeenten a question names, in the order it names them (any case)."""
    found: list[tuple[int, str]] = []
    for name in known:
        m = _name(name).search(question)
        if m:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def _name(name: str) -> re.Pattern[str]:
    """A gemeente's name as a whole word in any case ("Weert", not "Weertse")."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.I)


def read_question(question: str, gemeenten: Sequence[str] = ()) -> Question:
    """Read a question once; `gemeenten` are the indexed ones its reader may see."""
    text, cut = shorten(question)
    return Question(
        text=text,
        cut_note=cut,
        gemeenten=tuple(named_gemeenten(text, gemeenten)),
        sections=tuple(section_references(text)),
        kind=question_kind(text),
    )


def question_kind(text: str) -> Kind:
    """The kind of a question, read from its asking sentence (the last one with a "?")."""
    asking = asking_sentence(text)
    for kind, pattern in _KINDS:
        m = pattern.search(asking)
        if m is None:
            continue
        who = _WHO_ASKS.search(asking)
        # "..., wie bepaalt eigenlijk hoe hoog het tarief is?": the clause's own question
        # word comes first and asks who; the later "hoe hoog" is part of what is asked
        return "who" if who is not None and who.start() < m.start() else kind
    return "open"


_WHO_ASKS = re.compile(r"(?:^|[,;:]\s*|\b(?:en|maar)\s+)(?:bij |met |door |van |aan )?wie\b", re.I)


def asking_sentence(text: str) -> str:
    """The sentence that asks: a question often opens with context ("Ik wil stoppen. Hoeveel
    opzegtermijn ...?"); the first sentence that ends in "?" asks."""
    asking = [p for p in split_line(" ".join(text.split())) if p.endswith("?")]
    return asking[0] if asking else text


# A follow-up in a chat that leans on the previous question: "En in Weert?", "En voor de
# Wmo?", "Wat is de termijn daarvan?", "Geldt dat ook voor zzp'ers?"
_ELLIPTIC_START = re.compile(r"^\s*(?:en|maar|of|ook|dus)\b", re.I)
_ANAPHOR = re.compile(
    r"\b(?:daarvan|daarvoor|daarover|daarmee|daarbij|daarin|hiervan|hiervoor|hierover|ervan|"
    r"erover|ervoor|dat ook|dit ook|die ook|hetzelfde)\b",
    re.I,
)
MAX_FOLLOW_UP_WORDS = 10


def with_context(text: str, previous: str | None, gemeenten: Sequence[str] = ()) -> str:
    """The question a chat follow-up asks, with the previous question's subject filled in.

    "En in Weert?" after "Wanneer gaan de contracten in Maasgouw in?" asks "Wanneer gaan de
    contracten in Weert in?"; "Wat is de termijn daarvan?" after a question on opzegging
    asks it about opzegging. A question that stands on its own is returned as it is."""
    text = text.strip()
    if not previous or len(text.split()) > MAX_FOLLOW_UP_WORDS:
        return text
    elliptic = bool(_ELLIPTIC_START.match(text))
    if not elliptic and not _ANAPHOR.search(text):
        return text
    previous = previous.strip()
    new_names = named_gemeenten(text, gemeenten)
    old_names = named_gemeenten(previous, gemeenten)
    if elliptic and new_names and old_names:
        swapped = previous
        for old, new in zip(old_names, new_names, strict=False):
            swapped = _name(old).sub(new, swapped)
        return swapped
    if elliptic and new_names:
        return f"{previous.rstrip('?').rstrip()} in {' en '.join(new_names)}?"
    rest = _ELLIPTIC_START.sub("", text).strip() if elliptic else text
    return f"{rest.rstrip('?').rstrip()} — {previous}"
