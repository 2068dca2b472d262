"""The default answerer: picks the sentences that answer the question, each with a citation.

No language model: the answer is made of verbatim sentences from the retrieved passages, so
it can never say more than the documents do. A sentence answers when it covers enough of the
question's content words (weighted by how rare they are; word forms, compounds and the
procurement thesaurus count, `index.vocabulary`), or fewer of them but means the same
(`answer.semantic`) — and, for a question that asks a date, amount, number, duration or
person, when it holds one (`answer.types`). Otherwise it refuses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from assistant.answer.candidates import Candidate, ExtractiveSettings, Term
from assistant.answer.compose import direct_answer, distinct_quotes, short_answer
from assistant.answer.facts import asks_definition, defined_terms, defines
from assistant.answer.passage import is_formula, with_antecedent
from assistant.answer.passage import row_question as row_question_of
from assistant.answer.semantic import SentenceEncoder
from assistant.answer.types import (
    NEEDS,
    NEGATION,
    answer_type,
    has_type,
    relative_to,
)
from assistant.models import Answer, Citation
from assistant.prompts import REFUSAL_WITH_HINT
from assistant.question import KIND_WORDS, Kind, Question, asking_sentence, read_question
from assistant.verify.citations import quote_on_page
from assistant.verify.sentences import chunk_sentences, display_quote, with_list
from index.retriever import RetrievedChunk
from index.tokens import DUTCH_STOPWORDS, token, tokenize
from index.vocabulary import Sayings, filler_words, wanted, words


class ExtractiveAnswerer:
    def __init__(
        self,
        idf: Callable[[str], float],
        page_text: Callable[[str, int], str | None],
        settings: ExtractiveSettings | None = None,
        encoder: SentenceEncoder | None = None,
        known: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self.idf = idf
        self.page_text = page_text
        # a table row's page, for the passages that start inside the row: pages are keyed
        # by content (doc_id), so what was read stays true
        self._row_page = functools.lru_cache(maxsize=512)(page_text)
        self.settings = settings or ExtractiveSettings()
        self.encoder = encoder  # None: lexical evidence only
        self.known = known or (lambda: ())  # indexed stems, for compound splitting

    def answer(self, question: str | Question, hits: Sequence[RetrievedChunk]) -> Answer:
        q = question if isinstance(question, Question) else read_question(question)
        terms = self.terms(q.text, q.kind)
        if not terms:
            return self._refuse(q, "no content words in the question")
        if sum(t.weight for t in terms) == 0:
            return self._refuse(q, "none of the question's words occur")
        candidates = self.candidates(q, hits, terms)
        typed_kind = NEEDS.get(q.kind) not in (None, "deontic", "cause")
        eligible = [c for c in candidates if self.accepts(c, terms, typed_kind)]
        if asks_definition(q):  # what a term means: its definition when one is found, else a
            # sentence that names the whole term; never one that merely uses one of its words
            # (in another sense)
            named = [t.casefold() for t in defined_terms(q)]
            eligible = [c for c in eligible if c.defines] or [
                c for c in eligible if all(t in c.text.casefold() for t in named)
            ]
        if not eligible:
            best = max((c.coverage for c in candidates), default=0.0)
            return self._refuse(q, f"best coverage {best:.2f}")
        return self._compose(q, self._choose(eligible))

    def terms(self, text: str, kind: Kind = "open") -> list[Term]:
        """The question's content words, each once, weighted by rarity in the collection.
        Words that only say what kind of answer is wanted ("hoe lang", "hoe hoog") are left
        to the answer-type check of that kind. Words only in the context before the asking
        sentence ("Er is een mail naar de verkeerde persoon gegaan. Hoe snel moet ik dat
        melden?") may be missing from an answer (measured: a lower weight for them changed
        nothing on the dev sets; not counting them as missing answered one more)."""
        out: dict[str, Term] = {}
        asked_by_kind = KIND_WORDS.get(kind, frozenset())
        asking = asking_sentence(text)
        asked_words = set(words(asking)) if asking != text else None
        for word in words(text):
            if word in DUTCH_STOPWORDS or word in filler_words() or len(word) < 2 or "-" in word:
                continue
            if word in asked_by_kind:
                continue
            key = token(word)
            context = asked_words is not None and word not in asked_words
            weight = max(self.idf(key), 0.0)
            if key not in out:
                out[key] = Term(word, key, weight, context)
            elif out[key].context and not context:
                out[key] = Term(word, key, weight, False)
        return list(out.values())

    def accepts(self, c: Candidate, terms: Sequence[Term], typed_kind: bool = False) -> bool:
        """Enough of the question's weight and not too many of its words missing; or less of
        it with a close meaning; and always the answer type the question needs."""
        if c.defines:
            return True
        if not c.typed or not c.asked:
            return False
        s = self.settings
        allowance = max(1, int(sum(not t.context for t in terms) * s.max_missing))
        focus = s.min_focus_typed if typed_kind else s.min_focus
        if (
            c.coverage >= s.min_coverage
            and c.missing <= allowance
            and c.wide >= 1 - s.max_missing_weight
            and c.focus >= focus
        ):
            return True
        return c.semantic >= s.semantic_min and c.focus >= s.semantic_focus

    def passage_shares(
        self, q: Question, hits: Sequence[RetrievedChunk], terms: Sequence[Term] | None = None
    ) -> list[float]:
        """Per passage, the share of the question's weighted content words it says anywhere
        (its text, heading and title): how much it is about the question. Words only in the
        context before the asking sentence count `context_share_weight` of their weight."""
        terms = list(terms if terms is not None else self.terms(q.text, q.kind))
        # the words of the context before the asking sentence say less of what it is about
        weigh = self.settings.context_share_weight
        terms = [replace(t, weight=t.weight * weigh) if t.context else t for t in terms]
        total = sum(t.weight for t in terms) or 1.0
        sayings = self.sayings(terms)
        shares = []
        for hit in hits:
            c = hit.chunk
            said = sayings.said(_stems(f"{c.title} {c.heading} {c.text}"))
            shares.append(sum(t.weight for t in terms if t.token in said) / total)
        return shares

    def sayings(self, terms: Sequence[Term]) -> Sayings:
        """How each of the question's words may be said, read once for all its texts."""
        known = self.known()
        return Sayings({t.token: wanted(t.word, t.token, known) for t in terms})

    def candidates(
        self,
        q: Question,
        hits: Sequence[RetrievedChunk],
        terms: Sequence[Term] | None = None,
        semantic: bool = True,
    ) -> list[Candidate]:
        """Every quotable sentence of the passages, scored; best first (`semantic`: with the
        sentence vectors' similarity, which only admits a direct answer)."""
        terms = list(terms if terms is not None else self.terms(q.text, q.kind))
        total = sum(t.weight for t in terms) or 1.0
        sayings = self.sayings(terms)  # once per question
        question_tokens = set(sayings.wanted)
        needs = answer_type(q.kind, q.text)
        # "Voor welke zorg geldt het protocol juist niet?": the answer names what is excluded
        negated = q.kind in ("which", "what-is", "open") and bool(
            NEGATION.search(asking_sentence(q.text))
        )  # (a why- or may-question with "geen" asks a reason or a rule, not an exclusion)
        asked_terms = defined_terms(q)
        # a conditional question's own words ("krijg ik dan een overeenkomst"): one of them
        # must stand in the sentence itself, as a word (not inside "conceptovereenkomst")
        main = q.main_clause
        main_tokens = (
            {t.token for t in self.terms(main, q.kind)} & question_tokens if main else set()
        )

        found_in = sayings.said  # the question's words a text with these stems says

        def weight(found: frozenset[str]) -> float:
            return sum(t.weight for t in terms if t.token in found) / total

        # per sentence: the question's words in it, with its heading and title, and with its
        # neighbours too
        Found = frozenset[str]
        rows: list[tuple[int, RetrievedChunk, int, str, Found, Found, Found]] = []
        for rank, hit in enumerate(hits):
            chunk = hit.chunk
            frame = _stems(f"{chunk.title} {chunk.heading}")
            found = chunk_sentences(chunk)
            token_sets = [_stems(s) for _, s in found]
            for i, (start, text) in enumerate(found):
                if len(text.split()) > self.settings.max_sentence_words or is_formula(text):
                    continue
                own = token_sets[i]
                near = set().union(*token_sets[max(0, i - 1) : i], *token_sets[i + 1 : i + 2])
                # an answer cell: the row's question is its heading, when it asks what the
                # question asks (half its weight or more)
                row_question = _stems(row_question_of(chunk, start, text, self._row_page))
                asks_it = weight(found_in(row_question)) >= self.settings.min_row_question
                own_frame = frame | row_question if asks_it else frame
                rows.append(
                    (
                        rank,
                        hit,
                        start,
                        text,
                        found_in(own),
                        found_in(own | own_frame),
                        found_in(own | own_frame | near),
                    )
                )
        # The question's focus: its words that few of the candidate sentences say. Words every
        # passage shares ("ambulante jeugdhulp" in a dossier on it) say what it is about, not
        # what it asks.
        # (smoothed: among two sentences that both say a word, it may still be the focus)
        spread = {t.token: sum(t.token in row[5] for row in rows) / (len(rows) + 2) for t in terms}
        focus_weight = {t.token: t.weight * (1 - spread[t.token]) for t in terms}
        focus_total = sum(focus_weight.values()) or 1.0
        out = []
        for rank, hit, start, text, own_found, local_found, wide_found in rows:
            # Evidence: the sentence with its heading and title; neighbours count half.
            local, wide = weight(local_found), weight(wide_found)
            coverage = local + 0.5 * (wide - local)
            missing = sum(not t.context and t.token not in wide_found for t in terms)
            own_share = weight(own_found)
            focus = sum(focus_weight[t] for t in local_found) / focus_total
            typed = (
                has_type(text, needs, q.text)
                and not (q.kind == "when" and relative_to(text, question_tokens, token))
                and (not negated or bool(NEGATION.search(text)))
            )
            defining = any(defines(text, t) for t in asked_terms)
            asked = not main_tokens or bool(main_tokens & _stems(text))
            # ranks by what separated right from wrong answers on the dev set: coverage and
            # focus alike; the sentence vector only admits (`accepts`), it does not rank
            w = self.settings
            score = (
                w.score_coverage * coverage
                + w.score_focus * focus
                + w.score_own * own_share
                + w.score_rank / (1 + rank)
                + (w.score_definition if defining else 0.0)
            )
            out.append(
                Candidate(
                    rank,
                    hit,
                    start,
                    text,
                    score,
                    coverage,
                    missing,
                    0.0,
                    typed,
                    defining,
                    focus,
                    wide,
                    asked,
                )
            )
        if semantic:
            out = self._with_semantic(q.text, out)
        out.sort(key=lambda c: (-c.score, c.rank, c.start))
        return out

    def _with_semantic(self, question: str, found: list[Candidate]) -> list[Candidate]:
        """The sentence vectors' similarity, for the candidates it can still admit only (typed,
        enough focus): encoding is most of an answer's time, so the rest are left at 0."""
        s = self.settings
        admissible = [i for i, c in enumerate(found) if c.typed and c.focus >= s.semantic_focus]
        if self.encoder is not None and admissible:
            texts = [_with_heading(found[i]) for i in admissible]
            sims = self.encoder.similarities(question, texts)
            for i, sim in zip(admissible, sims, strict=True):
                found[i] = replace(found[i], semantic=float(sim))
        return found

    def _choose(self, candidates: list[Candidate]) -> list[Candidate]:
        best = candidates[0].score
        chosen: list[Candidate] = []
        seen_text: set[str] = set()
        for cand in candidates:
            if len(chosen) >= self.settings.max_sentences or cand.score < 0.85 * best:
                break
            norm = " ".join(tokenize(cand.text))
            if norm in seen_text:  # the same sentence in another letter or an overlap
                continue
            seen_text.add(norm)
            chosen.append(cand)
        return chosen

    def _compose(self, q: Question, chosen: list[Candidate]) -> Answer:
        quoted: list[tuple[Candidate, int, str]] = []
        for cand in chosen:
            chunk = cand.hit.chunk
            page = chunk.page_at(cand.start)
            page_text = self.page_text(chunk.doc_id, page)
            quote = with_list(with_antecedent(chunk, cand.start, cand.text), page_text)
            if not quote_on_page(quote, page_text):
                continue  # a citation that cannot be checked is dropped
            quoted.append((cand, page, quote))
        citations: list[Citation] = []
        lines: list[str] = []
        for i in distinct_quotes([quote for _, _, quote in quoted]):
            cand, page, quote = quoted[i]
            key = len(citations) + 1
            citations.append(Citation.of_chunk(key, cand.hit.chunk, page, quote, cand.score))
            lines.append(f"{display_quote(quote)} [{key}]")
        if not citations:
            return self._refuse(q, "no quote could be verified")
        span = short_answer(citations, NEEDS.get(q.kind))
        short = f"{span[0].upper()}{span[1:]}" if span else None  # the short answer leads
        return direct_answer(q.text, citations, lines, short)

    def _refuse(self, q: Question, why: str) -> Answer:
        return Answer(q.text, REFUSAL_WITH_HINT, True, notes=(why,))


def _stems(text: str) -> set[str]:
    return {token(w) for w in words(text) if w not in DUTCH_STOPWORDS}


def _with_heading(c: Candidate) -> str:
    heading = c.hit.chunk.heading
    return f"{heading}: {c.text}" if heading else c.text
