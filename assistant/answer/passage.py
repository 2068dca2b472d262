"""Where a sentence stands in its passage: what frames it and what it leans on.

The extractive answerer reads a sentence with its surroundings: a letter's salutation or
closing is no sentence to quote (`is_formula`); a sentence in a table's answer cell has its
row's question as a heading (`row_question`); a sentence that opens by pointing back
("Daarom ...", "Dit ...") is quoted with the one before it (`with_antecedent`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.verify.sentences import chunk_sentences
from ingest.models import Chunk

# A letter's salutation or closing says nothing: "Met vriendelijke groet, burgemeester en
# wethouders," is no answer to "Wie heeft de brief ondertekend?".
_FORMULA = re.compile(
    r"^\W*(?:met vriendelijke groet(?:en)?|hoogachtend|geachte|beste|namens deze)\b", re.I
)
# A sentence that leans on the one before it ("Daarom kiezen de twee regio's ...", "Dit
# geldt ook ..."): quoted with that sentence, so the reason or subject stands in the quote.
_ANAPHORIC = re.compile(
    r"^(?:daarom|daardoor|daarmee|daarnaast|hierdoor|hiermee|hierbij|daarbij|dit|deze|dat|"
    r"zij|ze|hij)\b",
    re.I,
)
MAX_QUOTE_WORDS = 100


def is_formula(sentence: str) -> bool:
    """A salutation or closing formula ("Geachte raadsleden,", "Met vriendelijke groet,")."""
    return bool(_FORMULA.match(sentence))


def row_question(
    chunk: Chunk, start: int, sentence: str, page_text: Callable[[str, int], str | None]
) -> str:
    """The first cell of the table row a sentence stands in a later cell of ("| Hoe lang
    duurt dit? | Bijvoorbeeld regio Food Valley had 6 maanden nodig ... |"): in a
    questions-and-answers table the row's question says what its answer is about. The row
    is read from the page (`page_text`) when the passage starts inside it; "" for a
    sentence in no table row."""
    line_start = chunk.text.rfind("\n", 0, start) + 1
    line = chunk.text[line_start : _line_end(chunk.text, start)]
    if "|" not in line:
        return ""  # no table row (most sentences): nothing to read
    if line_start == 0 and not line.lstrip().startswith("|"):
        page = page_text(chunk.doc_id, chunk.page_at(start)) or ""
        at = page.find(sentence[:80])
        if at < 0:
            return ""
        line = page[page.rfind("\n", 0, at) + 1 : _line_end(page, at)]
        start = at - (page.rfind("\n", 0, at) + 1)
    else:
        start -= line_start
    if not line.lstrip().startswith("|"):
        return ""
    cells = line.split("|")
    first = cells[1] if len(cells) > 2 else ""
    first_end = line.find("|", line.find("|") + 1)
    return first.strip() if 0 < first_end < start else ""


def with_antecedent(chunk: Chunk, start: int, sentence: str) -> str:
    """The sentence at `start` of the passage, with the sentence before it on the same page
    when it opens by pointing back; the text as it stands in the passage."""
    if not _ANAPHORIC.match(sentence):
        return sentence
    before = [at for at, _ in chunk_sentences(chunk) if at < start]
    if not before:
        return sentence
    quote = chunk.text[before[-1] : start + len(sentence)]
    if chunk.page_at(before[-1]) != chunk.page_at(start) or len(quote.split()) > MAX_QUOTE_WORDS:
        return sentence
    return quote


def _line_end(text: str, at: int) -> int:
    end = text.find("\n", at)
    return len(text) if end < 0 else end
