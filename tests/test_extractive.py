"""The extractive answerer: sentence splitting, verbatim cited answers, and explicit refusals."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from helpers_chunks import make_chunk
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer.candidates import ExtractiveSettings
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.models import Answer
from assistant.prompts import REFUSAL
from assistant.verify.citations import cited_keys, normalize_ws, quote_on_page
from assistant.verify.sentences import sentences
from index.retriever import RetrievedChunk
from index.tokens import tokenize
from ingest.models import PAGE_SEPARATOR, Chunk

# --- sentences() ------------------------------------------------------------------------------


def assert_offsets_exact(text: str, found: list[tuple[int, str]]) -> None:
    end = 0
    for offset, sentence in found:
        assert text[offset : offset + len(sentence)] == sentence
        assert offset >= end, "sentences overlap or go backwards"
        end = offset + len(sentence)


@pytest.mark.parametrize(
    "text",
    [
        "Dit is een zin over de\naanbesteding van jeugdhulp. En nog een zin hier erna!",
        "  Ingesprongen tekst met spaties ervoor.  \n\n\tEn een tab voor deze zin hier.",
        "Inleiding\r\nDe regio's gaan per 1 januari 2026 de overeenkomsten niet verlengen.\r\n",
        "- eerste punt van de lijst;\n- tweede punt van de lijst;\n\n1. genummerd punt hier.",
        "Het tarief is € 45,00 per uur (excl. btw). Zie art. 2.3 van de overeenkomst.",
    ],
)
def test_sentence_offsets_point_at_the_sentence(text: str) -> None:
    found = sentences(text)
    assert found
    assert_offsets_exact(text, found)


# No "\r": readers turn CRLF into "\n" before anything is split.
TOKENS = st.sampled_from(
    [
        "jeugdhulp", "de", "Zorg", "bijv.", "o.a.", "i.p.v.", "mr.", "2026.", "€ 45,00", ".", "!",
        "?", ":", ";", " ", "\n", "\n\n", "\t", "- ", "• ", "1. ", "a) ", "**", "#", "’",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=40).map("".join))
def test_sentence_offsets_exact_for_any_text(text: str) -> None:
    found = sentences(text)
    assert_offsets_exact(text, found)
    assert all(s == s.strip() and len(s.split()) >= 3 for _, s in found)


def test_hard_wrapped_lines_inside_a_paragraph_stay_one_sentence() -> None:
    text = (
        "De regio's Midden-Limburg Oost en Midden-Limburg West gaan per 1 januari 2026 hun\n"
        "overeenkomsten voor ambulante hulpverlening jeugd niet\n"
        "verlengen. Daarom kiezen de twee regio's ervoor om samen te werken."
    )
    found = [s for _, s in sentences(text)]
    assert len(found) == 2
    assert found[0].startswith("De regio's") and found[0].endswith("niet\nverlengen.")
    assert found[1] == "Daarom kiezen de twee regio's ervoor om samen te werken."


def test_list_items_are_separate_sentences() -> None:
    text = (
        "De uitgangspunten voor de aanbesteding zijn:\n"
        "- Administratieve lasten houden we beperkt door aan te sluiten bij standaarden;\n"
        "- We verwachten dat aanbieders zich lokaal organiseren;\n"
        "• Medeverantwoordelijkheid voor financiële houdbaarheid van jeugdhulp;\n"
        "1. Wij monitoren of wat we doen ook daadwerkelijk werkt."
    )
    found = [s for _, s in sentences(text)]
    assert found[0] == "De uitgangspunten voor de aanbesteding zijn:"
    assert found[1] == (
        "Administratieve lasten houden we beperkt door aan te sluiten bij standaarden;"
    )
    assert found[2] == "We verwachten dat aanbieders zich lokaal organiseren;"
    assert found[3] == "Medeverantwoordelijkheid voor financiële houdbaarheid van jeugdhulp;"
    assert found[4].endswith("Wij monitoren of wat we doen ook daadwerkelijk werkt.")
    assert len(found) == 5


def test_blank_line_ends_a_paragraph_without_a_full_stop() -> None:
    text = "Het college heeft besloten de regio te volgen\n\nDe raad is akkoord met het plan"
    assert [s for _, s in sentences(text)] == [
        "Het college heeft besloten de regio te volgen",
        "De raad is akkoord met het plan",
    ]


def test_heading_line_is_not_glued_to_the_next_sentence() -> None:
    text = "Vervolg\nMomenteel wordt gewerkt aan de productbeschrijvingen en inkoopdocumenten."
    assert [s for _, s in sentences(text)] == [
        "Momenteel wordt gewerkt aan de productbeschrijvingen en inkoopdocumenten."
    ]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "Lasten blijven beperkt door bijv. landelijke standaarden te volgen. Dat scheelt werk.",
            "Lasten blijven beperkt door bijv. landelijke standaarden te volgen.",
        ),
        (
            "Zorg wordt o.a. geleverd door aanbieders i.p.v. de gemeente zelf. Dat is nieuw hier.",
            "Zorg wordt o.a. geleverd door aanbieders i.p.v. de gemeente zelf.",
        ),
        (
            "Het tarief geldt excl. btw en incl. reiskosten per uur. De index volgt later nog.",
            "Het tarief geldt excl. btw en incl. reiskosten per uur.",
        ),
    ],
)
def test_no_split_after_dutch_abbreviations(text: str, first: str) -> None:
    found = sentences(text)
    assert found[0][1] == first
    assert len(found) == 2


# --- ExtractiveAnswerer ------------------------------------------------------------------------

PAGE_3 = (
    "Met deze brief informeren we u over de aanbesteding van ambulante jeugdhulp.\n"
    "Het college heeft de inkoopstrategie op 19 maart 2024 vastgesteld."
)
PAGE_4 = (
    "De gunning is omstreeks februari 2025, waarna een ruime implementatieperiode start.\n"
    "Op 1 januari 2026 gaan de nieuwe contracten voor ambulante jeugdhulp in."
)
OTHER_TEXTS = [  # the rest of the collection: makes words like "gemeente" common, not rare
    "De gemeente vergadert over de begroting en het parkeerbeleid van het centrum.",
    "De gemeente koopt Wmo-ondersteuning in bij aanbieders in de regio.",
    "Het tarief voor begeleiding wordt jaarlijks geïndexeerd door de gemeente.",
    "Frankrijk is een land in Europa.",  # so "Frankrijk" is known, just not retrieved
]


def fake_idf(texts: list[str]) -> Callable[[str], float]:
    """BM25-style idf over a small collection; unknown words get the highest value."""
    docs = [set(tokenize(t)) for t in texts]
    n = len(docs)

    def idf(token: str) -> float:
        df = sum(token in d for d in docs)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    return idf


def pages_of(*chunks: Chunk) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for chunk in chunks:
        bounds = [0, *chunk.page_breaks, len(chunk.text) + len(PAGE_SEPARATOR)]
        for i in range(len(bounds) - 1):
            page_text = chunk.text[bounds[i] : bounds[i + 1] - len(PAGE_SEPARATOR)]
            out[(chunk.doc_id, chunk.page + i)] = page_text
    return out


def answerer_for(
    chunks: list[Chunk], pages: dict[tuple[str, int], str] | None = None
) -> ExtractiveAnswerer:
    pages = pages_of(*chunks) if pages is None else pages
    idf = fake_idf([c.text for c in chunks] + OTHER_TEXTS)
    return ExtractiveAnswerer(idf, lambda doc_id, page: pages.get((doc_id, page)))


def hits(*chunks: Chunk) -> list[RetrievedChunk]:
    return [RetrievedChunk(c, 1.0 / (i + 1)) for i, c in enumerate(chunks)]


def assert_well_cited(answer: Answer, pages: dict[tuple[str, int], str]) -> None:
    assert not answer.refused
    assert [c.key for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert cited_keys(answer.answer) == [c.key for c in answer.citations]
    for c in answer.citations:
        assert quote_on_page(c.quote, pages[(c.doc_id, c.page)])
        assert f"{c.quote} [{c.key}]" in answer.answer


def assert_refused(answer: Answer) -> None:
    assert answer.refused
    assert answer.citations == ()
    assert REFUSAL in answer.answer
    assert "Dit staat niet in de documenten" in answer.answer
    assert answer.notes  # says why


BRIEF = make_chunk("weert", [PAGE_3, PAGE_4], first_page=3)


@pytest.mark.parametrize(
    ("question", "quote", "page"),
    [
        (
            "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?",
            "Op 1 januari 2026 gaan de nieuwe contracten voor ambulante jeugdhulp in.",
            4,
        ),
        (
            "Wanneer is de gunning?",
            "De gunning is omstreeks februari 2025, waarna een ruime implementatieperiode start.",
            4,
        ),
        (
            "Wanneer heeft het college de inkoopstrategie vastgesteld?",
            "Het college heeft de inkoopstrategie op 19 maart 2024 vastgesteld.",
            3,
        ),
    ],
)
def test_answers_with_the_covering_sentence_and_its_page(
    question: str, quote: str, page: int
) -> None:
    answerer = answerer_for([BRIEF])
    answer = answerer.answer(question, hits(BRIEF))
    assert_well_cited(answer, pages_of(BRIEF))
    first = answer.citations[0]
    assert first.quote == quote
    assert first.page == page
    assert (first.source, first.title, first.doc_id) == ("weert.txt", "Brief weert", "weert")
    # a when-question leads with its date, taken from the quote, then the quote
    short, _, rest = answer.answer.partition("\n\n")
    assert short.endswith(".") and short[:-1].lower() in quote.lower()
    assert rest.startswith("Volgens de documenten:")
    assert f"{quote} [1]" in answer.answer
    assert answer.to_dict()["citations"][0]["page"] == page


@pytest.mark.parametrize(
    "question",
    [
        "Wat is de hoofdstad van Frankrijk?",
        "Hoeveel parkeerplaatsen heeft het gemeentehuis van Weert?",
        "Wanneer gaan de nieuwe contracten voor huishoudelijke ondersteuning in?",
    ],
)
def test_refuses_when_the_rare_words_of_the_question_are_absent(question: str) -> None:
    answer = answerer_for([BRIEF]).answer(question, hits(BRIEF))
    assert_refused(answer)


@pytest.mark.parametrize("question", ["", "   ", "Wat is het?", "?!", "Wie, wat, waar en wanneer?"])
def test_refuses_a_question_without_content_words(question: str) -> None:
    answer = answerer_for([BRIEF]).answer(question, hits(BRIEF))
    assert_refused(answer)


def test_refuses_without_passages() -> None:
    answer = answerer_for([BRIEF]).answer("Wanneer is de gunning?", [])
    assert_refused(answer)


def test_refuses_when_the_quote_is_not_on_the_stored_page() -> None:
    # The page store holds other text (a re-OCRed page, say): the citation cannot be checked.
    pages = {("weert", 3): PAGE_3, ("weert", 4): "Deze pagina is leeg gelaten."}
    answer = answerer_for([BRIEF], pages).answer(
        "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?", hits(BRIEF)
    )
    assert_refused(answer)
    assert "verified" in answer.notes[0]


def test_refuses_when_the_page_is_missing() -> None:
    answer = answerer_for([BRIEF], pages={}).answer("Wanneer is de gunning?", hits(BRIEF))
    assert_refused(answer)


def test_drops_an_unverifiable_citation_and_renumbers_the_rest() -> None:
    a = make_chunk(
        "maasgouw", ["Op 1 januari 2026 gaan de nieuwe contracten voor ambulante jeugdhulp in."]
    )
    b = make_chunk(
        "weert", ["De nieuwe contracten voor ambulante jeugdhulp gaan in op 1 januari 2026."]
    )
    question = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"
    both = answerer_for([a, b]).answer(question, hits(a, b))
    assert_well_cited(both, pages_of(a, b))
    assert [c.doc_id for c in both.citations] == ["maasgouw", "weert"]

    pages = {**pages_of(a, b), ("maasgouw", 1): "Een andere tekst op deze pagina."}
    one = answerer_for([a, b], pages).answer(question, hits(a, b))
    assert_well_cited(one, pages)
    assert [(c.key, c.doc_id) for c in one.citations] == [(1, "weert")]
    assert "[2]" not in one.answer
    assert one.answer == (
        "1 januari 2026.\n\nVolgens de documenten: De nieuwe contracten voor ambulante "
        "jeugdhulp gaan in op 1 januari 2026. [1]"
    )


def test_never_cites_the_same_sentence_twice() -> None:
    # Two letters carry the same sentence (and a chunk overlap repeats it once more).
    sentence = "Op 1 januari 2026 gaan de nieuwe contracten voor ambulante jeugdhulp in."
    a = make_chunk("maasgouw", [f"Vervolg van de brief.\n\n{sentence}"])
    b = make_chunk("weert", [f"{PAGE_3}\n{sentence}"])
    c = make_chunk("weert-overlap", [sentence.replace("  ", " ")])
    answer = answerer_for([a, b, c]).answer(
        "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?", hits(a, b, c)
    )
    assert_well_cited(answer, pages_of(a, b, c))
    quotes = [normalize_ws(c.quote) for c in answer.citations]
    assert quotes.count(sentence) == 1
    assert len(set(quotes)) == len(quotes)
    assert answer.answer.count(sentence) == 1


# A sentence that runs on over a page break: no single page holds all of it.
RUN_ON = make_chunk(
    "brief",
    [
        "De nieuwe contracten voor ambulante jeugdhulp gaan in op",
        "1 januari 2026, zo heeft het college besloten.",
    ],
    first_page=7,
)


def test_a_quote_never_crosses_a_page_break() -> None:
    answer = answerer_for([RUN_ON]).answer(
        "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?", hits(RUN_ON)
    )
    for c in answer.citations:
        assert quote_on_page(c.quote, pages_of(RUN_ON)[(c.doc_id, c.page)])
        assert c.page in (7, 8)


def test_a_sentence_cut_by_a_page_break_is_not_answered_with_a_fragment() -> None:
    answer = answerer_for([RUN_ON]).answer(
        "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?", hits(RUN_ON)
    )
    assert answer.refused or "1 januari 2026" in answer.answer


def test_coverage_and_focus_settings_are_the_refusal_threshold() -> None:
    # Half of the rare words ("gunning" yes, "Frankrijk" no): refused at the default threshold.
    question = "Wanneer is de gunning in Frankrijk?"
    strict = answerer_for([BRIEF])
    assert strict.answer(question, hits(BRIEF)).refused
    pages = pages_of(BRIEF)
    lenient = ExtractiveAnswerer(
        fake_idf([BRIEF.text, *OTHER_TEXTS]),
        lambda d, p: pages.get((d, p)),
        ExtractiveSettings(
            min_coverage=0.2, min_focus=0.0, min_focus_typed=0.0, max_missing_weight=1.0
        ),
    )
    answer = lenient.answer(question, hits(BRIEF))
    assert_well_cited(answer, pages)
    assert "februari 2025" in answer.citations[0].quote


def test_max_sentences_limits_the_answer() -> None:
    pages = pages_of(BRIEF)
    answerer = ExtractiveAnswerer(
        fake_idf([BRIEF.text, *OTHER_TEXTS]),
        lambda d, p: pages.get((d, p)),
        ExtractiveSettings(max_sentences=1, min_coverage=0.1),
    )
    answer = answerer.answer("ambulante jeugdhulp contracten gunning", hits(BRIEF))
    assert_well_cited(answer, pages)
    assert len(answer.citations) == 1


def test_the_answerers_tuned_numbers_come_from_settings() -> None:
    """Issue 20 §0: every tuned number of the answerer is a field of `Settings` (with the
    measurement behind it there), read when the answerer's settings are made, not at import."""
    from assistant.answer.candidates import TUNED
    from assistant.question import read_question
    from assistant.settings import Settings

    assert set(TUNED) <= set(Settings.model_fields)
    defaults = ExtractiveSettings()
    assert all(getattr(defaults, n) == Settings.model_fields[n].default for n in TUNED)
    changed = Settings(min_coverage=0.9, score_rank=0.0)
    made = ExtractiveSettings.of(changed, max_sentences=1)
    assert (made.min_coverage, made.score_rank, made.max_sentences) == (0.9, 0.0, 1)
    # without the rank's weight, a lower-ranked sentence with the same evidence is not behind
    pages = pages_of(BRIEF)
    flat = ExtractiveAnswerer(
        fake_idf([BRIEF.text, *OTHER_TEXTS]), lambda d, p: pages.get((d, p)), made
    )
    ranked = answerer_for([BRIEF])
    question = "Wanneer is de gunning?"
    by_rank = {c.text: c.score for c in ranked.candidates(read_question(question), hits(BRIEF))}
    without = {c.text: c.score for c in flat.candidates(read_question(question), hits(BRIEF))}
    assert all(by_rank[t] - without[t] == pytest.approx(0.1) for t in without)


def test_no_quote_is_shown_again_inside_another() -> None:
    from assistant.answer.compose import distinct_quotes

    quotes = [
        "De gunning is omstreeks februari 2025.",
        "Daarna volgt de implementatie. De gunning is omstreeks februari 2025.",
        "Op 1 januari 2026 gaan de contracten in.",
        "de gunning is omstreeks februari 2025",  # the same words, other case and stops
    ]
    # the longer quote takes the first one's place; the repeat is left out
    assert distinct_quotes(quotes) == [1, 2]
