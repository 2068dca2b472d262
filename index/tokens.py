"""Dutch words as index tokens: stopwords, stems, lemmas, the one `tokenize` of the project.

A token is the Dutch-Porter stem of a word's lemma (simplemma), so that a verb's forms, a
noun in -ing and its verb, and a separable verb's te-form meet. BM25 (`index.lexical`), the
vocabulary (`index.vocabulary`) and the answerer all compare these tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Snowball's Dutch list plus the words NvI and chat questions are made of.
DUTCH_STOPWORDS = frozenset(
    [
        "aan",
        "al",
        "alle",
        "alles",
        "als",
        "altijd",
        "ander",
        "andere",
        "anders",
        "ben",
        "bij",
        "daar",
        "daarbij",
        "daarin",
        "daarom",
        "dan",
        "dat",
        "de",
        "deze",
        "der",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "enige",
        "er",
        "erg",
        "ge",
        "geen",
        "geweest",
        "gaan",
        "gaat",
        "haar",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hoeveel",
        "hun",
        "iemand",
        "iets",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "jij",
        "kan",
        "kon",
        "kunnen",
        "kunt",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "moeten",
        "mogen",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "onder",
        "ons",
        "onze",
        "ook",
        "op",
        "over",
        "reeds",
        "te",
        "tegen",
        "toch",
        "toen",
        "tot",
        "u",
        "uit",
        "uw",
        "van",
        "veel",
        "voor",
        "volgens",
        "want",
        "waar",
        "waarom",
        "wanneer",
        "waren",
        "was",
        "wat",
        "we",
        "wel",
        "welk",
        "welke",
        "werd",
        "wezen",
        "wie",
        "wij",
        "wil",
        "willen",
        "worden",
        "wordt",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zonder",
        "zou",
        "zouden",
        "graag",
        "vraag",
        "vragen",
    ]
)
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[a-zà-ÿ]+(?:['’-][a-zà-ÿ]+)*")


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    # dutch_porter: the plain "dutch" Snowball stemmer strips "ge-" ("gemeente" -> "meen")
    # and stems inconsistently ("geleverd" -> "lever", "leveren" -> "leveer").
    return Stemmer.Stemmer("dutch_porter")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Dutch-Porter stem, with the plural's v/z back to f/s ("tarieven" -> "tarief")."""
    stemmed = str(_stemmer().stemWord(word))  # type: ignore[attr-defined]
    if len(stemmed) > 3 and stemmed[-1] in "vz":
        stemmed = stemmed[:-1] + ("f" if stemmed[-1] == "v" else "s")
    return stemmed


@lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """The dictionary form of a Dutch word (simplemma: "gegund" → "gunnen", "houdt" →
    "houden"); the word itself when unknown."""
    import simplemma

    found = simplemma.lemmatize(word.lower(), lang="nl")
    return found.replace("_", "") if isinstance(found, str) else word.lower()


@lru_cache(maxsize=100_000)
def token(word: str) -> str:
    """The index token of one lower-cased word: the stem of its lemma, so that a verb's
    forms meet ("houdt", "houden", "hield" → "houd"; "int", "innen" → "inn"); numbers as
    written. Measured against the plain stem in issue 13's note."""
    if word[0].isdigit():
        return word
    if "-" in word or "'" in word:
        return stem(word)
    base = lemma(word)
    verb = _verb_of(base)
    return stem(verb or base)


@lru_cache(maxsize=100_000)
def _verb_of(noun: str) -> str | None:
    """The verb a noun in -ing is made of ("gunning" → "gunnen", "opzegging" → "opzeggen",
    "aanbesteding" → "aanbesteden"): the act and its verb are one index token."""
    if len(noun) < 7 or not noun.endswith("ing"):
        return None
    verb = noun[:-3] + "en"
    return verb if _known(verb) else None


_PARTICLE_TE = re.compile(
    r"\b(aan|af|bij|door|in|mee|na|om|op|over|terug|toe|uit|vast|voor|weg) te ([a-zà-ÿ]{3,})\b"
)


def join_separable(text: str) -> str:
    """A separable verb's "te" form as one word: "om te zetten" → "omzetten", "in te
    schrijven" → "inschrijven", when simplemma knows the joined verb ("om te helpen", in
    order to help, stays)."""
    return _PARTICLE_TE.sub(_joined, text)


def _joined(m: re.Match[str]) -> str:
    verb = m.group(1) + m.group(2)
    return verb if _known(verb) else m.group(0)


@lru_cache(maxsize=100_000)
def _known(word: str) -> bool:
    import simplemma

    return bool(simplemma.is_known(word, lang="nl"))


def tokenize(text: str) -> list[str]:
    """Lower-cased, Dutch-lemmatised and stemmed content words; numbers kept ("2026", "2.7")."""
    tokens = []
    for raw in _TOKEN.findall(join_separable(text.lower())):
        word = raw.replace("’", "'")
        if word in DUTCH_STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        tokens.append(token(word))
        if "-" in word:  # "geld-volgt-klant": also index the parts
            tokens.extend(token(p) for p in word.split("-") if p and p not in DUTCH_STOPWORDS)
    return tokens


TOKENIZER_VERSION = "nl-lemma-verb-porter-6"  # part of the cache key: a new tokenizer rebuilds BM25
