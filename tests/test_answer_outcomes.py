"""Issue 20: what a user gets when no direct answer is sure, and the direct-answer rules that
must carry to unseen questions (headings, definitions, how-long vs. age, repeated quotes,
references read as counts, who-questions, two gemeenten). Pure parts with hand-made chunks;
the served path is covered in test_cli.py (JSON/CLI), test_chat_input.py and test_browser.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import LETTERS
from helpers_chunks import make_chunk
from test_extractive import answerer_for, hits, pages_of

from assistant.answer.facts import defines
from assistant.answer.types import answer_type, has_type, short_span
from assistant.answer.where_to_read import where_to_read, with_passages
from assistant.models import Answer
from assistant.prompts import NVI_HINT, PASSAGES_LEAD, REFUSAL_WITH_HINT
from assistant.question import question_kind, read_question
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.verify.citations import quote_on_page
from assistant.verify.sentences import chunk_sentences

POLICY = make_chunk(
    "ggz-beleid",
    [
        "1.4.2 We verwachten van u een uitgewerkte visie en strategie op innovatie\n"
        "Het zorgkantoor verwacht dat u in uw plan beschrijft welke innovaties u de komende "
        "jaren inzet en hoe u die evalueert. Wij bespreken dit plan jaarlijks met u in het "
        "contractgesprek."
    ],
    section="1.4.2",
    heading="1.4.2 We verwachten van u een uitgewerkte visie en strategie op innovatie",
)
MARKDOWN = make_chunk(
    "protocol",
    [
        "## Wie is verantwoordelijk voor de toetsing van de verwijzing\n\n"
        "De gemeente toetst of de verwezen jeugdhulp past binnen het protocol."
    ],
)


def test_a_heading_is_never_an_answer_sentence_but_frames_the_sentences_under_it() -> None:
    quotable = [s for _, s in chunk_sentences(POLICY)] + [s for _, s in chunk_sentences(MARKDOWN)]
    assert not any("We verwachten van u een uitgewerkte visie" in s for s in quotable)
    assert not any(s.startswith(("## ", "Wie is verantwoordelijk")) for s in quotable)
    answerer = answerer_for([POLICY])
    answer = answerer.answer(
        "Wat verwacht het zorgkantoor van mijn visie en strategie?", hits(POLICY)
    )
    # the heading's words count for the sentences under it
    assert not answer.refused and "Het zorgkantoor verwacht dat u" in answer.answer


def test_passages_mark_the_likeliest_sentence_verified_on_its_page() -> None:
    tariff = make_chunk(
        "tarieven",
        ["Het uurtarief voor ambulante begeleiding bedraagt 78,50 euro in 2026. "
         "Het tarief wordt jaarlijks geïndexeerd."],
        section="3.2",
    )  # fmt: skip
    other = make_chunk("brief", ["De gemeente koopt ambulante begeleiding in bij aanbieders."])
    pages = pages_of(tariff, other)
    answerer = answerer_for([tariff, other], pages)
    q = read_question("Wat is het uurtarief voor ambulante begeleiding in 2027?")
    found = where_to_read(q, hits(tariff, other), answerer, lambda d, p: pages.get((d, p)), 0.25)
    assert found and found[0].source == "tarieven.txt" and found[0].section == "3.2"
    assert found[0].highlight.startswith("Het uurtarief voor ambulante begeleiding bedraagt")
    for p in found:
        assert quote_on_page(p.highlight, pages[(p.doc_id, p.page)])
    refusal = Answer(q.text, REFUSAL_WITH_HINT, True)
    shown = with_passages(refusal, found)
    assert shown.refused and shown.outcome == "passages" and not shown.citations
    assert shown.answer.startswith(PASSAGES_LEAD) and shown.answer.endswith(NVI_HINT)
    assert shown.to_dict()["passages"][0]["highlight"] == found[0].highlight
    assert with_passages(refusal, ()).outcome == "none"
    # nothing about the question: no passage, the plain refusal
    off = read_question("Wat is de hoofdstad van Frankrijk?")
    assert where_to_read(off, hits(tariff), answerer, lambda d, p: pages.get((d, p)), 0.25) == ()


def test_passages_come_from_different_sections() -> None:
    a = make_chunk("doc", ["Het uurtarief voor begeleiding is 70 euro."], section="3.2")
    b = make_chunk("doc", ["Het uurtarief voor begeleiding groep is 40 euro."], section="3.2")
    b = replace(b, chunk_id="doc-1")  # a second passage of the same section
    pages = {("doc", 1): a.text + "\n" + b.text}
    answerer = answerer_for([a, b], pages)
    q = read_question("Hoe hoog is het uurtarief voor begeleiding?")
    found = where_to_read(q, hits(a, b), answerer, lambda d, p: pages.get((d, p)), 0.0)
    assert len(found) == 1


def test_an_age_limit_is_no_duration_of_the_thing_asked() -> None:
    sentence = "De verklaring mag niet ouder dan 6 maanden zijn op de datum van inschrijving."
    assert not has_type(sentence, answer_type("how-long", "Hoe lang duurt de toetsing?"))
    assert has_type("De toetsing duurt zes weken.", answer_type("how-long", "Hoe lang duurt het?"))
    # ... but it answers a question about an age
    assert has_type(sentence, answer_type("how-long", "Hoe oud mag de verklaring zijn?"))


def test_a_reference_is_no_count() -> None:
    sentence = "Naast de controle zoals geduid onder 4 kan de gemeente een steekproef uitvoeren."
    assert not has_type(sentence, "count") and short_span(sentence, "count") is None
    assert has_type("De gemeente vraagt maximaal 10 dossiers op.", "count")


def test_the_first_question_word_of_the_asking_clause_decides_who() -> None:
    assert question_kind("Die verlaging van 8%, wie bepaalt eigenlijk hoe hoog het tarief is?") == (
        "who"
    )
    assert question_kind("Hoe hoog is het tarief dat de NZa vaststelt?") == "how-much"


def test_a_definition_question_takes_a_definition_not_a_word_used_in_another_sense() -> None:
    law = make_chunk(
        "wet",
        ["Een raamovereenkomst is een schriftelijke overeenkomst tussen een of meer "
         "aanbestedende diensten en een of meer ondernemers."],
        source="Aanbestedingswet.md",
    )  # fmt: skip
    letter = make_chunk(
        "brief",
        ["De nieuwe overeenkomst met ondernemers in de regio gaat per 1 januari 2026 in."],
    )
    answerer = answerer_for([letter, law])
    answer = answerer.answer(
        "Wat wordt in de wet bedoeld met een raamovereenkomst?", hits(letter, law)
    )
    assert not answer.refused and answer.citations[0].source == "Aanbestedingswet.md"
    only_letter = answerer.answer("Wat wordt bedoeld met een raamovereenkomst?", hits(letter))
    assert only_letter.refused  # "overeenkomst" alone does not say what a raamovereenkomst is


def test_no_sentence_is_quoted_twice_inside_another_quote() -> None:
    chunk = make_chunk(
        "brief",
        ["De regio's kiezen voor een gezamenlijke aanbesteding van ambulante jeugdhulp. "
         "Daarom gaan de nieuwe contracten voor ambulante jeugdhulp op 1 januari 2026 in."],
    )  # fmt: skip
    answer = answerer_for([chunk]).answer(
        "Wanneer gaan de contracten voor ambulante jeugdhulp van de gezamenlijke aanbesteding in?",
        hits(chunk),
    )
    assert not answer.refused
    quotes = [c.quote for c in answer.citations]
    for i, a in enumerate(quotes):
        assert not any(a in b for j, b in enumerate(quotes) if i != j), quotes


def test_a_fact_asked_of_two_gemeenten_is_read_from_each_letter(tmp_path: Path) -> None:
    """'Wie heeft de brieven van Weert en Maasgouw ondertekend?' took the comparison path and
    was answered with inkoopstrategie sentences; now each letter's signature lines answer."""
    bot = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing"))
    try:
        bot.ingest([LETTERS], visibility="openbaar")
        answer = bot.ask("Wie heeft de brieven van Weert en Maasgouw ondertekend?")
        assert not answer.refused, answer.answer
        assert answer.answer.startswith("Weert:") and "\nMaasgouw:" in answer.answer
        assert "Vrijenhoek" in answer.answer and "Keersmaekers" in answer.answer
        assert {Path(c.source).name.split("-")[0] for c in answer.citations} == {
            "weert",
            "maasgouw",
        }
    finally:
        bot.close()


def test_a_who_answer_names_someone_the_question_does_not() -> None:
    question = "Die verlaging van de NHC met 8%, wie bepaalt hoe hoog het NHC-tarief is?"
    sentence = "De aangekondigde correctie van 8% van de NHC tarieven betreft de normatieve rente."
    assert not has_type(sentence, "who", question)
    assert has_type("De NZa stelt de hoogte van de NHC-tarieven vast.", "who", question)
    # a name is its whole run of capitalised words: "Zilveren Kruis Zorgkantoor" is the body
    # the question names, not who wrote the foreword
    foreword = "Wie heeft het voorwoord van het inkoopbeleid van zilveren kruis geschreven?"
    assert not has_type("Zilveren Kruis Zorgkantoor", "who", foreword)
    assert not has_type(
        "Het beleid van Zilveren Kruis Zorgkantoor geldt tot 2026.", "who", foreword
    )
    assert has_type("Marti Paardekooper, directeur Zilveren Kruis Zorgkantoor", "who", foreword)


def test_a_question_after_what_does_not_apply_needs_an_exclusion() -> None:
    chunk = make_chunk(
        "protocol",
        [
            "Het protocol jeugdhulp na verwijzing geldt voor alle jeugdhulp in de regio. "
            "Het protocol jeugdhulp na verwijzing draagt bij aan de juiste zorginzet."
        ],
    )
    answerer = answerer_for([chunk])
    asked = "Voor welke jeugdhulp geldt het protocol na verwijzing juist niet?"
    assert answerer.answer(asked, hits(chunk)).refused
    excluded = make_chunk(
        "protocol2",
        ["Het protocol na verwijzing geldt niet voor landelijk gecontracteerde jeugdhulp."],
    )
    answer = answerer_for([chunk, excluded]).answer(asked, hits(chunk, excluded))
    assert not answer.refused and "landelijk gecontracteerde" in answer.answer


def test_a_count_leads_with_what_is_counted() -> None:
    """'Hoeveel dagdelen per week moet de dagbesteding open zijn?' (the issue's example):
    answered, led by the count and what it counts, not by 'Per week'."""
    chunk = make_chunk(
        "wmo",
        [
            "## 4.3 Dagbesteding\n\nDe opdrachtnemer biedt dagbesteding aan op minimaal vier "
            "dagdelen per week. De groepsgrootte is maximaal twaalf cliënten."
        ],
        section="4.3",
        heading="4.3 Dagbesteding",
    )
    other = make_chunk("wmo2", ["De opdrachtnemer levert begeleiding thuis aan cliënten."])
    answer = answerer_for([chunk, other]).answer(
        "Hoeveel dagdelen per week moet de dagbesteding open zijn?", hits(chunk, other)
    )
    assert not answer.refused
    assert answer.answer.startswith("Minimaal vier dagdelen per week.\n\nVolgens de documenten")
    profiles = short_span("Er zijn 3 nieuwe zorgprofielen voor 2025.", "count")
    assert profiles == "3 nieuwe zorgprofielen"
    assert short_span("De tool wordt jaarlijks tweemaal bijgewerkt.", "count") == "jaarlijks"


def test_a_question_after_which_party_needs_a_name() -> None:
    """'Welke aanbieders hebben het contract gekregen?' is not answered by a sentence whose
    only party is the role 'Opdrachtnemer' (a seed question, unanswerable, was answered so);
    a sentence that names the party answers it."""
    asked = "Welke aanbieders hebben het contract gekregen?"
    assert answer_type(question_kind(asked), asked) == "party"
    assert answer_type("who", "Welke gemeente heeft het protocol vastgesteld?") == "party"
    assert not has_type("Opdrachtnemer krijgt 3 weken om deze te ondertekenen.", "party", asked)
    assert not has_type("De gemeenten sluiten de overeenkomst.", "party", asked)
    assert has_type("De overeenkomst is gegund aan Zorggroep Noord.", "party", asked)
    role_only = make_chunk(
        "overeenkomst", ["Opdrachtnemer krijgt 3 weken om het contract te ondertekenen."]
    )
    named = make_chunk(
        "gunning", ["Het contract is gekregen door de aanbieders Zorggroep Noord en Xonar."]
    )
    assert answerer_for([role_only]).answer(asked, hits(role_only)).refused
    answer = answerer_for([role_only, named]).answer(asked, hits(role_only, named))
    assert not answer.refused and "Zorggroep Noord" in answer.answer


def test_a_definition_that_only_points_to_an_article_is_no_definition() -> None:
    """The Aanbestedingswet's begripsbepaling 'gedragsverklaring aanbesteden: een verklaring
    als bedoeld in artikel 4.1;' names the term without saying what it is (a dev2 question was
    answered with it); article 4.1 says it."""
    pointer = "gedragsverklaring aanbesteden: een verklaring als bedoeld in artikel 4.1;"
    meaning = (
        "Een gedragsverklaring aanbesteden is een verklaring van Onze Minister van Veiligheid "
        "en Justitie dat uit een onderzoek naar de integriteit geen bezwaren zijn gebleken."
    )
    term = "gedragsverklaring aanbesteden"
    assert not defines(pointer, term) and defines(meaning, term)
    # a longer entry that refers to an article but says what it means still defines
    assert defines(
        "jeugdhulpaanbieder: de natuurlijke persoon of rechtspersoon die jeugdhulp doet "
        "verlenen of een jeugdhulpverlener als bedoeld in artikel 1.1, die zelfstandig "
        "jeugdhulp verleent aan jeugdigen en hun ouders;",
        "jeugdhulpaanbieder",
    )
    law = make_chunk("wet", [f"{pointer}\n\n{meaning}"], source="Aanbestedingswet.md")
    answer = answerer_for([law]).answer(
        "Wat is een gedragsverklaring aanbesteden volgens de wet?", hits(law)
    )
    assert not answer.refused and "Minister van Veiligheid" in answer.answer
    assert "als bedoeld in artikel 4.1" not in answer.answer


def test_a_hyphenated_compound_is_no_definition_of_its_head() -> None:
    """'Organisatie-inrichting: het organogram ...' defines organisatie-inrichting, not
    'organisatie' (an NvI draft answered 'Wat bedoelt u met de organisatie?' with it); an
    entry written 'X - ...' or 'X – ...' still defines X."""
    assert not defines("Organisatie-inrichting Organogram juridische structuur. X", "organisatie")
    assert not defines(
        "Organisatie-inrichting: het organogram van de opdrachtnemer;", "organisatie"
    )
    assert defines("Organisatie - de rechtspersoon die de overeenkomst sluit;", "organisatie")
    assert defines("Organisatie – de rechtspersoon die de overeenkomst sluit;", "organisatie")
    assert defines("organisatie: de rechtspersoon die de overeenkomst sluit;", "organisatie")


def test_context_words_count_less_in_a_passages_share() -> None:
    """'We ontdekten vanochtend dat ... Hoe snel moeten we dat melden?': a passage about the
    asking sentence is about the question, though it says none of the story before it."""
    from test_extractive import OTHER_TEXTS, fake_idf

    from assistant.answer.candidates import ExtractiveSettings
    from assistant.answer.extractive import ExtractiveAnswerer

    rule = make_chunk(
        "overeenkomst", ["Een datalek meldt de opdrachtnemer binnen 24 uur na ontdekking."]
    )
    q = read_question(
        "Een medewerker heeft vanochtend clientgegevens naar het verkeerde mailadres gestuurd. "
        "Hoe snel moeten we een datalek melden?"
    )
    idf = fake_idf([rule.text, *OTHER_TEXTS])

    def share(settings: ExtractiveSettings) -> float:
        (found,) = ExtractiveAnswerer(idf, lambda d, p: None, settings).passage_shares(
            q, hits(rule)
        )
        return found

    assert ExtractiveSettings().context_share_weight == 0.6
    assert share(ExtractiveSettings()) > share(ExtractiveSettings(context_share_weight=1.0))
