"""Answer types: does a sentence hold what a kind of question asks for — a date, an amount, a
number, a duration, a person or body — and which span is it (the short answer)?

A when-question answered by a sentence without a date is no answer, however many words it
shares with the question; the answerer refuses rather than quote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from index.tokens import DUTCH_STOPWORDS
from ingest.extract import MONTH_PATTERN

if TYPE_CHECKING:
    from assistant.question import Kind

NUMBER_WORDS = (
    "een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|"
    "vijftien|zestien|zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig|"
    "honderd|duizend|drieëntwintig|eenentwintig|tweeëntwintig|vierentwintig|half|anderhalf"
)
_NUM = rf"(?:\d+(?:[.,]\d+)*|{NUMBER_WORDS})"
UNITS = (
    r"(?:kalender|werk)?(?:dag|dagen)|weken|week|maanden|maand|kalendermaanden|kalendermaand|"
    r"jaar|jaren|uur|uren|minuten|kwartaal|kwartalen"
)

DATE = re.compile(
    rf"\b(?:\d{{1,2}}[-/]\d{{1,2}}[-/]\d{{2,4}}|\d{{1,2}} (?:{MONTH_PATTERN})(?: \d{{4}})?"
    rf"|(?:{MONTH_PATTERN}) \d{{4}}|(?:begin|eind|medio|half) (?:{MONTH_PATTERN}|\d{{4}})"
    r"|q[1-4](?: \d{4})?|(?:eerste|tweede|derde|vierde) kwartaal(?: van)?(?: \d{4})?"
    # a bare year only as a time ("in 2026", "vanaf 2025"), not in a name ("Wet 2012")
    r"|(?:in|per|vanaf|tot|sinds|voor|na|uiterlijk|eind|begin|medio|jaar) (?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# how often: a frequency is a duration's kind, but no period of time and no date
FREQUENCY = r"\b(?:jaarlijks|maandelijks|wekelijks|dagelijks|per (?:jaar|maand|week|dag))\b"
DURATION = re.compile(
    rf"\b{_NUM}(?:\s*(?:tot|à|a|-)\s*{_NUM})?\s+(?:{UNITS})\b|{FREQUENCY}",
    re.IGNORECASE,
)
AMOUNT = re.compile(
    r"€\s?\d|\b\d+(?:[.,]\d+)*\s?(?:euro|%|procent)|\b\d+(?:[.,]\d+)*,(?:\d\d|-)"
    r"|\b(?:ten hoogste|hoogstens|niet te boven|kostprijs)\b",
    re.IGNORECASE,
)
_COUNT_WORDS = NUMBER_WORDS.replace("een|één|", "").replace("|half|anderhalf", "")
COUNT = re.compile(
    # a number, not an article or section reference ("artikel 7.2.7", "lid 2")
    rf"(?<!artikel )(?<!lid )(?<!onder )(?<!zie )(?<!punt )(?<!bijlage )(?<!paragraaf )"
    rf"(?<![\d.])\b(?:\d+(?![.\d])|{_COUNT_WORDS})\b"
    r"|\b(?:tweemaal|driemaal|viermaal|eenmaal|\w+ keer)\b",
    re.IGNORECASE,
)
AMOUNT_SPAN = re.compile(
    r"€\s?\d+(?:[.,]\d+)*(?:,-)?|\b\d+(?:[.,]\d+)*\s?(?:euro|%|procent)", re.IGNORECASE
)
# Who: a named body, office or role, or a capitalised name that does not start the sentence.
ROLE = re.compile(
    r"\b(?:portefeuillehouder|wethouder|burgemeester|college|raad|gemeenteraad|minister|"
    r"ministerie|commissie|stuurgroep|penvoerder|opdrachtgever|opdrachtnemer|gemeente|"
    r"inspectie|toezichthouder|rechter|cak|svb|vng|ketenbureau|contactpersoon|team|"
    r"coördinator|inkoper|afdeling|bureau)\w*\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=\S\s)(?:[A-Z][a-zà-ÿ]+|[A-Z]{2,}[a-z]?)\b")  # "NZa" too
_CAPITAL_BEFORE = re.compile(r"(?:[A-Z][\wà-ÿ-]*\s+)+$")
_CAPITAL_AFTER = re.compile(r"(?:\s+[A-Z][\wà-ÿ-]*)+")


def _words_of(text: str) -> set[str]:
    """A text's words, case-folded: what a question names itself."""
    return {w.casefold() for w in re.findall(r"\w+", text)}


def _name_words(run: str) -> set[str]:
    """The words of a name ("De NZa": "nza"), for comparing with the question's."""
    return _words_of(run) - DUTCH_STOPWORDS


def _name_run(sentence: str, m: re.Match[str]) -> str:
    """The run of capitalised words a name match stands in."""
    before = _CAPITAL_BEFORE.search(sentence[: m.start()])
    after = _CAPITAL_AFTER.match(sentence, m.end())
    start = before.start() if before else m.start()
    return sentence[start : after.end() if after else m.end()]


# May / must: permission, duty or a ban, or what is expected ("mag", "moet", "geen", "alleen
# met toestemming", "is verplicht", "verwachten"); a sentence with none of these does not say
# whether something may or must.
DEONTIC = re.compile(
    r"\b(?:mag|mogen|mocht|moet|moeten|hoeft|hoeven|dient|dienen|kan|kunnen|niet|geen|"
    r"nooit|alleen|uitsluitend|slechts|toestemming|verplicht\w*|verbo\w+|toegestaan|"
    r"vereist|nodig|verwacht\w*|voorwaarde\w*|verboden|recht op|plicht\w*|zorgt|zorgen)\b",
    re.IGNORECASE,
)

# Why: a reason, a cause or an aim ("omdat", "daarom", "blijkt", "het doel", "zodat").
CAUSE = re.compile(
    r"\b(?:omdat|doordat|daarom|daardoor|daarmee|hierdoor|hiermee|vanwege|wegens|want|zodat|"
    r"dus|reden\w*|doel\w*|blijkt|gericht op|bedoeld om|teneinde|om\s+\w+(?:\s+\w+){0,6}\s+te)\b",
    re.IGNORECASE,
)

# A question that asks what does not apply ("... juist niet?", "geen ...?") is answered by a
# sentence that says what is excluded.
NEGATION = re.compile(
    r"\b(?:niet|geen|uitgezonderd|behalve|buiten|uitgesloten|uitzondering\w*|met uitzondering"
    r"|nooit|uitsluitend|alleen)\b",
    re.IGNORECASE,
)

# the answer type each question kind needs; None: any sentence that covers the question
NEEDS: dict[Kind, str] = {
    "when": "date",
    "how-long": "duration",
    "how-much": "amount",
    "how-many": "count",
    "who": "who",
    "may-must": "deontic",
    "why": "cause",
}
# the types that are a value in the text (not a name, a rule or a reason)
VALUE_TYPES = frozenset({"date", "duration", "amount", "count", "age"})
_PATTERNS = {
    "date": DATE,
    "duration": DURATION,
    "amount": AMOUNT,
    "count": COUNT,
    "deontic": DEONTIC,
    "cause": CAUSE,
    "age": DURATION,
}


_ASKS_AGE = re.compile(r"\bhoe oud\b|\bleeftijd\b|\bjarige?n?\b", re.IGNORECASE)
# "Welke aanbieders ...?", "Welke gemeente ...?": which party, answered by its name; a
# sentence that only says "Opdrachtnemer" or "de gemeenten" names none.
_ASKS_PARTY = re.compile(
    r"\bwelke\s+(?:\w+\s+)?(?:zorg)?(?:aanbieders?|gemeenten?|partij(?:en)?|organisaties?|"
    r"instanties?|instellingen?|bedrij(?:f|ven)|zorgkanto(?:or|ren))\b",
    re.IGNORECASE,
)


def answer_type(kind: Kind, question: str) -> str | None:
    """The answer type a question needs: its kind's, where a how-long question about an age
    ("Hoe oud mag ...", "Tot welke leeftijd ...") takes an age too, and a question after
    which party ("Welke aanbieders hebben ...?") a name."""
    needs = NEEDS.get(kind)
    if kind in ("which", "who", "open") and _ASKS_PARTY.search(question):
        return "party"
    return "age" if needs == "duration" and _ASKS_AGE.search(question) else needs


def has_type(sentence: str, answer_type: str | None, asked: str = "") -> bool:
    """True when the sentence holds something of the type (always for no type). A person or
    body the question names itself (`asked`: its text) does not answer who: "wie bepaalt hoe
    hoog het NHC-tarief is?" is not answered by a sentence whose only name is "NHC"."""
    if answer_type is None:
        return True
    if answer_type == "who":
        named = _words_of(asked)
        if any(m.group(0).casefold() not in named for m in ROLE.finditer(sentence)):
            return True
        # a name is one run of capitalised words: "Zilveren Kruis Zorgkantoor" is the body
        # "wie ... van zilveren kruis?" names, not someone new
        return any(
            not (_name_words(_name_run(sentence, m)) & named) for m in _NAME.finditer(sentence)
        )
    if answer_type == "party":
        named = _words_of(asked)
        return any(
            m.group(0).casefold() not in named and not ROLE.fullmatch(m.group(0))
            for m in _NAME.finditer(sentence)
        )
    if answer_type == "date":
        # a period counts ("binnen 6 weken"), a frequency not: "maandelijks" says how often,
        # not when (by when)
        return bool(DATE.search(sentence) or DURATION.search(_FREQUENCY.sub(" ", sentence)))
    if answer_type == "duration":
        # "niet ouder dan 6 maanden", "tot 18 jaar oud": an age or age limit, not how long
        # something takes
        return bool(DURATION.search(_AGE.sub(" ", sentence)))
    if answer_type == "count":
        # "twaalf jaar" is an age or a period, no number of things ("hoe vaak": "tweemaal")
        return bool(COUNT.search(_without_durations(sentence)))
    return bool(_PATTERNS[answer_type].search(sentence))


_AGE = re.compile(
    rf"\b(?:ouder|jonger) dan\s+{_NUM}(?:\s*(?:tot|à|a|-)\s*{_NUM})?\s+(?:{UNITS})\b"
    rf"|\b{_NUM}(?:\s*(?:tot|à|a|-)\s*{_NUM})?\s+(?:{UNITS})\s+(?:oud|of ouder|of jonger)\b"
    rf"|\bleeftijd van\s+{_NUM}\s+(?:{UNITS})\b",
    re.IGNORECASE,
)


def _without_durations(sentence: str) -> str:
    return DURATION.sub(lambda m: m.group(0) if _FREQUENCY.fullmatch(m.group(0)) else " ", sentence)


# A number of things with what is counted: "(minimaal) vier dagdelen (per week)".
_COUNTED = re.compile(
    rf"(?:\b(?:minimaal|maximaal|ten minste|tenminste|minstens|hooguit|maximum|minimum|"
    rf"meer dan|minder dan) )?"
    rf"(?<!artikel )(?<!lid )(?<!onder )(?<![\d.])\b(?:\d+(?![.,\d])|{_COUNT_WORDS}) "
    rf"(?:[a-zà-ÿ]+e )?[a-zà-ÿ]{{3,}}(?:['’]s)?"
    rf"(?: per (?:jaar|maand|week|dag|uur|cliënt|client))?\b",
    re.IGNORECASE,
)
_FREQUENCY = re.compile(FREQUENCY, re.IGNORECASE)


def relative_to(sentence: str, stems: set[str], stem_of: Callable[[str], str]) -> bool:
    """True when every time in the sentence is counted from something the question names:
    "binnen 20 kalenderdagen na de bekendmaking van de gunning" says when something else
    happens after the gunning, not when the gunning is. `stem_of` maps a word to its stem."""
    if DATE.search(sentence):
        return False
    found = list(DURATION.finditer(sentence))
    if not found:
        return False
    for m in found:
        after = _ANCHOR.match(sentence, m.end())
        if after is None:
            return False
        tail = {stem_of(w) for w in re.findall(r"\w+", after.group(1).lower())}
        if not tail & stems:
            return False
    return True


_ANCHOR = re.compile(r"\s+(?:na|voor|vanaf|sinds|nadat|voordat)\b(.{0,80})", re.IGNORECASE)


def short_span(sentence: str, answer_type: str | None) -> str | None:
    """The span that answers, for the short answer in front ("1 januari 2026")."""
    if answer_type in (None, "who", "party", "deontic", "cause"):
        return None
    if answer_type == "count":
        counted = _COUNTED.search(_without_durations(sentence))
        if counted:  # "minimaal vier dagdelen per week", not just "per week"
            return counted.group(0).strip()
    order = {
        "date": (DATE, DURATION),
        "duration": (DURATION,),
        "age": (DURATION,),
        "amount": (AMOUNT_SPAN,),
        "count": (DURATION, COUNT),
    }[answer_type]
    for pattern in order:
        m = pattern.search(sentence)
        if m:
            return m.group(0).strip()
    return None
