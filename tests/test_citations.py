"""Citation checks: a quote counts only when it is on the cited page; keys in order of use."""

from __future__ import annotations

import pytest

from assistant.verify.citations import cited_keys, normalize_ws, quote_on_page

PAGE = (
    "Vervolg\n\nDe gunning is omstreeks februari 2025, waarna een ruime\n"
    "implementatieperiode start.  Op 1 januari 2026 gaan de nieuwe\tcontracten voor\r\n"
    "ambulante jeugdhulp in."
)


@pytest.mark.parametrize(
    "quote",
    [
        "De gunning is omstreeks februari 2025, waarna een ruime implementatieperiode start.",
        "Op 1 januari 2026 gaan de nieuwe contracten voor ambulante jeugdhulp in.",
        "  Op 1 januari 2026\ngaan de   nieuwe contracten ",  # a line wrap of its own
        "start. Op 1 januari",  # across the double space between sentences
        "Vervolg De gunning",  # across the blank line after a heading
    ],
)
def test_quote_on_page_ignores_whitespace_differences(quote: str) -> None:
    assert quote_on_page(quote, PAGE)


@pytest.mark.parametrize(
    "quote",
    [
        "Op 1 januari 2027 gaan de nieuwe contracten voor ambulante jeugdhulp in.",  # one digit
        "De gunning is omstreeks maart 2025.",
        "op 1 januari 2026 gaan",  # case matters: a quote is verbatim
        "De gunning is omstreeks februari 2025 waarna",  # a comma missing
        "Opgunning",  # words glued together are not the page's words
    ],
)
def test_quote_not_on_page_is_rejected(quote: str) -> None:
    assert not quote_on_page(quote, PAGE)


@pytest.mark.parametrize("quote", ["", "   ", "\n\t"])
def test_empty_quote_never_verifies(quote: str) -> None:
    assert not quote_on_page(quote, PAGE)


@pytest.mark.parametrize("page", [None, ""])
def test_missing_page_never_verifies(page: str | None) -> None:
    assert not quote_on_page("Op 1 januari 2026", page)


def test_normalize_ws_collapses_and_strips() -> None:
    assert normalize_ws("  a\n\nb\t c\r\nd  ") == "a b c d"


def test_cited_keys_in_order_of_first_use_without_duplicates() -> None:
    text = "De gunning volgt [2]. Contracten per 2026 [1][2]. Zie ook [3] en nogmaals [1]."
    assert cited_keys(text) == [2, 1, 3]


def test_cited_keys_ignores_what_is_not_a_key() -> None:
    text = "Artikel [a] en [1000] en [ 4 ] en (5) en [12]"
    assert cited_keys(text) == [12]
    assert cited_keys("Geen bronnen.") == []
