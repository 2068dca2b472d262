"""The NvI inbox cannot be crowded out (security issue 23, finding 4): one client's flood leaves
room for others, variants of a question count as one and one client counts a question once,
and staff dismiss junk, one by one or all at once (store, CLI, staff page)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from helpers_app import HOST, serving
from test_cli import isolate_env, run

from assistant.nvi.inbox import NEW_PER_CLIENT, Inbox
from assistant.nvi.models import NviError, question_key
from assistant.nvi.projects import Projects
from assistant.nvi.schema import Database
from assistant.nvi.store import NviStore
from assistant.nvi.workbench import Workbench, store_path
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.clients import current_client, from_client
from assistant.ui.staff import StaffPage


class Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def inbox(tmp_path: Path, clock: Clock) -> Inbox:
    db = Database(tmp_path / "nvi.sqlite3")
    return Inbox(db, Projects(db), clock=clock)


def asked(inbox: Inbox) -> dict[str, int]:
    return {c.question: c.asked for c in inbox.candidates()}


def test_a_flood_from_one_client_leaves_room_for_a_real_question(
    inbox: Inbox, clock: Clock
) -> None:
    # Before: 30 junk questions from one address filled the window; a real one was lost.
    kept = [inbox.record(f"Onzin vraag nummer {i} xyz?", "10.0.0.66") for i in range(100)]
    assert sum(kept) == NEW_PER_CLIENT
    assert inbox.record("Wanneer sluit de inschrijving voor de GGZ?", "10.0.0.7")
    assert "Wanneer sluit de inschrijving voor de GGZ?" in asked(inbox)
    # many clients together still meet the window's total (30)
    for c in range(10):
        for i in range(NEW_PER_CLIENT):
            inbox.record(f"Vraag {i} van klant {c} over het budget?", f"10.0.1.{c}")
    assert len(inbox.candidates()) == 30


def test_a_client_gets_its_share_again_in_the_next_window(tmp_path: Path, clock: Clock) -> None:
    db = Database(tmp_path / "nvi.sqlite3")
    inbox = Inbox(db, Projects(db), per_window=1000, clock=clock)
    kept = [inbox.record(f"Onzin vraag nummer {i} xyz?", "10.0.0.66") for i in range(10)]
    assert kept == [True] * NEW_PER_CLIENT + [False] * (10 - NEW_PER_CLIENT)
    clock.now += 601  # the next window (the total counts stored times; this share, memory)
    assert inbox.record("Nog een onzin vraag van de overloper?", "10.0.0.66")


def test_variants_are_one_question_and_one_client_counts_it_once(inbox: Inbox) -> None:
    variants = [
        "Mag ik als zzp'er inschrijven?",
        "mag ik als  ZZP'er inschrijven",
        "MAG IK ALS ZZP'ER INSCHRIJVEN!!",
        "Mag ik, als zzp'er, inschrijven ?",
    ]
    assert len({question_key(v) for v in variants}) == 1
    for _ in range(21):  # before: one client pushed a junk question to asked=21
        for v in variants:
            inbox.record(v, "10.0.0.66")
    assert asked(inbox) == {"Mag ik als zzp'er inschrijven?": 1}
    for client in ("10.0.0.7", "10.0.0.8"):
        inbox.record(variants[1], client)
        inbox.record(variants[2], client)
    assert asked(inbox) == {"Mag ik als zzp'er inschrijven?": 3}


def test_staff_dismiss_one_or_all_and_dismissed_junk_stays_away(tmp_path: Path) -> None:
    db = Database(tmp_path / "nvi.sqlite3")
    inbox = Inbox(db, Projects(db), max_waiting=3)
    for i in range(3):
        assert inbox.record(f"Onzin vraag nummer {i} xyz?")
    assert not inbox.record("Een echte vraag over de kapelbrug?")  # 3 waiting in all
    first = inbox.candidates()[0]
    assert inbox.dismiss([first.id], "Anna") == 1
    assert first.id not in {c.id for c in inbox.candidates()}
    assert not inbox.record(first.question)  # asked again: stays dismissed
    assert inbox.record("Een echte vraag over de kapelbrug?")  # room again
    with pytest.raises(NviError, match="Niet \\(meer\\) in de inbox: 99"):
        inbox.dismiss([99], "Anna")
    assert inbox.dismiss(None, "Anna") == 3
    assert inbox.candidates() == []
    gone = inbox.candidates(include_taken=True)
    assert len(gone) == 4 and all(c.dismissed_at for c in gone)


def test_an_older_store_gets_the_dismiss_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "nvi.sqlite3"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY, question TEXT NOT NULL, norm TEXT NOT NULL"
        " UNIQUE, asked INTEGER NOT NULL DEFAULT 1, first_at TEXT NOT NULL, last_at TEXT NOT"
        " NULL, taken_into TEXT NOT NULL DEFAULT '')"
    )
    old.execute("INSERT INTO inbox (question, norm, first_at, last_at) VALUES ('V?','v','x','x')")
    old.commit()
    old.close()
    store = NviStore(path)
    assert [c.question for c in store.candidates()] == ["V?"]
    assert store.dismiss_candidates(None, "Anna") == 1


def test_dismiss_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_env(monkeypatch)
    data = tmp_path / "data"
    store = NviStore(store_path(data))
    for i in range(4):
        store.add_candidate(f"Onzin vraag nummer {i} xyz?")

    def inbox(*argv: str) -> tuple[int, str]:
        code, out = run("nvi", "inbox", *argv, "--data-dir", data)
        return code, out

    ids = [c.id for c in store.candidates()]
    code, out = inbox("--dismiss", "--id", str(ids[0]), str(ids[1]))
    assert (code, out.strip()) == (0, "2 vragen uit de inbox afgewezen.")
    assert inbox("--dismiss")[0] != 0  # neither ids nor --all
    assert inbox("--all")[0] != 0
    code, out = inbox("--dismiss", "--all", "--json")
    assert code == 0 and json.loads(out) == {"dismissed": 2}
    assert "De inbox is leeg." in inbox()[1]


def test_dismiss_on_the_staff_page(tmp_path: Path) -> None:
    store = NviStore(tmp_path / "nvi.sqlite3")
    for i in range(3):
        store.add_candidate(f"Onzin vraag nummer {i} xyz?")
    page = StaffPage(Workbench(store, lambda: None), tmp_path / "exports")  # type: ignore[arg-type, return-value]
    first = page.inbox()[0][0]
    assert page.dismiss(str(first), "Anna") == "1 vraag uit de inbox afgewezen."
    assert len(page.inbox()) == 2
    with pytest.raises(NviError):
        page.dismiss("geen nummers", "Anna")
    assert page.dismiss("", "Anna", everything=True) == "2 vragen uit de inbox afgewezen."
    assert page.inbox() == []


def test_the_served_chat_tells_the_inbox_its_client(tmp_path: Path) -> None:
    from assistant.ui.provider import build_app
    from assistant.ui.render import launch_options

    assert current_client() == ""  # outside a Gradio event
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "budget.md").write_text("# Budget\n\nHet budget is 5 euro.\n")
    assistant = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing"))
    assistant.ingest([tmp_path / "docs"], visibility="openbaar")
    got: list[tuple[str, str]] = []

    def inbox(question: str, client: str) -> None:
        got.append((question, client))

    app = build_app(assistant, inbox=from_client(inbox))
    with (
        serving(app, **launch_options(assistant, host=HOST, inbox=inbox)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        posted = client.post(
            "/gradio_api/call/ask", json={"data": ["Wat is de hoofdstad van Peru?"]}
        )
        client.get(f"/gradio_api/call/ask/{posted.json()['event_id']}")
        assert got == [("Wat is de hoofdstad van Peru?", "127.0.0.1")]
        # POST /api/ask records a refusal the same way, cleaned and cut as the answer says it
        reply = client.post("/api/ask", json={"question": "  Wat is de hoofdstad van Chili? "})
        assert reply.json()["refused"] and reply.json()["question"] == got[-1][0]
        client.post("/api/ask", json={"question": "Hoe hoog is het budget?"})  # answered
    assert got[1:] == [("Wat is de hoofdstad van Chili?", "127.0.0.1")]
