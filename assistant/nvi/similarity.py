"""How alike two NvI questions are: a score in [0, 1] for every pair of a question set.

Two questions are scored by TF-IDF cosine over Dutch stems and bigrams of adjacent words
(`index.tokens.tokenize`), the idf taken from the question set itself, so the words every
provider uses ("hardheidsclausule" in a note about it) count for little. Sentences that ask
(ending in "?") weigh more than the context around them; long quotations weigh less. Where two
questions share a passage (a quote from the tender documents, a branch organisation's template)
and each has a fair part of its own, the score rests on those own parts: the same preamble with
different questions is not a duplicate. Pairs sharing only one word are scaled down, optional
dense vectors add a little, and a shared or differing paragraph nudges the score
(`nvi.locations`). `nvi.cluster` groups questions on these scores.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.nvi.locations import location_adjustments, location_refs
from assistant.nvi.models import question_key
from index.tokens import tokenize

# Bigrams make a shared phrase count more than the same words scattered.
BIGRAM_WEIGHT = 0.5
# When a question has a "?" sentence, the rest (the provider's context) weighs this much.
CONTEXT_WEIGHT = 0.5
# A quotation of this many words or more is taken from the tender documents.
LONG_QUOTE_WORDS = 8
QUOTE_WEIGHT = 0.3
# One word in common is not a duplicate: fewer shared words scale the score down.
MIN_SHARED = 2
# Shared passages: runs of this many content words; a question with at most CONTAINED of its
# words outside them is (nearly) contained in the other.
SHINGLE = 3
CONTAINED = 0.2
REST_BLEND = 0.5
# Optional dense vectors: their share of the score (rescaled, see _dense_part).
DENSE_WEIGHT = 0.2


@dataclass(frozen=True)
class ClusterItem:
    """One question to group; `location` is the paragraaf/pagina it refers to, as written."""

    key: int
    text: str
    location: str = ""


def similarity_matrix(
    items: Sequence[ClusterItem],
    vectors: Sequence[Sequence[float]] | None = None,
    dense_weight: float = DENSE_WEIGHT,
) -> np.ndarray:
    """Symmetric pairwise scores in [0, 1] (diagonal 1), in the order of `items`."""
    n = len(items)
    if vectors is not None and len(vectors) != n:
        raise ValueError(f"{len(vectors)} vectors for {n} questions; give one per question")
    if n == 0:
        return np.zeros((0, 0))
    words = [_words(it.text) for it in items]
    sims, idf = _tfidf_cosines([_bag(w) for w in words])
    _discount_shared_passages(sims, words, idf)
    if vectors is not None and dense_weight > 0:
        sims = (1 - dense_weight) * sims + dense_weight * _dense_part(vectors)
    sims = sims + location_adjustments([location_refs(it.location) for it in items])
    same_text: dict[str, list[int]] = {}
    for k, it in enumerate(items):
        same_text.setdefault(question_key(it.text), []).append(k)
    for text, ks in same_text.items():  # the same question sent twice, whatever its words
        if text and len(ks) > 1:
            sims[np.ix_(ks, ks)] = 1.0
    sims = np.clip(sims, 0.0, 1.0)
    np.fill_diagonal(sims, 1.0)
    return sims


def similarity(a: ClusterItem, b: ClusterItem, context: Sequence[ClusterItem] = ()) -> float:
    """The score of two questions, with word weights from `context` (the whole question set)."""
    items = _with(context, a, b)
    sims = similarity_matrix(items)
    return float(sims[items.index(a), items.index(b)])


def explain(
    a: ClusterItem, b: ClusterItem, context: Sequence[ClusterItem] = (), limit: int = 8
) -> list[str]:
    """Shared significant words of two questions, most telling first, as written in `a`."""
    items = _with(context, a, b)
    idf = _idf([_bag(_words(it.text)) for it in items])
    stems_b = {s for w in _words(b.text) for s in w.stems}
    shared = {s for w in _words(a.text) for s in w.stems if s in stems_b}
    ranked = sorted(shared, key=lambda s: (-idf.get(s, 0.0), s))[:limit]
    surface = _surface_forms(a.text)
    return [surface.get(s, s) for s in ranked]


# --- features ---------------------------------------------------------------------------------

_SENTENCE = re.compile(r"\S.*?(?:[.?!]+(?=\s|$)|$)", re.S)
_QUOTE = re.compile(r"[\"“”„](.+?)[\"“”]|‘(.+?)’", re.S)
_WORD = re.compile(r"\w+")
# Stems of the formulas questions are asked in ("op basis van", "kunt u aangeven", "bent u
# bereid", "zo nee", "klopt het dat"): in a small question set they would look significant.
_FORMULA = frozenset(
    "aangef aangev aanzien basis bedoeld bent bereid betekent betrek bevest hoeverr irt kader "  # noqa: SIM905
    "kijkt klopt licht mbt motiver nee reactie sprak tegenan ten toe toelicht verstat".split()
)
# The word pattern of index.tokens.tokenize, applied word by word to keep positions.
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[a-zà-ÿ]+(?:['’-][a-zà-ÿ]+)*")


@dataclass(frozen=True)
class _Word:
    """A content word: its stem(s), its weight, and the bigram it closes (if any)."""

    stems: tuple[str, ...]
    weight: float
    bigram: str | None


def _words(text: str) -> list[_Word]:
    """Content words in order: asking sentences weigh 1, context and long quotes less."""
    text = text.replace("\u00ad", "").lower()
    quoted = [
        m.span()
        for m in _QUOTE.finditer(text)
        if len(_WORD.findall(m.group(0))) >= LONG_QUOTE_WORDS
    ]
    sentences = [m for m in _SENTENCE.finditer(text)]
    asks = any(m.group(0).rstrip().endswith("?") for m in sentences)
    words: list[_Word] = []
    for sentence in sentences:
        asking = not asks or sentence.group(0).rstrip().endswith("?")
        previous: tuple[str, ...] = ()
        for m in _TOKEN.finditer(text, sentence.start(), sentence.end()):
            stems = tuple(t for t in tokenize(m.group(0)) if t not in _FORMULA)
            if stems:
                weight = 1.0 if asking else CONTEXT_WEIGHT
                if any(lo <= m.start() < hi for lo, hi in quoted):
                    weight *= QUOTE_WEIGHT
                # only words that stand side by side make a bigram: a stopword breaks it
                bigram = f"{previous[0]} {stems[0]}" if previous else None
                words.append(_Word(stems, weight, bigram))
            previous = stems
    return words


def _bag(words: Sequence[_Word], keep: Sequence[bool] | None = None) -> dict[str, float]:
    bag: dict[str, float] = {}
    for k, w in enumerate(words):
        if keep is not None and not keep[k]:
            continue
        for s in w.stems:
            bag[s] = bag.get(s, 0.0) + w.weight
        if w.bigram:
            bag[w.bigram] = bag.get(w.bigram, 0.0) + w.weight * BIGRAM_WEIGHT
    return bag


def _idf(bags: Sequence[dict[str, float]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    return {t: _idf_of(len(bags), c) for t, c in df.items()}


def _idf_of(n: int, df: int) -> float:
    return math.log((1 + n) / (1 + df)) + 1.0


def _vector(bag: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log1p(w)) * idf.get(t, 0.0) for t, w in bag.items() if w > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


def _tfidf_cosines(bags: Sequence[dict[str, float]]) -> tuple[np.ndarray, dict[str, float]]:
    """TF-IDF cosines, scaled down where two questions share fewer than MIN_SHARED words."""
    idf = _idf(bags)
    n = len(bags)
    # A feature of one question only never adds to a dot product (it is in the norm already).
    vocab = {t: i for i, t in enumerate(sorted(t for t, v in idf.items() if v < _idf_of(n, 1)))}
    matrix = np.zeros((n, len(vocab)))
    for row, bag in enumerate(bags):
        for t, v in _vector(bag, idf).items():
            if t in vocab:
                matrix[row, vocab[t]] = v
    sims: np.ndarray = matrix @ matrix.T
    words = np.array([" " not in t for t in vocab], dtype=bool)
    present = (matrix[:, words] > 0).astype(np.float64)
    shared = present @ present.T
    sims *= np.minimum(1.0, shared / MIN_SHARED)
    return sims, idf


def _discount_shared_passages(
    sims: np.ndarray, words: Sequence[Sequence[_Word]], idf: dict[str, float]
) -> None:
    """Two questions that quote the same passage but ask different things are scored on the rest.

    A passage is a run of SHINGLE content words that both contain. When each question has a
    fair part of its own beyond the shared runs, only those parts are compared; when one is
    (nearly) all shared, it is the same question, maybe with more, and keeps its score.
    """
    index: dict[tuple[str, ...], set[int]] = {}
    shingles = []
    for d, ws in enumerate(words):
        stems = [w.stems[0] for w in ws]
        grams = [tuple(stems[k : k + SHINGLE]) for k in range(len(stems) - SHINGLE + 1)]
        shingles.append(grams)
        for g in grams:
            index.setdefault(g, set()).add(d)
    pairs = {
        (i, j) for docs in index.values() if len(docs) > 1 for i in docs for j in docs if i < j
    }
    for i, j in sorted(pairs):
        common = set(shingles[i]) & set(shingles[j])
        keep_i = _uncovered(shingles[i], common, len(words[i]))
        keep_j = _uncovered(shingles[j], common, len(words[j]))
        own_i = _own_share(words[i], keep_i)
        own_j = _own_share(words[j], keep_j)
        if min(own_i, own_j) <= CONTAINED:
            continue
        a = _vector(_bag(words[i], keep_i), idf)
        b = _vector(_bag(words[j], keep_j), idf)
        rest = sum(v * b.get(t, 0.0) for t, v in a.items())
        blended = REST_BLEND * sims[i, j] + (1 - REST_BLEND) * rest
        sims[i, j] = sims[j, i] = min(sims[i, j], blended)


def _own_share(words: Sequence[_Word], keep: Sequence[bool]) -> float:
    total = sum(w.weight for w in words)
    return sum(w.weight for w, k in zip(words, keep, strict=True) if k) / total if total else 0.0


def _uncovered(
    grams: Sequence[tuple[str, ...]], common: set[tuple[str, ...]], n: int
) -> list[bool]:
    keep = [True] * n
    for k, g in enumerate(grams):
        if g in common:
            keep[k : k + SHINGLE] = [False] * SHINGLE
    return keep


def _dense_part(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    """Dense cosines rescaled so the set's typical (median) pair is 0 and identity is 1.

    Embedding models differ in how close unrelated texts lie (MiniLM ~0.5, e5 ~0.85); the
    question set itself says where "unrelated" is.
    """
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    v = np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)
    cos = v @ v.T
    n = cos.shape[0]
    floor = float(np.median(cos[~np.eye(n, dtype=bool)])) if n > 2 else 0.0
    floor = min(floor, 0.95)
    part: np.ndarray = np.clip((cos - floor) / (1.0 - floor), 0.0, 1.0)
    return part


# --- helpers ----------------------------------------------------------------------------------


def _with(context: Sequence[ClusterItem], a: ClusterItem, b: ClusterItem) -> list[ClusterItem]:
    items = list(context)
    for it in (a, b):
        if it not in items:
            items.append(it)
    return items


def _surface_forms(text: str) -> dict[str, str]:
    forms: dict[str, str] = {}
    for word in _TOKEN.findall(text.lower()):
        for stem in tokenize(word):
            forms.setdefault(stem, word)
    return forms
