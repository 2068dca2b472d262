"""Questions as people type them (issue 13): other words than the document, the answer type a
question needs, letter-head facts, definitions, the short answer in front, chat follow-ups.
Real Chroma and the repo's corpus/, hashing embedder (retrieval is BM25-led either way)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS

from assistant.answer.facts import _definition_on, defined_terms, defines
from assistant.answer.types import has_type, short_span
from assistant.measure.scoring import EvalCase, Expected, section_contains, verdict
from assistant.models import Answer, Citation
from assistant.prompts import PASSAGES_LEAD, REFUSAL
from assistant.question import question_kind, read_question, with_context
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.verify.citations import quote_on_page


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    data = tmp_path_factory.mktemp("quality")
    bot = Assistant(Settings(data_dir=data, embedding_model="hashing"))
    bot.ingest([CORPUS], visibility="openbaar")
    yield bot
    bot.close()


def verified(assistant: Assistant, answer: Answer) -> None:
    assert not answer.refused, answer.notes
    assert answer.citations
    for c in answer.citations:
        assert quote_on_page(c.quote, assistant.index.page_text(c.doc_id, c.page))


# --- 1. other words than the document ------------------------------------------------------


def test_begint_finds_starten(assistant: Assistant) -> None:
    answer = assistant.ask("Wanneer begint het kostprijsonderzoek?")
    verified(assistant, answer)
    assert "kostprijsonderzoek" in answer.citations[0].quote
    assert answer.answer.startswith("Q2.")  # the short answer leads


# --- 2. an answer of the wrong type is no answer -------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Wat wordt het uurtarief voor ambulante begeleiding jeugd in Midden-Limburg vanaf 2026?",
        "Hoeveel zorgaanbieders hebben zich al ingeschreven voor de aanbesteding?",
        "Wat is de deadline om in te schrijven voor ambulante jeugdhulp Midden-Limburg?",
    ],
)
def test_without_the_asked_type_it_refuses(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.refused and not answer.citations, answer.answer
    # no direct answer: at most where to read, labelled as such (issue 20)
    assert answer.outcome in ("passages", "none")
    lead = REFUSAL if answer.outcome == "none" else PASSAGES_LEAD
    assert answer.answer.startswith(lead)


def test_answer_types() -> None:
    assert has_type("De contracten starten op 1 januari 2026.", "date")
    assert not has_type("Dit volgt uit de Aanbestedingswet 2012.", "date")  # a name, no time
    assert has_type("Dat kan in 2026.", "date")
    assert has_type("De opzegtermijn is minimaal één maand.", "duration")
    assert has_type("De korting is 5% van het tarief.", "amount")
    assert not has_type("Zie artikel 7.2.7 van de wet.", "count")
    assert has_type("De tool wordt jaarlijks tweemaal bijgewerkt.", "count")
    assert has_type("Het college stelt de bijdrage vast.", "who")
    # how many: a number of things, not an age or period ("twaalf jaar")
    assert not has_type("Dit geldt voor personen van twaalf jaar en ouder.", "count")
    assert has_type("De tool wordt jaarlijks tweemaal bijgewerkt.", "count")
    # when: not a time counted from the very event asked about
    from assistant.answer.types import relative_to
    from index.tokens import token

    gunning = {token("gunning")}
    assert relative_to(
        "Dat moet binnen 20 kalenderdagen na de bekendmaking van de gunning.", gunning, token
    )
    assert not relative_to("De gunning is omstreeks februari 2025.", gunning, token)
    assert not relative_to(
        "De gemeente laat binnen 6 weken weten of de klacht gegrond is.", gunning, token
    )
    # why: a reason, cause or aim
    assert has_type("Uit een verkenning blijkt dat er grote overeenkomsten bestaan.", "cause")
    assert has_type("Daarom kiezen de twee regio's ervoor om te gaan samenwerken.", "cause")
    assert not has_type("Op 1 januari 2026 gaan de nieuwe contracten in.", "cause")
    # may / must: only a sentence that permits, obliges, bans or expects
    assert has_type("De onderaannemer mag zelf geen andere onderaannemers inschakelen.", "deontic")
    assert has_type("Hij heeft daarvoor schriftelijke toestemming nodig.", "deontic")
    assert not has_type(
        "Opdrachtnemer meldt vooraf aan Opdrachtgever als hij wil uitbesteden.", "deontic"
    )
    # "tot wanneer mag ik declareren?": how often is not by when
    assert not has_type("De aanbieder declareert maandelijks, via een 323-bericht.", "date")
    assert has_type("De aanbieder declareert binnen 6 weken na afloop.", "date")
    assert short_span("Op 1 januari 2026 gaan de contracten in.", "date") == "1 januari 2026"
    assert short_span("Een boete van € 1.250,00 per dag.", "amount") == "€ 1.250,00"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Wanneer is de gunning?", "when"),
        ("Hoe lang moet ik mijn dossiers bewaren?", "how-long"),
        ("Hoeveel dagen van tevoren moet ik het melden?", "how-long"),
        ("Hoe hoog is de aansprakelijkheid?", "how-much"),
        ("Hoeveel aanbieders doen mee?", "how-many"),
        ("Wie is de portefeuillehouder?", "who"),
        ("Wat is een jeugdhulpaanbieder?", "what-is"),
        ("Mag ik onderaannemers inzetten?", "may-must"),
        ("Welke documenten moet ik inleveren?", "which"),
        ("Ik wil stoppen. Hoeveel opzegtermijn geldt?", "how-long"),  # the asking sentence
        ("Waarom moet een aanbieder een VOG hebben?", "why"),
        ("De IGJ legde een maatregel op. Binnen welke termijn moet ik dat melden?", "how-long"),
        ("Hoe snel moet ik een datalek melden?", "how-long"),
        ("Hoeveel budget is er beschikbaar?", "how-much"),
        ("Welk adviesbureau voert het onderzoek uit?", "who"),
        # how people ask these too
        ("wat was de uiterste datum om de overeenkomst te ondertekenen?", "when"),
        ("Binnen hoeveel werkdagen moet de gemeente reageren?", "how-long"),
        ("Wat is het NZa-maximumtarief per dag?", "how-much"),
        ("Hoe komt het dat starters minder krijgen?", "why"),
        ("Bij welke instanties wordt fraude gemeld?", "who"),
        ("Welke wethouder is verantwoordelijk?", "who"),
        ("wat wordt in de jeugdwet bedoeld met een familiegroepsplan?", "what-is"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert question_kind(question) == kind


# --- 3. facts in the letter head -----------------------------------------------------------


def test_registratienummer_from_the_letter_head(assistant: Assistant) -> None:
    answer = assistant.ask("Wat is het registratienummer van de Maasgouwse brief?")
    verified(assistant, answer)
    assert answer.answer.startswith("Z/24/126291.")
    assert "Z/24/126291" in answer.citations[0].quote
    assert Path(answer.citations[0].source).name.startswith("maasgouw")


def test_portefeuillehouder_from_the_letter_head(assistant: Assistant) -> None:
    answer = assistant.ask("wie is in maasgouw de portefeuillehouder voor de aanbesteding?")
    verified(assistant, answer)
    assert "Wilms" in answer.answer and "Wilms" in answer.citations[0].quote


def test_the_letter_date_answers_when_the_council_was_informed(assistant: Assistant) -> None:
    answer = assistant.ask("wanneer heeft weert de raad geinformeerd over de inkoopstrategie?")
    verified(assistant, answer)
    assert answer.answer.startswith("19 maart 2024.")


# --- 4. definitions ------------------------------------------------------------------------


def test_a_definition_comes_from_the_begripsbepalingen(assistant: Assistant) -> None:
    answer = assistant.ask("Wat is een jeugdhulpaanbieder?")
    verified(assistant, answer)
    quote = answer.citations[0].quote
    assert "jeugdhulpaanbieder" in quote and "natuurlijke persoon" in quote
    assert Path(answer.citations[0].source).name == "Jeugdwet.md"
    assert answer.citations[0].section.endswith("1.1")  # the entry's own article, not the hit's
    assert answer.answer.startswith("Volgens de documenten: jeugdhulpaanbieder:")


def test_a_difference_question_gets_both_definitions(assistant: Assistant) -> None:
    answer = assistant.ask("Wat is het verschil tussen een jeugdhulpaanbieder en een jeugdige?")
    verified(assistant, answer)
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == 2
    assert "jeugdhulpaanbieder" in quotes[0] and "jeugdige" in quotes[1]
    assert "[1]" in answer.answer and "[2]" in answer.answer


def test_a_term_typed_with_one_slip_still_finds_its_entry(assistant: Assistant) -> None:
    answer = assistant.ask("Wat is een jeugdhulpaanbeider?")
    verified(assistant, answer)
    assert "jeugdhulpaanbieder" in answer.citations[0].quote


def test_defined_terms_and_typo_tolerance() -> None:
    q = read_question(
        "Wat is het verschil tussen een algemene voorziening en een maatwerkvoorziening?"
    )
    assert defined_terms(q) == ["algemene voorziening", "maatwerkvoorziening"]
    assert defined_terms(read_question("Wat betekent een raamovereenkomst?")) == [
        "raamovereenkomst"
    ]
    assert defined_terms(read_question("Wanneer start de aanbesteding?")) == []
    assert defined_terms(
        read_question("Wat verstaat het Wmo-contract eigenlijk onder een micro-onderneming?")
    ) == ["micro-onderneming"]
    assert defined_terms(
        read_question("Wat bedoelen ze in het contract met een aspecifieke toewijzing?")
    ) == ["aspecifieke toewijzing"]
    # who means it and where may take more words, with "&" and hyphens ("V&V-beleid")
    assert defined_terms(
        read_question("wat bedoelt zilveren kruis in het V&V-beleid precies met een volumeplafond?")
    ) == ["volumeplafond"]
    assert defines("– *maatwerkvoorziening:* op de behoeften ...", "maatwerkvoorzienig")
    assert not defines("– *maatwerk:* iets anders", "maatwerkvoorzienig")
    assert not defines("– *cliënt:* persoon", "client2")  # short terms: exact only


def test_a_conditional_question_is_answered_on_what_it_asks(assistant: Assistant) -> None:
    # not with "De uitvoeringseisen staan in de conceptovereenkomst": eisen is the condition
    answer = assistant.ask(
        "Als ik bij een toelatingsprocedure aan alle eisen voldoe, krijg ik dan sowieso een "
        "overeenkomst?"
    )
    assert answer.refused or all(re.search(r"\bovereenkomst\b", c.quote) for c in answer.citations)
    q = read_question(
        "Als ik bij een toelatingsprocedure aan alle eisen voldoe, krijg ik dan een overeenkomst?"
    )
    assert q.main_clause == "krijg ik dan een overeenkomst?"
    assert read_question("Wanneer begint het, en waar?").main_clause is None
    assert read_question("Wanneer ik stop, hoeveel opzegtermijn geldt?").main_clause


def test_an_entry_stops_at_the_next_entry() -> None:
    page = (
        "Artikel 1.1.1\n"
        "– *maatwerkvoorziening:* afgestemd geheel van diensten:\n"
        "1°. ten behoeve van zelfredzaamheid,\n"
        "2°. ten behoeve van participatie;\n"
        "– *mantelzorg:* hulp ten behoeve van zelfredzaamheid;\n"
    )
    quote = _definition_on(page, "maatwerkvoorziening")
    assert quote is not None
    assert quote.endswith("participatie;") and "mantelzorg" not in quote


@pytest.mark.parametrize(
    ("question", "said", "source"),
    [
        # "Vragen en antwoorden" is a table: the answer cell ("Hierbij een aantal voorbeelden
        # uit de praktijk: ... 6 maanden ...") says nothing without its row's question
        (
            "Hoe lang ben je ongeveer bezig om lopende contracten om te zetten naar de "
            "contractstandaarden?",
            "6 maanden",
            "Vragen-en-antwoorden",
        ),
        # "ontvangen", "gemeente" stand in the context sentence, not in the one that asks
        (
            "Ik heb van de gemeente een Bibob-vragenformulier ontvangen. Hoeveel tijd heb ik om "
            "het vragenformulier ingevuld terug te sturen?",
            "veertien kalenderdagen",
            "Inkoopdocument",
        ),
    ],
)
def test_answers_in_other_words(
    assistant: Assistant, question: str, said: str, source: str
) -> None:
    answer = assistant.ask(question)
    verified(assistant, answer)
    assert said in answer.answer
    assert Path(answer.citations[0].source).name.startswith(source)


def test_words_of_the_context_are_marked(assistant: Assistant) -> None:
    terms = assistant.extractive.terms("Ik heb een mail gestuurd. Hoe snel moet ik melden?")
    assert {t.word: t.context for t in terms} == {
        "mail": True,
        "gestuurd": True,
        "snel": False,
        "melden": False,
    }


# --- 5. follow-up questions in the chat ----------------------------------------------------


def test_follow_ups_carry_the_previous_subject() -> None:
    gemeenten = ["Weert", "Maasgouw"]
    previous = "Wanneer gaan de contracten in Maasgouw in?"
    assert with_context("En in Weert?", previous, gemeenten) == (
        "Wanneer gaan de contracten in Weert in?"
    )
    asked = with_context("Wat is de termijn daarvan?", "Hoe zeg ik de overeenkomst op?")
    assert "termijn" in asked and "overeenkomst" in asked
    # a question that stands on its own is left alone
    assert with_context("Wanneer is de gunning?", previous, gemeenten) == "Wanneer is de gunning?"
    assert with_context("En in Weert?", None, gemeenten) == "En in Weert?"


def test_the_chat_answers_a_follow_up_from_the_history(assistant: Assistant) -> None:
    from assistant.ui.chat import respond

    history = [
        {"role": "user", "content": "Wanneer is de gunning in Maasgouw?"},
        {"role": "assistant", "content": "..."},
    ]
    _, shown, sources = respond(assistant, {}, "En in Weert?", history)
    assert shown[-2] == {"role": "user", "content": "En in Weert?"}  # as typed
    assert "februari 2025" in shown[-1]["content"]
    assert "weert" in sources.lower()


# --- the eval's verdicts -------------------------------------------------------------------


def test_verdicts_count_a_wrong_answer_apart_from_a_refusal() -> None:
    cite = Citation(1, "docs/Overeenkomst.md", "O", 1, "Artikel 3.19", "", "5% korting", 1.0)
    right = Answer("q", "Volgens de documenten: 5% korting [1]", False, (cite,))
    refused = Answer("q", REFUSAL, True)
    case = EvalCase("q", (Expected("Overeenkomst.md", "3.19"),), True, ("5% korting",))
    unanswerable = EvalCase("q", (), False)
    assert verdict(case, right) == "right"
    assert verdict(case, refused) == "refused answerable"
    assert verdict(unanswerable, refused) == "refused right"
    assert verdict(unanswerable, right) == "wrong"
    other = EvalCase("q", (Expected("Jeugdwet.md"),), True, ("5% korting",))
    assert verdict(other, right) == "wrong"  # the right words from the wrong document
    assert section_contains("3.19", "Artikel 3.19") and not section_contains("3.1", "Artikel 3.19")
    assert read_question("Wat staat in artikel 3.19?").sections == ("3.19",)


def test_a_provider_answer_weighs_words_by_openbaar_documents_only(tmp_path: Path) -> None:
    """Intern documents never change how much a word counts in a provider's answer."""
    from conftest import LETTERS

    from index.filters import AANBIEDER
    from index.tokens import stem

    intern = tmp_path / "intern"
    intern.mkdir()
    (intern / "notitie.md").write_text(
        "# Interne notitie\n\n" + "De gunning en nog eens de gunning. " * 30, encoding="utf-8"
    )
    with Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing")) as bot:
        bot.ingest([LETTERS], visibility="openbaar")
        bot.ingest([intern], visibility="intern")
        token = stem("gunning")
        public = bot.retriever.bm25_for(AANBIEDER).idf(token)
        assert bot.extractive_as(AANBIEDER).idf(token) == public
        assert bot.extractive.idf(token) != public  # staff statistics include the note

        # also when a language model answers and its reply falls back to the extractive one
        from assistant.answer.generative import GenerativeAnswerer
        from assistant.llm.backends import LLMError

        class Unreachable:
            def chat(self, messages: object) -> str:
                raise LLMError("model niet bereikbaar")

        used: list[object] = []
        public_answerer = bot.extractive_as(AANBIEDER)
        answer_with = public_answerer.answer

        def spy(question: object, hits: object) -> Answer:
            used.append(public_answerer)
            return answer_with(question, hits)  # type: ignore[arg-type]

        public_answerer.answer = spy  # type: ignore[method-assign]
        bot.answerer = GenerativeAnswerer(Unreachable(), bot.index.page_text, bot.extractive)  # type: ignore[arg-type]
        answer = bot.ask("Wanneer is de gunning?", audience=AANBIEDER)
        assert used and answer.mode == "fallback"
