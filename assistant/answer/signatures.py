"""Who signed a letter: the names under its closing ("mr. R.J.H. Vlecken / burgemeester").

A council letter ends with its signatories, each a name with a role above or below it, and
two of them often side by side ("De secretaris,   De burgemeester," over "C.M. Keersmaekers
D.W.J. Schneider"). A question that asks who signed, or who the burgemeester or secretaris
of a letter is, is answered from those lines, quoted as they stand on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer.facts import documents_in, fact_answer
from assistant.models import Answer
from assistant.question import Question
from assistant.verify.citations import quote_on_page
from index.retriever import RetrievedChunk

ROLES = ("gemeentesecretaris", "secretaris", "burgemeester", "griffier", "wethouder", "voorzitter")
_ROLE = re.compile(rf"\b(?:de |het )?({'|'.join(ROLES)})\b,?", re.I)
# "mr. R.J.H. Vlecken", "C.M. Keersmaekers", "drs. A. van der Berg-Smit"
_NAME = re.compile(
    r"(?:(?:mr|mevr|dhr|drs|dr|ir|ing|prof)\.?\s+)*(?:[A-Z]\.\s?){1,5}\s*"
    r"(?:(?:van|de|der|den|ter|ten|te|het)\s+)*[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
)
_ASKS_SIGNED = re.compile(r"\b(?:onder)?teken\w*|\bgetekend\b|\bhandtekening\w*", re.I)
_ASKS_ROLE = re.compile(rf"\bwie\b.*\b({'|'.join(ROLES)})\b", re.I)
MAX_PAGES = 40


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str
    quote: str  # the lines of the page that hold both, as they stand
    page: int


_LETTER = re.compile(r"\b(?:brief|raadsinformatiebrief|rib)\b", re.I)
_OFFICE = re.compile(
    r"\bwie is (?:de |het )?(burgemeester|gemeentesecretaris|secretaris|griffier)\b", re.I
)


def asked_role(q: Question) -> str | None:
    """ "" (anyone who signed), a role ("burgemeester"), or None when no signatory is asked:
    who signed a letter ("Wie heeft de brief van Weert ondertekend?") or who holds an office
    that signs ("Wie is de burgemeester van Maasgouw?")."""
    office = _OFFICE.search(q.text)
    if office:
        return office.group(1).lower()
    if not _ASKS_SIGNED.search(q.text) or not (_LETTER.search(q.text) or q.gemeenten):
        return None
    role = _ASKS_ROLE.search(q.text)
    return role.group(1).lower() if role else ""


def signatories(text: str, page: int = 1) -> list[Signatory]:
    """The name-and-role pairs of a page's signature lines."""
    lines = text.splitlines()
    found: list[Signatory] = []
    for i, line in enumerate(lines):
        roles = [m.group(1).lower() for m in _ROLE.finditer(line)]
        if not roles or len(line.split()) > 2 * len(roles) + 2:
            continue  # a sentence that names a role is no signature line
        for j in _near(lines, i):
            names = [m.group(0).strip() for m in _NAME.finditer(lines[j])]
            rest = _NAME.sub("", lines[j]).strip(" ,")
            if len(names) == len(roles) and not rest:
                a, b = sorted((i, j))
                quote = "\n".join(lines[a : b + 1]).strip()
                found.extend(
                    Signatory(n, r, quote, page) for n, r in zip(names, roles, strict=True)
                )
                break
    return found


def _is_letter(hit: RetrievedChunk) -> bool:
    """A gemeente's letter: its metadata names the gemeente, or its type is a letter."""
    meta = hit.chunk.metadata
    return bool(meta.get("gemeente")) or "brief" in str(meta.get("type", "")).lower()


def _near(lines: list[str], i: int) -> list[int]:
    """The nearest non-empty lines below and above line i (a name stands over or under its
    role, with a blank line between at most)."""
    out = []
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(lines) and not lines[j].strip() and abs(j - i) < 3:
            j += step
        if 0 <= j < len(lines) and lines[j].strip():
            out.append(j)
    return out


def signatory_answer(
    q: Question,
    hits: Sequence[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
) -> Answer | None:
    """Who signed the best-ranked letter (of the gemeente the question names), cited from its
    signature lines; None when the question asks no signatory or none can be quoted."""
    role = asked_role(q)
    if role is None:
        return None
    for hit in documents_in(q, hits):
        if not _is_letter(hit):
            continue  # a contract's or a law's "Namens ..." lines are no signatories asked for
        for page in range(1, MAX_PAGES + 1):
            text = page_text(hit.chunk.doc_id, page)
            if text is None:
                break
            signed = [s for s in signatories(text, page) if not role or s.role.endswith(role)]
            if signed and quote_on_page(signed[0].quote, text):
                short = ", ".join(f"{s.name} ({s.role})" for s in signed)
                return fact_answer(q, short, hit, page, signed[0].quote, "signed by")
    return None
