"""The apps in a real browser (Debian's Chromium via Playwright): the provider chat and its
council timeline, and the staff page behind its login: review an NvI draft, export the note,
and ask about intern documents the provider chat never shows."""

from __future__ import annotations

import csv
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import LETTERS
from helpers_app import running_app, running_staff_page
from helpers_llm import pieces
from test_nvi_workbench import CANARY, INTERN_NOTE, QUESTIONS, TENDER

from assistant.llm.backends import ChatMessage, ChatModel
from assistant.nvi.store import NviStore
from assistant.nvi.workbench import Workbench, store_path
from assistant.service import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        try:
            instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        except Exception as exc:
            pytest.skip(f"playwright cannot start {CHROMIUM}: {exc}")
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assistant = Assistant(
        Settings(data_dir=tmp_path_factory.mktemp("browser-data"), embedding_model="hashing")
    )
    assistant.ingest([LETTERS], visibility="openbaar")
    with running_app(assistant) as base:
        yield base


def test_question_gets_answer_and_sources_in_the_browser(browser: Any, url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        expect(page.get_by_text("Inkoopassistent").first).to_be_visible(timeout=TIMEOUT_MS)

        box = page.locator('textarea[data-testid="textbox"]').first
        box.fill("Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?")
        box.press("Enter")

        bot = page.locator('[data-testid="bot"]').filter(has_text="1 januari 2026")
        expect(bot.first).to_be_visible(timeout=TIMEOUT_MS)
        expect(bot.first).to_contain_text("[1]")

        source = page.locator('#bronnen [data-testid="bron"]').first
        expect(source).to_contain_text("Raadsinformatiebrief", timeout=TIMEOUT_MS)
        expect(source).to_contain_text("Inkoopstrategie Ambulante Jeugdhulp Midden-Limburg")
        expect(source.locator("blockquote")).to_contain_text("1 januari 2026")

        href = source.locator("a.bron-link").get_attribute("href")
        assert href and href.startswith("/dokument/")
        response = context.request.get(url.rstrip("/") + href)
        assert response.ok
        assert "1 januari 2026" in response.text()

        # The chat's bin icon (Dutch label under locale nl-NL) also empties the sources.
        page.locator('button[aria-label="Gesprek wissen"]').click()
        expect(page.locator("#bronnen")).to_contain_text("Nog geen bronnen", timeout=TIMEOUT_MS)
        expect(page.locator('[data-testid="bot"]')).to_have_count(0)
    finally:
        context.close()


class GatedModel(ChatModel):
    """Streams its reply a sentence at a time, and goes on only once the test has seen the
    sentence on screen (`shown`, set once per sentence): the drafts stay put however slow the
    browser or the machine, and the test waits on what it sees, not on a clock."""

    name = "gated"
    WAIT_S = 60  # a test that failed before seeing a sentence does not hang the server

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.shown = threading.Semaphore(0)

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        return self.reply

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        for sentence in re.findall(r".+?[.!?](?:\s+|$)", self.reply):
            yield from pieces(sentence)
            self.shown.acquire(timeout=self.WAIT_S)


@dataclass(frozen=True)
class GenerativeSite:
    url: str
    model: GatedModel


@pytest.fixture(scope="module")
def generative_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GenerativeSite]:
    reply = "De nieuwe contracten gaan in op 1 januari 2026 [1]. Er zijn 14 percelen [1]."
    model = GatedModel(reply)
    assistant = Assistant(
        Settings(data_dir=tmp_path_factory.mktemp("browser-llm"), embedding_model="hashing"),
        chat_model=model,
    )
    assistant.ingest([LETTERS], visibility="openbaar")
    with running_app(assistant) as base:
        yield GenerativeSite(base, model)


def test_a_generative_answer_streams_then_is_replaced_by_the_checked_one(
    browser: Any, generative_site: GenerativeSite
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(generative_site.url, wait_until="domcontentloaded")
        box = page.locator('textarea[data-testid="textbox"]').first
        expect(box).to_be_visible(timeout=TIMEOUT_MS)
        box.fill("Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?")
        box.press("Enter")

        bot = page.locator('[data-testid="bot"]').first
        expect(bot).to_contain_text("Concept, wordt gecontroleerd", timeout=TIMEOUT_MS)
        expect(bot).to_contain_text("1 januari 2026 [1].", timeout=TIMEOUT_MS)
        expect(bot).not_to_contain_text("14 percelen")  # the first sentence only, so far
        expect(page.locator("#bronnen")).to_contain_text("de bronnen volgen")
        generative_site.model.shown.release()
        expect(bot).to_contain_text("14 percelen", timeout=TIMEOUT_MS)  # unchecked, for now
        expect(bot).to_contain_text("Concept, wordt gecontroleerd")
        generative_site.model.shown.release()  # the whole draft was seen: now it is checked

        source = page.locator('#bronnen [data-testid="bron"]').first
        expect(source).to_contain_text("1 januari 2026", timeout=TIMEOUT_MS)
        expect(bot).not_to_contain_text("Concept, wordt gecontroleerd")
        expect(bot).not_to_contain_text("14 percelen")
        expect(bot).to_contain_text("weggelaten")
    finally:
        context.close()


def test_the_council_tab_shows_a_dated_timeline_with_quotes(browser: Any, url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("tab", name="Raad: besluiten").click()
        timeline = page.locator("#tijdlijn")
        expect(timeline).to_contain_text("Toon tijdlijn", timeout=TIMEOUT_MS)  # the hint
        page.get_by_role("button", name="Toon tijdlijn").click()  # the default subject

        steps = timeline.locator('[data-testid="stap"]')
        expect(steps.first).to_be_visible(timeout=TIMEOUT_MS)
        dates = steps.locator("time").all_inner_texts()
        assert dates and all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", d) for d in dates), dates
        assert dates == sorted(dates)  # oldest first
        for quote in steps.locator("blockquote").all_inner_texts():
            assert len(quote.strip("“” ")) > 10, quote

        decided = steps.filter(has_text="2024-04-02").first
        expect(decided).to_have_attribute("data-status", "besloten")
        expect(decided.locator("blockquote")).to_contain_text("inkoopstrategie vastgesteld")
        href = decided.locator("a.bron-link").get_attribute("href")
        assert href and href.startswith("/dokument/")
        letter = context.request.get(url.rstrip("/") + href)
        assert letter.ok
        assert "heeft ons college deze inkoopstrategie vastgesteld" in letter.text()
    finally:
        context.close()


# -- the staff page ---------------------------------------------------------------------

PASSWORD = "geheim"
PROJECT = "Jeugdhulp 2026"
EARLIER_PROJECT = "Wmo 2025"  # made first, so the dropdown starts on it, not on PROJECT
INTERN_QUESTION = "Wat is het reservebudget in euro?"  # only the intern note answers it


@dataclass(frozen=True)
class StaffSite:
    staff: str  # the staff page's base URL
    provider: str  # the provider chat on the same index
    bench: Workbench
    artefacts: Path  # screenshots, kept under pytest's basetemp


@pytest.fixture(scope="module")
def staff_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffSite]:
    """The tender (openbaar) and an intern note indexed; two NvI projects with the providers'
    questions imported, the second drafted; the staff page and the provider chat served."""
    root = tmp_path_factory.mktemp("browser-staff")
    (root / "inkoopdocument.md").write_text(TENDER, encoding="utf-8")
    (root / "interne-notitie.md").write_text(INTERN_NOTE, encoding="utf-8")
    data = root / "data"
    assistant = Assistant(Settings(data_dir=data, embedding_model="hashing"))
    report = assistant.ingest([root / "inkoopdocument.md", root / "interne-notitie.md"])
    assert not report.problems
    questions = root / "vragen aanbieders.csv"
    with questions.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Nr.", "Aanbieder", "Paragraaf", "Vraag"])
        w.writerows(QUESTIONS)
    bench = Workbench(NviStore(store_path(data)), lambda: assistant)
    for name in (EARLIER_PROJECT, PROJECT):
        bench.new(name, "*inkoopdocument*", "2026-01-15")
        bench.import_file(name, questions)
    assert bench.draft(PROJECT).answered == (1, 2, 3, 4)
    artefacts = tmp_path_factory.getbasetemp() / "artefacts"
    artefacts.mkdir(exist_ok=True)
    with (
        running_staff_page(bench, data, assistant, PASSWORD) as staff,
        running_app(assistant) as provider,
    ):
        yield StaffSite(staff, provider, bench, artefacts)


def log_in(page: Any, name: str = "Anna", password: str = PASSWORD) -> None:
    """Gradio's login form (Dutch under locale nl-NL)."""
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_staff_review_a_draft_and_export_the_note(browser: Any, staff_site: StaffSite) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(staff_site.staff, wait_until="domcontentloaded")
        expect(page.get_by_role("button", name="Inloggen")).to_be_visible(timeout=TIMEOUT_MS)
        expect(page.get_by_text("NvI-werkbank")).to_have_count(0)
        log_in(page, password="fout")
        expect(page.get_by_text("Onjuiste inloggegevens")).to_be_visible(timeout=TIMEOUT_MS)
        log_in(page)  # Gradio empties the form after a refusal

        # The name from the login is filled in for the history.
        expect(page.get_by_label("Uw naam")).to_have_value("Anna", timeout=TIMEOUT_MS)
        page.get_by_label("NvI-project").click()
        page.get_by_role("option", name=PROJECT).click()
        table = page.locator("#nvi-tabel")
        rows = table.get_by_role("row").filter(has_not=page.get_by_role("columnheader"))
        expect(rows).to_have_count(len(QUESTIONS), timeout=TIMEOUT_MS)
        expect(rows.nth(4)).to_contain_text("Beleidsvraag")

        # A click on question 3's row opens it: the draft and its sources.
        table.get_by_role("gridcell").filter(has_text="uurtarief").first.click()
        expect(page.get_by_label("Vraagnummer")).to_have_value("3", timeout=TIMEOUT_MS)
        answer = page.locator("#nvi-antwoord textarea")
        expect(answer).to_have_value(re.compile(r"78,50 euro"), timeout=TIMEOUT_MS)
        overview = page.locator("#nvi-overzicht")
        expect(overview).to_contain_text("Bronnen van het concept")
        expect(overview).to_contain_text("Inkoopdocument ambulante jeugdhulp 2026, p. 1, § 3.2")

        page.get_by_role("radio", name="definitief").check()
        page.get_by_role("button", name="Opslaan").click()
        saved = page.get_by_text("Opgeslagen: vraag 3: definitief")
        expect(saved).to_be_visible(timeout=TIMEOUT_MS)
        expect(saved).to_contain_text("Anna")
        expect(rows.nth(2)).to_contain_text("definitief")
        assert staff_site.bench.groups(PROJECT, "definitief")[0].updated_by == "Anna"

        page.get_by_text("Exporteren", exact=True).click()  # the accordion
        page.get_by_role("radio", name="md").check()
        page.get_by_role("button", name="Exporteren", exact=True).click()
        expect(page.locator("#nvi-melding")).to_contain_text(
            "1 vraag geëxporteerd (md).", timeout=TIMEOUT_MS
        )
        link = page.locator("a[download]")
        expect(link).to_have_count(1, timeout=TIMEOUT_MS)
        href = link.get_attribute("href")
        assert href and href.endswith("/NvI-Jeugdhulp-2026.md")
        note = context.request.get(href)  # with the login's cookie
        assert note.ok
        text = note.text()
        assert "Vraag 3" in text and "78,50" in text
        assert "Zorg Noord" not in text  # the providers' names are left out
        assert httpx.get(href, timeout=10).status_code == 401  # not without the login

        shot = staff_site.artefacts / "staff-page.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the staff page: {shot}")
    finally:
        context.close()


def test_staff_chat_reads_intern_notes_the_provider_chat_never_shows(
    browser: Any, staff_site: StaffSite
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL")
    try:
        staff = context.new_page()
        staff.goto(staff_site.staff, wait_until="domcontentloaded")
        log_in(staff)
        staff.get_by_role("tab", name="Vragen (intern)").click()
        box = staff.get_by_placeholder("Typ uw vraag en druk op Enter")
        box.fill(INTERN_QUESTION)
        box.press("Enter")
        bot = staff.locator('[data-testid="bot"]').first
        expect(bot).to_contain_text(CANARY, timeout=TIMEOUT_MS)
        source = staff.locator('#bronnen [data-testid="bron"]').first
        expect(source).to_contain_text("Interne notitie", timeout=TIMEOUT_MS)
        expect(source.locator("blockquote")).to_contain_text(CANARY)
        href = source.locator("a.bron-link").get_attribute("href")
        assert href and href.startswith("/dokument/")
        note = context.request.get(staff_site.staff.rstrip("/") + href)  # logged in
        assert note.ok and CANARY in note.text()
        assert httpx.get(staff_site.staff.rstrip("/") + href, timeout=10).status_code == 401
        assert httpx.get(staff_site.provider.rstrip("/") + href, timeout=10).status_code == 404
        shot = staff_site.artefacts / "staff-chat-intern.png"
        staff.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the staff chat: {shot}")

        provider = context.new_page()
        provider.goto(staff_site.provider, wait_until="domcontentloaded")
        box = provider.locator('textarea[data-testid="textbox"]').first
        box.fill(INTERN_QUESTION)
        box.press("Enter")
        # No direct answer for the provider: the openbaar passages most about the question,
        # under their own heading, each with its likeliest sentence marked and a link to the
        # document (issue 20's "passages" outcome); the intern note never.
        expect(provider.locator('[data-testid="bot"]').first).to_contain_text(
            "Ik kan dit niet met zekerheid beantwoorden", timeout=TIMEOUT_MS
        )
        panel = provider.locator("#bronnen")
        expect(panel).to_contain_text("Hier staat het waarschijnlijk")
        place = panel.locator('[data-testid="plek"]').first
        expect(place.locator("mark")).to_contain_text("uurtarief")
        href = place.locator("a.bron-link").get_attribute("href")
        assert href and href.startswith("/dokument/")
        assert httpx.get(staff_site.provider.rstrip("/") + href, timeout=10).status_code == 200
        assert panel.locator('[data-testid="bron"]').count() == 0  # not shown as an answer
        shot = staff_site.artefacts / "provider-chat-passages.png"
        provider.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the provider's passages: {shot}")
        assert CANARY not in provider.content()
        assert "Interne notitie" not in provider.content()
    finally:
        context.close()


def test_the_staff_page_opens_on_the_current_projects(browser: Any, staff_site: StaffSite) -> None:
    from playwright.sync_api import expect

    staff_site.bench.new("Later project")  # after the page was built, as `inkoop nvi new` does
    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(staff_site.staff, wait_until="domcontentloaded")
        log_in(page)
        expect(page.get_by_label("Uw naam")).to_have_value("Anna", timeout=TIMEOUT_MS)
        expect(page.get_by_label("NvI-project")).to_have_value(EARLIER_PROJECT)
        rows = page.locator("#nvi-tabel").get_by_role("row")
        expect(rows).to_have_count(1 + len(QUESTIONS), timeout=TIMEOUT_MS)
        page.get_by_label("NvI-project").click()
        expect(page.get_by_role("option", name="Later project")).to_be_visible(timeout=TIMEOUT_MS)
    finally:
        context.close()


def test_an_exported_note_is_not_served_by_the_provider_app(
    browser: Any, staff_site: StaffSite
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(staff_site.staff, wait_until="domcontentloaded")
        log_in(page)
        page.get_by_label("NvI-project").click()
        page.get_by_role("option", name=PROJECT).click()
        page.get_by_text("Exporteren", exact=True).click()
        page.get_by_label("Ook antwoorden die nog niet definitief zijn").check()
        page.get_by_role("radio", name="md").check()
        page.get_by_role("button", name="Exporteren", exact=True).click()
        link = page.locator("a[download]")
        expect(link).to_have_count(1, timeout=TIMEOUT_MS)
        href = link.get_attribute("href")
        assert href and "/gradio_api/file=" in href
        assert context.request.get(href).ok
        assert httpx.get(href, timeout=10).status_code == 401

        path = href.split("/gradio_api/file=", 1)[1]
        leaked = httpx.get(f"{staff_site.provider}gradio_api/file={path}", timeout=10)
        assert leaked.status_code in (403, 404), leaked.text[:200]
    finally:
        context.close()


FACT = "De inschrijvingstermijn voor perceel Zonnebloem sluit op 23 april 2026 om 14.00 uur."
FACT_QUESTION = "Wanneer sluit de inschrijvingstermijn voor perceel Zonnebloem?"
TOPICS = (
    "vervoer",
    "huishoudelijke hulp",
    "dagbesteding",
    "beschermd wonen",
    "schuldhulpverlening",
    "jeugdreclassering",
    "mantelzorg",
    "woningaanpassingen",
)


def fifty_page_pdf(path: Path) -> Path:
    """A 50-page tender document (text layer) with one fact on page 37."""
    from helpers_pdf import text_pdf

    pages = []
    for n in range(1, 51):
        topic = TOPICS[n % len(TOPICS)]
        lines = [f"Bestek Wmo-diensten 2026 - hoofdstuk {n}: {topic}"]
        lines += [
            f"Artikel {n}.{i}: de opdrachtnemer levert {topic} volgens de kwaliteitseisen "
            f"van bijlage {i} en rapporteert elk kwartaal over {topic} in perceel {n}."
            for i in range(1, 40)
        ]
        if n == 37:
            lines.insert(5, FACT)
        pages.append(lines)
    return text_pdf(path, pages, title="Bestek Wmo-diensten 2026")


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The staff page and the provider chat over one index, as `inkoop serve` runs them."""
    data = tmp_path / "data"
    assistant = Assistant(Settings(data_dir=data, embedding_model="hashing"))
    assistant.ingest([LETTERS], visibility="openbaar")
    bench = Workbench(NviStore(store_path(data)), lambda: assistant)
    with (
        running_staff_page(bench, data, assistant, PASSWORD) as staff,
        running_app(assistant) as provider,
    ):
        yield staff, provider
    assistant.close()


def ask_in_chat(page: Any, question: str) -> None:
    box = page.locator('textarea[data-testid="textbox"]').first
    box.fill(question)
    box.press("Enter")


def test_a_pdf_uploaded_as_openbaar_answers_the_providers_next_question(
    browser: Any, live_site: tuple[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    staff_url, provider_url = live_site
    pdf = fifty_page_pdf(tmp_path / "Bestek Wmo-diensten 2026.pdf")
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    try:
        provider = context.new_page()  # a provider's session, open all along
        provider.goto(provider_url, wait_until="domcontentloaded")
        ask_in_chat(provider, FACT_QUESTION)
        bots = provider.locator('[data-testid="bot"]')
        expect(bots).to_have_count(1, timeout=TIMEOUT_MS)
        expect(bots.first).not_to_contain_text("23 april 2026")

        staff = context.new_page()
        staff.goto(staff_url, wait_until="domcontentloaded")
        log_in(staff)
        staff.get_by_role("tab", name="Documenten").click()
        staff.locator("#documenten-bestanden input[type=file]").set_input_files(str(pdf))
        staff.locator("#documenten-zichtbaarheid").get_by_role("radio", name="openbaar").check()
        started = time.perf_counter()
        staff.get_by_role("button", name="Toevoegen").click()
        report = staff.locator("#documenten-verslag")
        expect(report).to_contain_text("Toegevoegd", timeout=120_000)
        expect(report).to_contain_text("Bestek Wmo-diensten 2026.pdf")
        reported = time.perf_counter() - started
        table = staff.locator("#documenten-tabel")
        expect(table).to_contain_text("Bestek Wmo-diensten 2026", timeout=TIMEOUT_MS)
        expect(table).to_contain_text("openbaar")

        ask_in_chat(provider, FACT_QUESTION)  # the same session's next question
        expect(bots).to_have_count(2, timeout=TIMEOUT_MS)
        expect(bots.nth(1)).to_contain_text("23 april 2026", timeout=TIMEOUT_MS)
        answerable = time.perf_counter() - started
        source = provider.locator('#bronnen [data-testid="bron"]').first
        expect(source).to_contain_text("pagina 37", timeout=TIMEOUT_MS)
        href = source.locator("a.bron-link").get_attribute("href")
        assert href and href.startswith("/dokument/") and href.endswith("#page=37")
        opened = context.request.get(provider_url.rstrip("/") + href.split("#")[0])
        assert opened.ok and opened.body().startswith(b"%PDF")
        print(
            f"50-page PDF: upload to report {reported:.1f} s, "
            f"upload to answered on the provider chat {answerable:.1f} s"
        )
    finally:
        context.close()
