"""The workbench state in SQLite: numbering, groups, review steps, conflicts, history, inbox."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.nvi.answers import ConflictError
from assistant.nvi.models import BELEIDSVRAAG, ImportedQuestion, NviError
from assistant.nvi.records import Project
from assistant.nvi.store import NviStore


def q(text: str, row: int = 2, **kw: str) -> ImportedQuestion:
    return ImportedQuestion(row=row, text=text, **kw)


@pytest.fixture
def store(tmp_path: Path) -> NviStore:
    return NviStore(tmp_path / "nvi" / "nvi.sqlite3")


@pytest.fixture
def project(store: NviStore) -> Project:
    p = store.create_project("Jeugdhulp 2026", documents="*Inkoopdocument*", deadline="2026-01-15")
    store.add_questions(
        p,
        [
            q("Wat is de uiterste datum voor inschrijving?", 2, provider="Zorg BV"),
            q("Tot wanneer kunnen wij inschrijven?", 3, provider="Jeugd & Co"),
            q("Hoe hoog is het tarief voor ambulante begeleiding?", 4, location="§ 4.2"),
        ],
        origin="import:vragen.csv",
    )
    return p


def test_projects_are_unique_by_name_and_survive_a_reopen(store: NviStore, tmp_path: Path) -> None:
    store.create_project("GGZ 2024", documents="*GGZ*")
    with pytest.raises(NviError, match="bestaat al"):
        store.create_project("ggz 2024")
    reopened = NviStore(tmp_path / "nvi" / "nvi.sqlite3")
    assert [p.name for p in reopened.projects()] == ["GGZ 2024"]
    assert reopened.project("GGZ 2024").documents == "*GGZ*"
    with pytest.raises(NviError, match=r"Onbekend NvI-project 'Wmo'.*GGZ 2024"):
        reopened.project("Wmo")


def test_questions_are_numbered_in_order_and_a_reimport_adds_nothing(
    store: NviStore, project: Project
) -> None:
    assert [(x.nr, x.provider, x.location) for x in store.questions(project)] == [
        (1, "Zorg BV", ""),
        (2, "Jeugd & Co", ""),
        (3, "", "§ 4.2"),
    ]
    again = store.add_questions(
        project,
        [q("Wat is de  uiterste datum voor inschrijving? ", 5, provider="zorg bv"), q("Nieuw?", 6)],
        origin="import:vragen2.csv",
    )
    assert again.nrs == (4,)
    assert again.duplicates == (5,)
    # the same question from another provider is a new question (it will be grouped)
    other = store.add_questions(
        project, [q("Wat is de uiterste datum voor inschrijving?", 2, provider="X")], "import"
    )
    assert other.nrs == (5,)


def test_an_imported_answer_becomes_a_concept(store: NviStore, project: Project) -> None:
    store.add_questions(project, [q("Mag onderaanneming?", answer="Ja, met toestemming.")], "x")
    g = store.group(project, 4)
    assert (g.status, g.answer, g.flags) == (
        "concept",
        "Ja, met toestemming.",
        ("antwoord uit het importbestand",),
    )


def test_clusters_join_new_questions_but_leave_pinned_and_answered_groups(
    store: NviStore, project: Project
) -> None:
    assert store.apply_clusters(project, [[1, 2]]) == (1, ())
    g = store.group(project, 2)
    assert g.nrs == (1, 2)
    assert g.nr == 1
    store.split(project, 2, "Anna")
    # a question split by hand is not put back by the next clustering
    assert store.apply_clusters(project, [[1, 2]]) == (0, ())
    assert store.group(project, 2).nrs == (2,)
    # two groups that both have an answer are left for staff
    store.save_draft(project, 3, "Het tarief is € 80 [1].", [], [], [], [], "extractief")
    store.save_draft(project, 1, "Op 15 januari [1].", [], [], [], [], "extractief")
    assert store.apply_clusters(project, [[1, 3]]) == (0, ())


def test_a_new_question_joining_a_reviewed_answer_sends_it_back_to_concept(
    store: NviStore, project: Project
) -> None:
    store.save_draft(project, 1, "Uiterlijk 15 januari 2026 [1].", [], [], [], [], "extractief")
    store.set_answer(project, 1, "Anna", status="definitief")
    assert store.apply_clusters(project, [[1, 2]]) == (1, (1,))
    g = store.group(project, 1)
    assert (g.nrs, g.status, g.answer) == ((1, 2), "concept", "Uiterlijk 15 januari 2026 [1].")


def test_merge_keeps_the_most_advanced_answer_and_split_starts_empty(
    store: NviStore, project: Project
) -> None:
    store.save_draft(project, 1, "Concept A [1].", [{"key": 1}], [], [], [], "extractief")
    store.set_answer(project, 2, "Bram", answer="Antwoord B", status="gecontroleerd")
    merged = store.merge(project, [1, 2], "Anna")
    assert merged.nrs == (1, 2)
    assert merged.answer == "Antwoord B"
    assert merged.status == "concept"  # reviewed for one question, not for both
    single = store.split(project, 1, "Anna")
    assert (single.nrs, single.answer, single.status) == ((1,), "", "nieuw")
    assert store.group(project, 2).answer == "Antwoord B"
    with pytest.raises(NviError, match="ten minste twee"):
        store.merge(project, [1], "Anna")
    with pytest.raises(NviError, match="Vraag 9 bestaat niet"):
        store.merge(project, [1, 9], "Anna")
    with pytest.raises(NviError, match="naam"):
        store.merge(project, [1, 2], " ")
    with pytest.raises(NviError, match="naam"):
        store.split(project, 2, "")


def test_a_merge_keeps_the_answer_it_drops_in_the_history(
    store: NviStore, project: Project
) -> None:
    store.set_answer(project, 1, "Henk", answer="Handgeschreven antwoord van Henk.")
    store.set_answer(project, 2, "Ina", answer="Kort antwoord.", status="gecontroleerd")
    merged = store.merge(project, [1, 2], "Anna")
    assert merged.answer == "Kort antwoord."
    events = store.history(project, 1)
    # the history of both questions stays with the group, and the dropped text is in it
    assert any(e.who == "Henk" and e.action.startswith("antwoord gewijzigd") for e in events)
    dropped = [e for e in events if e.action == "antwoord van vraag 1 vervallen bij samenvoegen"]
    assert [e.answer for e in dropped] == ["Handgeschreven antwoord van Henk."]


def test_drafts_never_replace_reviewed_or_handwritten_answers(
    store: NviStore, project: Project
) -> None:
    cites = [{"key": 1, "quote": "x"}]
    first = store.save_draft(project, 1, "A [1].", cites, [], [], [], "extractief")
    assert (first.status, first.drafted_by, first.citations) == (
        "concept",
        "extractief",
        ({"key": 1, "quote": "x"},),
    )
    # a second draft run keeps the concept, --redo replaces a machine concept
    assert (
        store.save_draft(project, 1, "B [1].", cites, [], [], [], "extractief").answer == "A [1]."
    )
    assert (
        store.save_draft(project, 1, "B [1].", cites, [], [], [], "extractief", redo=True).answer
        == "B [1]."
    )
    store.set_answer(project, 1, "Anna", answer="Eigen tekst van Anna.")
    again = store.save_draft(project, 1, "C [1].", cites, [], [], [], "extractief", redo=True)
    assert again.answer == "Eigen tekst van Anna."
    store.set_answer(project, 1, "Anna", status="definitief")
    assert store.save_draft(project, 1, "D", [], [], [], [], "extractief", True).status == (
        "definitief"
    )


def test_a_question_without_an_answer_stays_to_do_and_is_drafted_again(
    store: NviStore, project: Project
) -> None:
    # a policy question: no text, so still `nieuw` — found by `list --status nieuw`
    g = store.save_draft(project, 3, "", [], [{"text": "p"}], [], [BELEIDSVRAAG], "extractief")
    assert (g.status, g.flags) == ("nieuw", (BELEIDSVRAAG,))
    # saving an empty answer as concept (the staff page's default) keeps it to do
    assert store.set_answer(project, 3, "Gijs", status="concept", answer="").status == "nieuw"
    again = store.save_draft(
        project, 3, "Het tarief is 80 euro [1].", [{"key": 1}], [], [], [], "extractief"
    )
    assert (again.status, again.answer) == ("concept", "Het tarief is 80 euro [1].")
    with pytest.raises(NviError, match="nog geen antwoord"):
        store.set_answer(project, 3, "Gijs", answer="", status="gecontroleerd")


def test_a_rewritten_answer_keeps_only_the_sources_it_names(
    store: NviStore, project: Project
) -> None:
    cites = [{"key": 1, "quote": "a"}, {"key": 2, "quote": "b"}]
    store.save_draft(project, 1, "Eerst [1]. Dan [2].", cites, [], [], [], "extractief")
    g = store.set_answer(project, 1, "Anna", answer="Alleen dit klopt [2].")
    assert g.citations == ({"key": 2, "quote": "b"},)
    g = store.set_answer(project, 1, "Anna", answer="Eigen woorden, zonder bron.")
    assert g.citations == ()


def test_the_same_question_twice_in_one_file_is_two_questions(
    store: NviStore, project: Project
) -> None:
    twice = [
        q("Geldt de termijn ook voor jeugd-GGZ?", 2),
        q("Geldt de termijn ook voor jeugd-GGZ?", 9),
    ]
    assert store.add_questions(project, twice, "import:b.csv").nrs == (4, 5)
    assert store.add_questions(project, twice, "import:b.csv").duplicates == (2, 9)


def test_project_names_compare_without_case_also_beyond_ascii(store: NviStore) -> None:
    store.create_project("Één  ronde\nË")
    with pytest.raises(NviError, match="bestaat al"):
        store.create_project("één ronde ë")
    assert store.project("ÉÉN RONDE Ë").name == "Één ronde Ë"


def test_review_steps_record_who_and_when_and_edits_reopen_review(
    store: NviStore, project: Project
) -> None:
    store.save_draft(project, 3, "", [], [{"text": "p"}], [], [BELEIDSVRAAG], "extractief")
    with pytest.raises(NviError, match="nog geen antwoord"):
        store.set_answer(project, 3, "Anna", status="definitief")
    with pytest.raises(NviError, match="naam"):
        store.set_answer(project, 3, " ", answer="x")
    with pytest.raises(NviError, match="Onbekende status 'klaar'"):
        store.set_answer(project, 3, "Anna", status="klaar")
    g = store.set_answer(project, 3, "Anna", answer="Het tarief staat in bijlage 2: € 80.")
    assert (g.status, g.updated_by, g.drafted_by) == ("concept", "Anna", "Anna")
    g = store.set_answer(project, 3, "Bram", status="definitief")
    assert (g.status, g.updated_by) == ("definitief", "Bram")
    g = store.set_answer(project, 3, "Carla", answer="Het tarief is € 81.")
    assert g.status == "concept"  # a changed definitief answer must be reviewed again
    events = store.history(project, 3)
    assert [(e.who, e.action, e.status) for e in events[-4:]] == [
        ("extractief", "geen antwoord in de stukken", "nieuw"),
        ("Anna", "antwoord gewijzigd, status concept", "concept"),
        ("Bram", "status definitief", "definitief"),
        ("Carla", "antwoord gewijzigd, status concept", "concept"),
    ]
    assert all(e.at[:4].isdigit() for e in events)


def test_a_stale_edit_fails_instead_of_overwriting(store: NviStore, project: Project) -> None:
    loaded = store.group(project, 1)
    store.set_answer(project, 1, "Anna", answer="Versie Anna", expected_version=loaded.version)
    with pytest.raises(ConflictError, match="intussen gewijzigd door Anna"):
        store.set_answer(project, 1, "Bram", answer="Versie Bram", expected_version=loaded.version)
    assert store.group(project, 1).answer == "Versie Anna"


def test_two_staff_saving_at_once_one_wins_one_is_told(store: NviStore, project: Project) -> None:
    version = store.group(project, 2).version
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def save(who: str) -> None:
        other = NviStore(store.path)  # as another process would: its own connections
        start.wait()
        try:
            other.set_answer(project, 2, who, answer=f"Antwoord {who}", expected_version=version)
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(w,)) for w in ("Anna", "Bram")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert store.group(project, 2).answer in ("Antwoord Anna", "Antwoord Bram")


def test_refused_chat_questions_collect_in_the_inbox(store: NviStore, project: Project) -> None:
    store.add_candidate("Mag ik als zzp'er inschrijven?")
    store.add_candidate("mag ik als  ZZP'er inschrijven?")
    store.add_candidate("?")  # too short to be a question for the note
    store.add_candidate("Geldt de raamovereenkomst ook voor Roermond?")
    found = store.candidates()
    assert [(c.question, c.asked) for c in found] == [
        ("Mag ik als zzp'er inschrijven?", 2),
        ("Geldt de raamovereenkomst ook voor Roermond?", 1),
    ]
    added = store.take_candidates(project, [found[0].id], "Anna")
    assert added.nrs == (4,)
    taken = store.questions(project)[-1]
    assert (taken.text, taken.origin, taken.provider) == (
        "Mag ik als zzp'er inschrijven?",
        "chat",
        "",
    )
    assert [c.question for c in store.candidates()] == [
        "Geldt de raamovereenkomst ook voor Roermond?"
    ]
    with pytest.raises(NviError, match="Onbekend in de inbox: 99"):
        store.take_candidates(project, [99], "Anna")
