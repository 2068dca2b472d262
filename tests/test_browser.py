"""The chat in a real browser (Debian's Chromium via Playwright): ask, see answer and sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers_app import running_app

from assistant.service import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
LETTERS = Path(__file__).resolve().parents[1] / "corpus" / "raadsinformatiebrieven"
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
        assert href and href.startswith("/gradio_api/file=")
        response = context.request.get(url.rstrip("/") + href)
        assert response.ok
        assert "1 januari 2026" in response.text()

        # The chat's bin icon (Dutch label under locale nl-NL) also empties the sources.
        page.locator('button[aria-label="Gesprek wissen"]').click()
        expect(page.locator("#bronnen")).to_contain_text("Nog geen bronnen", timeout=TIMEOUT_MS)
        expect(page.locator('[data-testid="bot"]')).to_have_count(0)
    finally:
        context.close()
