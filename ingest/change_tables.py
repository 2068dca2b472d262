"""What a was-wordt table amends: "Overzicht wijzigingen Overeenkomst Wmo versie 1.2 ten
opzichte van de versie 1.1." heads a part whose table rows name an article of the old version
("| Artikel 1.4.2 | <was> | Artikel 1.4.2 | <wordt> |"): each such article of version 1.1 is
amended. A row for the whole document, the definitions or a new article names nothing to
replace. Pure: text in, relations out.
"""

from __future__ import annotations

import re

_TITLE = re.compile(r"\bwas[\s_-]*wordt\b", re.I)
_PART = re.compile(
    r"^[#*\s]*Overzicht\s+(?:van\s+(?:de\s+)?)?wijzigingen\s+(?P<doc>.+?)\s+versie\s+"
    r"(?P<new>\d+(?:\.\d+)*)\s+ten\s+opzichte\s+van\s+(?:de\s+)?(?:versie\s+)?"
    r"(?P<old>\d+(?:\.\d+)*)",
    re.I | re.M,
)
_ROW = re.compile(r"^\|\s*(?:\*\*)?(?:artikel|art\.)\s*(?P<par>\d+(?:\.\d+)*)\b", re.I)


def is_change_table(text: str) -> bool:
    """True for a was-wordt table: its title says so, or a part heads "Overzicht wijzigingen
    <document> versie X ten opzichte van versie Y"."""
    head = "\n".join(text[:2000].splitlines()[:5])
    return bool(_TITLE.search(head) or _PART.search(text))


def change_table_places(text: str) -> list[tuple[str, str]]:
    """The articles of the old version each part of a was-wordt table changes:
    ("Overeenkomst Wmo versie 1.1", "1.4.2"), in order, once each."""
    parts = list(_PART.finditer(text))
    out: list[tuple[str, str]] = []
    for i, part in enumerate(parts):
        end = parts[i + 1].start() if i + 1 < len(parts) else len(text)
        target = f"{' '.join(part['doc'].split())} versie {part['old']}"
        for line in text[part.end() : end].splitlines():
            row = _ROW.match(line.strip())
            if row:
                out.append((target, row["par"]))
    return list(dict.fromkeys(out))
