"""Small PDF factories for reader tests: text pages (reportlab), image-only pages, encryption.
reportlab's `invariant` leaves the clock and a random document id out: the same call makes the
same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pypdf
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def text_pdf(path: Path, pages: Sequence[Sequence[str]], title: str | None = None) -> Path:
    """A PDF with one text line per string, one page per inner sequence."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        y = 800.0
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return path


def image_only_pdf(path: Path, pages: int = 1) -> Path:
    """A PDF whose pages hold only a drawn rectangle: no text layer, like a scan."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    for _ in range(pages):
        pdf.rect(100, 100, 300, 400, fill=1)
        pdf.showPage()
    pdf.save()
    return path


def encrypted_copy(source: Path, target: Path, user_password: str, owner: str = "eigenaar") -> Path:
    """`source` encrypted with pypdf; an empty user password opens without one (owner-only)."""
    writer = pypdf.PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password=owner)
    with target.open("wb") as fh:
        writer.write(fh)
    return target


def page_texts(path: Path) -> list[str]:
    """pypdf's own text of each page, for checking page attribution independently."""
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]
