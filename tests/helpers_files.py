"""Files that tests build, byte for byte the same on every run: ZIPs (and so DOCX and XLSX,
which are ZIPs) with one fixed timestamp on every member and in the document properties, and
the fixed date for PDFs. Writers stamp the clock by default (zipfile, openpyxl's "modified",
Pillow's and reportlab's PDF dates), so two builds a second apart would differ and count as a
changed file."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Mapping
from typing import Any

FIXED = (2024, 1, 1, 0, 0, 0)  # what every built file says it was made at
FIXED_ISO = "2024-01-01T00:00:00Z"
FIXED_PDF_DATE = time.struct_time((*FIXED, 0, 1, 0))  # Pillow's creationDate / modDate
CORE = "docProps/core.xml"  # an Office document's properties, with its created/modified dates
_STAMP = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    """A deflated ZIP of `members` (name -> bytes, in order), every member dated `FIXED`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=FIXED), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def saved(office: Any) -> bytes:
    """A python-docx Document or openpyxl Workbook as file bytes, its dates fixed: both stamp
    the clock into what they save (`fixed_zip`)."""
    out = io.BytesIO()
    office.save(out)
    return fixed_zip(out.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """A ZIP-based file (DOCX, XLSX) written again with fixed member dates and, in its
    properties, fixed created/modified dates; the rest unchanged."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    if CORE in members:
        members[CORE] = _STAMP.sub(rb"\g<1>" + FIXED_ISO.encode() + rb"\g<3>", members[CORE])
    return zip_bytes(members)
