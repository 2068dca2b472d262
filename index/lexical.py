"""Dutch BM25 (bm25s) rebuilt from the vector index's contents, cached on disk by fingerprint."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.filters import matches
from ingest.models import Chunk

log = logging.getLogger(__name__)

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


class BM25Index:
    """BM25 over chunk contexts (title + heading + text)."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG on import; keep it at our level.
        logging.getLogger("bm25s").setLevel(max(log.getEffectiveLevel(), logging.INFO))
        self.chunks = list(chunks)
        self._model = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [tokenize(c.context) or ["_leeg_"] for c in self.chunks]
        self._df: dict[str, int] = {}
        for tokens in corpus:
            for t in set(tokens):
                self._df[t] = self._df.get(t, 0) + 1
        if corpus:
            self._model.index(corpus, show_progress=False)
        self._masks: dict[str, np.ndarray] = {}
        self._metas: list[dict[str, Any]] | None = None
        self._positions: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunks):
            self._positions.setdefault(c.doc_id, []).append(i)

    def search(
        self,
        query: str,
        k: int,
        allowed: set[str] | None = None,
        mask: np.ndarray | None = None,
    ) -> list[tuple[Chunk, float]]:
        """Top-k chunks with their BM25 scores. `allowed` restricts to those doc ids, `mask`
        (one bool per chunk, see `mask_where`) to those chunks — before the top k is taken,
        so a narrow filter still gets its k best."""
        if not self.chunks:  # an empty index has no fitted model (and no vocab) to ask
            return []
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._model.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            keep = np.zeros(len(self.chunks), dtype=bool)
            for doc_id in allowed:
                keep[self._positions.get(doc_id, [])] = True
            scores = np.where(keep, scores, 0.0)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(self.chunks))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunks[i], float(scores[i])) for i in top if scores[i] > 0]

    def mask_where(self, where: dict[str, Any] | None) -> np.ndarray | None:
        """One bool per chunk: its metadata satisfies the Chroma `where` (None: no filter).
        Cached per filter: a chat session asks many questions under the same one."""
        if not where:
            return None
        key = json.dumps(where, sort_keys=True, default=str)
        mask = self._masks.get(key)
        if mask is None:
            if self._metas is None:
                self._metas = [c.to_metadata() for c in self.chunks]
            mask = np.fromiter(
                (matches(m, where) for m in self._metas), dtype=bool, count=len(self._metas)
            )
            if len(self._masks) >= 64:
                self._masks.pop(next(iter(self._masks)))
            self._masks[key] = mask
        return mask

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_masks"], state["_metas"] = {}, None  # caches, not worth a disk write
        return state

    @property
    def _vocab(self) -> dict[str, int]:
        vocab: dict[str, int] = self._model.vocab_dict
        return vocab

    @property
    def vocabulary(self) -> Collection[str]:
        """Every stem in the index (for splitting compounds into known words); a view, no copy."""
        return self._df.keys()

    def idf(self, token: str) -> float:
        """Inverse document frequency; a word no passage contains gets the highest value."""
        n = len(self.chunks)
        df = self.doc_freq(token)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def doc_freq(self, token: str) -> int:
        return self._df.get(token, 0)


TOKENIZER_VERSION = "nl-lemma-verb-porter-6"  # part of the cache key: a new tokenizer rebuilds BM25


def fingerprint(doc_ids: Iterable[str], manifest_key: str) -> str:
    h = hashlib.sha256(f"{TOKENIZER_VERSION}|{manifest_key}".encode())
    for doc_id in sorted(doc_ids):
        h.update(doc_id.encode())
    return h.hexdigest()[:24]


def load_or_build(
    cache_dir: Path | None,
    key: str,
    chunks: Iterable[Chunk] | None = None,
    *,
    loader: object = None,
    name: str = "bm25",
) -> BM25Index:
    """The cached BM25 index for `key`, or a new one built from the chunks (then cached).
    `name` tells apart indexes kept side by side (one per audience); each keeps one file."""
    path = cache_dir / f"{name}-{key}.pkl" if cache_dir else None
    if path and path.is_file():
        try:
            with path.open("rb") as fh:
                index = pickle.load(fh)
            if isinstance(index, BM25Index):
                return index
        except Exception as exc:  # a stale or broken cache is rebuilt, never fatal
            log.warning("BM25 cache %s unreadable (%s); rebuilding", path, exc)
    source = chunks if chunks is not None else loader()  # type: ignore[operator]
    index = BM25Index(list(source))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{name}-*.pkl"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return index
