"""Where to read, wider than the passage that matched (issue 20, round 2).

An answer often stands in the passage next to the one search found: a contract article is cut
into ~90-word passages, and the words a person asks with ("onderaannemer", "uitbesteden") sit
in the article's first passage while the rule stands in its second. A shown passage therefore
comes with its neighbours in the same section, the marked sentence is sought in all of them,
and the text shows their overlap once.
"""

from __future__ import annotations

from conftest import LETTERS  # noqa: F401  (the shared fixtures load with conftest)
from helpers_chunks import make_chunk
from test_extractive import answerer_for, hits, pages_of

from assistant.answer.where_to_read import joined, where_to_read
from assistant.models import Passage
from assistant.question import read_question
from assistant.ui.render import render_passages
from index.lexical import BM25Index
from ingest.models import Chunk

ARTICLE = (
    "### Artikel 3.9 – Onderaannemers\n\n"
    "3.9.1 Opdrachtnemer mag voor de uitvoering van de overeenkomst onderaannemers inzetten "
    "als Opdrachtgever daar vooraf schriftelijk mee instemt. "
    "Opdrachtnemer blijft volledig verantwoordelijk voor het werk van de onderaannemer.\n\n"
    "3.9.2 De onderaannemer schakelt voor dit werk zelf geen andere onderaannemers in. "
    "Op verzoek geeft Opdrachtnemer informatie over de onderaannemer."
)
OTHER_SECTION = "### Artikel 3.10 – Facturatie\n\nOpdrachtnemer factureert maandelijks achteraf."


def _cut(doc_id: str, text: str, heading: str, sizes: list[tuple[int, int]]) -> list[Chunk]:
    """Chunks of one document text at (start, end) offsets, as the chunker cuts them:
    consecutive positions, overlapping text, offsets into the document."""
    return [
        Chunk(
            chunk_id=f"{doc_id}-{i}",
            doc_id=doc_id,
            source=f"{doc_id}.md",
            title="Overeenkomst Wmo",
            text=text[start:end],
            page=1,
            page_end=1,
            section=heading.split(" –")[0],
            heading=heading,
            char_start=start,
            char_end=end,
            position=i,
        )
        for i, (start, end) in enumerate(sizes)
    ]


def _article() -> tuple[list[Chunk], Chunk, str]:
    cut = ARTICLE.index("3.9.2 De onderaannemer schakelt")
    overlap = ARTICLE.index("Opdrachtnemer blijft")  # the second passage repeats a sentence
    chunks = _cut(
        "overeenkomst", ARTICLE, "Artikel 3.9 – Onderaannemers", [(0, cut), (overlap, len(ARTICLE))]
    )
    text = ARTICLE + "\n\n" + OTHER_SECTION
    (other,) = _cut(
        "overeenkomst", text, "Artikel 3.10 – Facturatie", [(len(ARTICLE) + 2, len(text))]
    )
    other = Chunk(**{**other.__dict__, "chunk_id": "overeenkomst-2", "position": 2})
    return chunks, other, text


def test_neighbours_stay_inside_the_section_in_document_order() -> None:
    (first, second), other, _ = _article()
    index = BM25Index([second, other, first])
    assert index.neighbours(first, 2) == [first, second]
    assert index.neighbours(second, 1) == [first, second]
    assert index.neighbours(other, 2) == [other]  # the next article is another place
    assert index.neighbours(first, 0) == [first]


def test_joined_passages_show_their_overlap_once() -> None:
    (first, second), _, _ = _article()
    assert joined([first, second]) == ARTICLE
    assert joined([first]) == first.text


def test_the_marked_sentence_may_stand_in_the_next_passage_of_its_section() -> None:
    (first, second), other, text = _article()
    index = BM25Index([first, second, other])
    pages = {("overeenkomst", 1): text}
    answerer = answerer_for([first, second, other], pages)
    q = read_question("Mag een onderaannemer voor dit werk zelf andere onderaannemers inschakelen?")

    def page(doc_id: str, number: int) -> str | None:
        return pages.get((doc_id, number))

    # only the article's first passage matched; its neighbour holds the rule
    alone = where_to_read(q, hits(first), answerer, page, 0.25)
    widened = where_to_read(q, hits(first), answerer, page, 0.25, window=index.neighbours)
    assert alone and "geen andere onderaannemers" not in alone[0].text
    (shown,) = widened
    assert shown.text == " ".join(ARTICLE.split()) and shown.section == "Artikel 3.9"
    assert "De onderaannemer schakelt voor dit werk zelf geen" in shown.highlight
    html = render_passages(widened, {})
    assert "<mark>3.9.2 De onderaannemer schakelt" in html
    assert "Hele passage tonen" not in html  # short enough to show whole


def test_a_long_passage_folds_out_whole_with_its_mark() -> None:
    (first, second), _, text = _article()
    long_text = ARTICLE + " " + " ".join(["Deze bepaling geldt voor alle percelen."] * 20)
    q = read_question("Mag de onderaannemer het werk aan andere onderaannemers uitbesteden?")
    answerer = answerer_for([first, second], {("overeenkomst", 1): text})
    (shown,) = where_to_read(
        q, hits(first), answerer, lambda d, p: text, 0.25, window=lambda c: [first, second]
    )
    html = render_passages((shown.__class__(**{**shown.__dict__, "text": long_text}),), {})
    assert '<details class="plek-geheel"><summary>Hele passage tonen</summary>' in html
    assert html.count("<mark>") == 2  # in the excerpt and in the whole passage


def test_a_question_after_a_value_shows_the_passage_that_holds_one_first() -> None:
    """'Wanneer ...?': of two passages about the question, the one with a date comes first,
    though search ranked it second; for a question after no value, search order stands."""
    about = make_chunk(
        "beleid",
        ["De inschrijving voor de overeenkomst verloopt via het zorginkoopportaal van het "
         "zorgkantoor."],
        section="6.1",
    )  # fmt: skip
    dated = make_chunk(
        "planning",
        ["Uw inschrijving voor de overeenkomst dient u uiterlijk 4 augustus 2023 in."],
        section="6.8",
    )
    pages = pages_of(about, dated)
    answerer = answerer_for([about, dated], pages)

    def page(doc_id: str, number: int) -> str | None:
        return pages.get((doc_id, number))

    when = read_question("Tot wanneer loopt de inschrijving voor de overeenkomst?")
    shown = where_to_read(when, hits(about, dated), answerer, page, 0.25)
    assert [p.section for p in shown] == ["6.8", "6.1"]
    how = read_question("Hoe verloopt de inschrijving voor de overeenkomst?")
    shown = where_to_read(how, hits(about, dated), answerer, page, 0.25)
    assert [p.section for p in shown] == ["6.1", "6.8"]


def _shown(
    chunks: list[Chunk], text: str, question: str, found: list[Chunk], min_share: float, span: int
) -> tuple[Passage, ...]:
    """Where to read in one single-page document cut into `chunks`, for hits `found`."""
    index = BM25Index(chunks)
    answerer = answerer_for(chunks, {(chunks[0].doc_id, 1): text})
    return where_to_read(
        read_question(question),
        hits(*found),
        answerer,
        lambda d, p: text,
        min_share,
        window=lambda c: index.neighbours(c, span),
    )


def test_a_letter_without_sections_shows_a_window_once() -> None:
    """A council letter has no numbered sections: a hit inside the window of a passage
    already shown is not shown again with the same text."""
    letter = (
        "De gemeenten kopen ambulante jeugdhulp samen in en de aanbesteding start in 2025. "
        "De gunning van de aanbesteding volgt in februari 2025. "
        "Na de gunning van de aanbesteding begint de implementatie in maart 2025. "
        "De nieuwe overeenkomsten na de aanbesteding gaan in op 1 januari 2026."
    )
    cuts = [0, letter.index("De gunning"), letter.index("Na de"), letter.index("De nieuwe")]
    spans = list(zip(cuts, [*cuts[1:], len(letter)], strict=True))
    chunks = _cut("brief", letter, "", spans)
    question = "Wanneer is de gunning van de aanbesteding?"
    shown = _shown(chunks, letter, question, [chunks[1], chunks[2]], min_share=0.1, span=1)
    assert len(shown) == 1 and "februari 2025" in shown[0].highlight


def test_a_document_without_sections_shows_its_separate_parts() -> None:
    """A Q&A table or a letter has no numbered sections (and one heading): two rows far apart
    are two places to read, not one."""
    rows = [
        "Vraag: Hoe wordt de indexering voor jeugd bepaald? Antwoord: De indexering voor jeugd "
        "is 90% OVA en 10% prijsindex.",
        "Vraag: Wie betaalt de reiskosten? Antwoord: De reiskosten zijn inbegrepen in het tarief.",
        "Vraag: Waarom is er voor de Wmo geen vaste indexering? Antwoord: Voor de Wmo is een "
        "open clausule gekozen, zodat de indexering lokaal bepaald wordt.",
    ]
    text = "\n\n".join(rows)
    starts = [text.index(r) for r in rows]
    chunks = _cut(
        "qa",
        text,
        "Vragen en antwoorden",
        [(a, a + len(r)) for a, r in zip(starts, rows, strict=True)],
    )
    chunks = [Chunk(**{**c.__dict__, "section": ""}) for c in chunks]
    question = "Waarom is de indexering voor de Wmo anders dan voor jeugd?"
    shown = _shown(chunks, text, question, [chunks[2], chunks[0]], min_share=0.25, span=0)
    assert len(shown) == 2 and {p.section for p in shown} == {""}
    assert "open clausule" in shown[0].highlight and "90% OVA" in shown[1].text


def test_a_place_names_a_heading_only_when_it_is_not_the_title() -> None:
    from assistant.answer.where_to_read import place

    same = Passage(1, "qa.md", "Vragen en antwoorden", 1, "", "Vragen en antwoorden", "x", "x", 1.0)
    assert place(same) == "Vragen en antwoorden"
    other = Passage(1, "qa.md", "Vragen en antwoorden", 1, "", "Indexering", "x", "x", 1.0)
    assert place(other) == "Vragen en antwoorden, Indexering"
