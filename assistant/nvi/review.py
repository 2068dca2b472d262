"""Review warnings on an NvI answer, pure: staff see them beside the answer, never exported."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assistant.nvi.models import BELEIDSVRAAG, DEFINITIEF
from assistant.verify.citations import CITATION_KEY, cited_keys

# "Zie paragraaf 3.2." / "Wij verwijzen naar pagina 12 van het inkoopdocument."
_REFERENCE = re.compile(
    r"\b(zie|verwijz\w*|verwezen|raadpleeg|conform|vermeld|beschreven|opgenomen|staat)\b"
    r"|\b(paragraaf|par\.|§|pagina|blz\.?|p\.|artikel|art\.|hoofdstuk|bijlage|"
    r"inkoopdocument\w*|leidraad|bestek|programma van eisen|nota van inlichtingen|"
    r"vraag|antwoord|nummer|nr\.?)\b|\d+(\.\d+)*",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+(?:[.']\w+)*")
_SUBSTANCE_WORDS = 6  # more non-reference words than this and the answer says something

# A question that says the tender documents are wrong or contradict themselves.
_CORRECTION = re.compile(
    r"\b(klopt (dit |dat |het )?niet|niet juist|onjuist|incorrect|foutief|fout(en)?|"
    r"vergissing|abusievelijk|tegenstrijdig\w*|strijdig|tegenspraak|inconsisten\w*|"
    r"discrepantie|komt niet overeen|wijkt af|verschil(t|len)? tussen .{0,60} en|"
    r"ontbreekt|ontbreken|verkeerde?|typefout|verschrijving|rectificatie|"
    r"moet (dit|dat|hier) niet .{0,40}zijn|(zegt|staat|vermeldt|noemt) (iets )?anders dan|"
    r"welk\w* (\w+ )?(klopt|is (de |het )?(juiste?|correcte?|leidend)|geldt nu|gaat voor)|"
    r"spreken? .{0,40}tegen|elkaar tegen\w*|in tegenspraak)\b",
    re.IGNORECASE,
)

LOCATION_ONLY = (
    "Het antwoord verwijst alleen naar een vindplaats; een NvI-antwoord moet inhoudelijk zijn. "
    "Neem de kern van de passage over."
)
RECTIFICATIE = (
    "De vraag wijst mogelijk op een fout of tegenstrijdigheid in de aanbestedingsstukken: "
    "overweeg een rectificatie (de NvI gaat voor de stukken)."
)
NO_ANSWER = "Nog geen antwoord."


def only_refers(answer: str) -> bool:
    """True for an answer that only points somewhere ("Zie paragraaf 3.2 [1].")."""
    text = CITATION_KEY.sub(" ", answer).strip()
    if not text:
        return False
    if not re.match(
        r"\s*(zie|wij verwijzen|we verwijzen|hiervoor verwijzen|verwezen wordt|u vindt|"
        r"raadpleeg|dit staat|dit is beschreven|dit is opgenomen|conform)\b",
        text,
        re.IGNORECASE,
    ):
        return False
    rest = _REFERENCE.sub(" ", text)
    words = [w for w in _WORD.findall(rest) if len(w) > 2]
    return len(words) <= _SUBSTANCE_WORDS


def implies_correction(question: str) -> bool:
    return bool(_CORRECTION.search(question))


def warnings(
    answer: str,
    status: str,
    questions: Sequence[str],
    citations: Sequence[Mapping[str, Any]],
    flags: Sequence[str],
    verifies: Callable[[Mapping[str, Any]], bool] | None = None,
) -> list[str]:
    """What a reviewer should look at before this answer can go out, in Dutch."""
    out: list[str] = []
    if not answer.strip():
        out.append(NO_ANSWER if BELEIDSVRAAG not in flags else BELEIDSVRAAG.capitalize() + ".")
    elif only_refers(answer):
        out.append(LOCATION_ONLY)
    if any(implies_correction(q) for q in questions):
        out.append(RECTIFICATIE)
    out.extend(f for f in flags if f != BELEIDSVRAAG)  # e.g. a quoted passage since replaced
    keys = {int(c.get("key", 0)) for c in citations}
    unknown = [k for k in cited_keys(answer) if k not in keys]
    if unknown:
        listed = ", ".join(f"[{k}]" for k in unknown)
        out.append(f"Het antwoord noemt {listed}, maar daar hoort geen bron bij.")
    if verifies is not None:
        for c in citations:
            if not verifies(c):
                out.append(
                    f"Bron [{c.get('key')}] ({c.get('title') or c.get('source')}, p. "
                    f"{c.get('page')}) komt niet meer voor in het document zoals het nu "
                    "geïndexeerd is; controleer het citaat."
                )
    if status == DEFINITIEF and answer.strip() and not citations and BELEIDSVRAAG not in flags:
        out.append("Definitief antwoord zonder bron: controleer of dit klopt met de stukken.")
    return out
