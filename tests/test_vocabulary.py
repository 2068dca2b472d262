"""Dutch word forms, compounds and the procurement thesaurus (index/data/thesaurus_nl.txt)."""

from __future__ import annotations

import pytest

from index.tokens import lemma, stem, tokenize
from index.vocabulary import compound_parts, covered, thesaurus, words


def says(word: str, text: str, known: tuple[str, ...] = ()) -> bool:
    evidence = set(tokenize(text))
    return covered(word, stem(word), evidence, set(known) | evidence)


@pytest.mark.parametrize(
    ("word", "lemma_"),
    [("gegund", "gunnen"), ("doorgestreept", "doorstrepen"), ("ingaan", "ingaan")],
)
def test_lemmas(word: str, lemma_: str) -> None:
    assert lemma(word) == lemma_


def test_every_thesaurus_line_lets_each_word_stand_for_the_others() -> None:
    groups = thesaurus().groups
    assert len(groups) >= 25
    for group in groups:
        first, *rest = group
        for phrase in rest:
            # the first word of a line, asked, is found in a text using any other word of it
            assert covered(first[0], first[0], set(phrase), set()), (first, phrase)


@pytest.mark.parametrize(
    ("word", "text"),
    [
        # the examples: other words than the document
        ("aanbieder", "Opdrachtnemer meldt vooraf als hij wil uitbesteden aan een onderaannemer."),
        ("inzetten", "Opdrachtnemer meldt vooraf als hij wil uitbesteden aan een onderaannemer."),
        ("begint", "In Q2 van dit jaar gaan we een kostprijsonderzoek starten."),
        ("gegund", "De gunning vindt plaats in oktober 2024."),
        ("opzeggen", "Beëindiging van de overeenkomst kan met een termijn van een maand."),
        ("zzp'er", "Een zelfstandige zonder personeel mag onderaannemer zijn."),
        ("looptijd", "De duur van de overeenkomst is vier jaar."),
        ("gemeente", "Opdrachtgever stelt de tarieven vast."),
        # word forms and compounds
        ("onderaannemers", "Hij mag geen andere onderaannemer inschakelen."),
        ("termijn", "De opzegtermijn bedraagt een maand."),
        ("jeugdhulpaanbieder", "De jeugdhulp wordt geleverd door een aanbieder."),
        # a separable verb said with its particle apart
        ("aanhouden", "Bij beëindiging houdt Opdrachtnemer minimaal één maand opzegtermijn aan."),
        ("tevoren", "Opdrachtgever meldt uiterlijk 6 maanden voor het einde of zij verlengt."),
    ],
)
def test_a_word_is_found_in_other_words(word: str, text: str) -> None:
    known = tuple(stem(w) for w in ("jeugdhulp", "aanbieder"))
    assert says(word, text, known)


@pytest.mark.parametrize(
    ("word", "text"),
    [
        ("aanbieder", "De raad vergadert in de raadszaal."),
        ("gunning", "De contracten starten op 1 januari 2026."),
        ("korting", "Het tarief wordt jaarlijks geïndexeerd."),
        ("uur", "De huur van het pand loopt af."),  # short words do not match inside others
    ],
)
def test_unrelated_words_are_not_found(word: str, text: str) -> None:
    assert not says(word, text)


def test_a_compound_splits_into_known_words_only() -> None:
    known = {stem("jeugdhulp"), stem("aanbieder"), stem("maatwerk"), stem("voorziening")}
    assert compound_parts("jeugdhulpaanbieder", known) == (stem("jeugdhulp"), stem("aanbieder"))
    assert compound_parts("maatwerkvoorziening", known) == (stem("maatwerk"), stem("voorziening"))
    assert compound_parts("raadsvergadering", known) is None


def test_words_keep_apostrophes_and_lower_case() -> None:
    assert words("De ZZP'er en de Gemeente") == ["de", "zzp'er", "en", "de", "gemeente"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("houdt", "houden"),
        ("hield", "houden"),
        ("int", "innen"),
        ("voldoet", "voldoen"),
        ("gunning", "gegund"),  # the act and its verb
        ("aanbesteding", "aanbesteden"),
    ],
)
def test_a_verbs_forms_are_one_index_token(a: str, b: str) -> None:
    # BM25 and the answerer compare lemma stems: "Hoelang moet ik me aan mijn inschrijving
    # houden?" finds "houdt zich 90 kalenderdagen aan zijn inschrijving"
    assert tokenize(a) == tokenize(b)


def test_search_text_leaves_out_filler_and_kind_words() -> None:
    from assistant.question import read_question

    q = read_question("Hoelang moet ik me eigenlijk aan mijn inschrijving houden?")
    assert q.search_text == "ik aan inschrijving houden ?"
    # "hoe snel" asks a duration as "hoe lang" does; "uiterste datum" a date: no answer says them
    assert "snel" not in read_question("Hoe snel moet ik een datalek melden?").search_text
    assert "datum" not in read_question("Wat is de uiterste datum?").search_text.split()
    # nothing but filler: the question is searched as typed
    assert read_question("Hoe lang?").search_text == "Hoe lang?"


def test_separable_verbs() -> None:
    from index.vocabulary import separable_base

    assert separable_base("aanhouden") == "houden"
    assert separable_base("afgehandeld") == "handelen"
    assert separable_base("overeenkomst") is None  # no verb
    assert separable_base("bellen") is None
    # the verb must stand as a word: "aanbesteden" is not said by "bestedingsruimte"
    assert not says("aanbesteden", "De bestedingsruimte is bekend.")


def test_a_separable_verbs_te_form_is_one_word() -> None:
    from index.tokens import join_separable

    assert join_separable("om te zetten naar") == "omzetten naar"
    assert join_separable("wil ik me in te schrijven") == "wil ik me inschrijven"
    assert join_separable("om te helpen") == "om te helpen"  # in order to help: no verb
    assert set(tokenize("contracten om te zetten")) == set(tokenize("contracten omzetten"))


def test_sayings_read_many_texts_as_said_in_reads_each() -> None:
    """`Sayings` (each evidence stem read once per question) says what `Wanted.said_in`
    says, word by word, over real contract sentences: forms, compounds, thesaurus phrases,
    a compound's parts and a separable verb."""
    from index.tokens import token
    from index.vocabulary import Sayings, wanted

    texts = [
        "De opzegtermijn is drie kalendermaanden.",
        "Opdrachtnemer meldt vooraf als hij wil uitbesteden aan een onderaannemer.",
        "Zorgaanbieders en jeugdhulpaanbieders houden zich aan de termijn van 12 weken.",
        "De gunning is omstreeks februari 2025; de inschrijving houdt hij gestand.",
        "Een datalek meldt hij binnen 24 uur aan Opdrachtgever.",
    ]
    evidence = [set(tokenize(t)) for t in texts]
    known = set().union(*evidence) | {token("jeugdhulp"), token("aanbieder")}
    asked = "jeugdhulpaanbieder termijn aanhouden aanbieder gunnen 12 datalek inzetten opzeg"
    ways = {token(w): wanted(w, token(w), known) for w in asked.split()}
    sayings = Sayings(ways)
    for ev in evidence:
        expected = frozenset(k for k, way in ways.items() if way.said_in(ev))
        assert sayings.said(ev) == expected
        assert sayings.said(ev) == expected  # remembered stems read the same
    assert token("termijn") in sayings.said(evidence[0])  # inside "opzegtermijn"
