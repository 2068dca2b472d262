"""Scanned PDFs for OCR tests: Dutch text rendered to an image with Pillow, saved image-only.

`SCAN_SET` is a small scanned test set of procurement pages with different layouts (a council
letter, a nota van inlichtingen, a price table, a degraded low-resolution skewed scan);
`word_recall` scores what OCR read against the text that was drawn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import reportlab
from helpers_files import FIXED_PDF_DATE
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path(reportlab.__file__).parent / "fonts"  # Bitstream Vera ships with reportlab
A4_MM = (210, 297)


@dataclass(frozen=True)
class Block:
    """A paragraph (wrapped), a heading (bold) or a table row (cells in a grid)."""

    text: str = ""
    kind: str = "p"  # p, h, row
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanPage:
    name: str
    blocks: tuple[Block, ...]
    dpi: int = 300
    skew_deg: float = 0.0
    noise: bool = False

    @property
    def words(self) -> str:
        """Everything drawn on the page, as text."""
        return "\n".join(" ".join(b.cells) if b.kind == "row" else b.text for b in self.blocks)


def render(page: ScanPage, font_pt: float = 11) -> Image.Image:
    """The page as a grayscale A4 image at `page.dpi`, like a scanner makes it."""
    px = page.dpi / 25.4
    width, height = round(A4_MM[0] * px), round(A4_MM[1] * px)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    size = round(font_pt * page.dpi / 72)
    regular = ImageFont.truetype(str(FONTS / "Vera.ttf"), size)
    bold = ImageFont.truetype(str(FONTS / "VeraBd.ttf"), round(size * 1.2))
    margin = round(25 * px)
    x, y = margin, margin
    line = round(size * 1.45)
    for block in page.blocks:
        if block.kind == "row":
            cell_w = (width - 2 * margin) // max(1, len(block.cells))
            for i, cell in enumerate(block.cells):
                left = x + i * cell_w
                draw.rectangle((left, y, left + cell_w, y + line + size // 2), outline=0, width=2)
                draw.text((left + size // 3, y + size // 4), cell, font=regular, fill=0)
            y += line + size // 2
            continue
        font = bold if block.kind == "h" else regular
        for text in _wrap(block.text, font, width - 2 * margin):
            draw.text((x, y), text, font=font, fill=0)
            y += line
        y += line // 2
    if page.skew_deg:
        image = image.rotate(page.skew_deg, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if page.noise:
        image = image.filter(ImageFilter.GaussianBlur(0.8))
        speckle = Image.effect_noise(image.size, 24)
        image = Image.blend(image, speckle, 0.12)
    return image


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def scanned_pdf(path: Path, pages: Sequence[ScanPage]) -> Path:
    """An image-only PDF (no text layer), one rendered page per `ScanPage`."""
    images = [render(p) for p in pages]
    images[0].save(
        path,
        "PDF",
        resolution=float(pages[0].dpi),
        save_all=True,
        append_images=images[1:],
        creationDate=FIXED_PDF_DATE,  # not the clock: the same pages make the same bytes
        modDate=FIXED_PDF_DATE,
    )
    return path


def word_recall(expected: str, read: str) -> float:
    """Share of the drawn words (with repeats) that OCR read, case-insensitive."""
    want = Counter(_words(expected))
    got = Counter(_words(read))
    found = sum(min(n, got[w]) for w, n in want.items())
    return found / max(1, sum(want.values()))


def _words(text: str) -> list[str]:
    return re.findall(r"[\wà-ÿ€]+", text.lower())


LETTER = ScanPage(
    "raadsinformatiebrief",
    (
        Block("Raadsinformatiebrief", "h"),
        Block("Aan de gemeenteraad van Weert. Weert, 19 maart 2024."),
        Block("Onderwerp: aanbesteding ambulante jeugdhulp Midden-Limburg", "h"),
        Block(
            "Het college heeft besloten de ambulante jeugdhulp opnieuw aan te besteden. De "
            "nieuwe contracten gaan in op 1 januari 2026 en hebben een looptijd van vier jaar "
            "met de mogelijkheid tot verlenging. Zorgaanbieders kunnen zich tot 15 oktober "
            "inschrijven via het aanbestedingsplatform."
        ),
        Block(
            "De gunning is voorzien in december. Wij informeren uw raad over de uitkomst van "
            "de aanbesteding en over de gevolgen voor de begroting van de gemeente."
        ),
    ),
)

NOTA = ScanPage(
    "nota van inlichtingen",
    (
        Block("Nota van inlichtingen 1", "h"),
        Block(
            "Vraag 1: Mag een onderaannemer de begeleiding uitvoeren? Antwoord: Ja, mits de "
            "hoofdaannemer verantwoordelijk blijft voor de kwaliteit van de geleverde zorg."
        ),
        Block(
            "Vraag 2: Wanneer wordt het uurtarief geïndexeerd? Antwoord: Het uurtarief wordt "
            "jaarlijks per 1 januari geïndexeerd volgens de OVA-systematiek."
        ),
        Block(
            "Vraag 3: Welke certificering is vereist? Antwoord: Een geldig HKZ-certificaat of "
            "een gelijkwaardig kwaliteitskeurmerk."
        ),
    ),
)

PRICES = ScanPage(
    "tarieventabel",
    (
        Block("Bijlage 7 Tarieven ambulante jeugdhulp 2026", "h"),
        Block(kind="row", cells=("Product", "Eenheid", "Tarief")),
        Block(kind="row", cells=("Begeleiding individueel", "uur", "€ 68,40")),
        Block(kind="row", cells=("Begeleiding groep", "dagdeel", "€ 41,15")),
        Block(kind="row", cells=("Behandeling", "uur", "€ 102,90")),
        Block(kind="row", cells=("Vervoer", "rit", "€ 18,75")),
        Block("Alle tarieven zijn exclusief btw en gelden voor het kalenderjaar 2026."),
    ),
)

DEGRADED = ScanPage(
    "besluitenlijst (150 dpi, scheef, ruis)",
    (
        Block("Besluitenlijst collegevergadering", "h"),
        Block(
            "Het college besluit de inkoopstrategie voor hulp bij het huishouden vast te "
            "stellen en de raad hierover te informeren met een raadsinformatiebrief."
        ),
        Block(
            "De wethouder zorg en welzijn is portefeuillehouder. Inlichtingen bij de afdeling "
            "inkoop en contractmanagement van de gemeente Maasgouw."
        ),
    ),
    dpi=150,
    skew_deg=0.7,
    noise=True,
)

SCAN_SET = (LETTER, NOTA, PRICES, DEGRADED)


def memory_index(embedder: Any, chunking: str) -> Any:
    """An empty in-memory index for `embedder` (its module moved in the index split)."""
    try:
        from index.memory import InMemoryIndex
    except ImportError:  # the layout before index.store was split
        from index.store import InMemoryIndex  # type: ignore[attr-defined,no-redef]
    from index.store import IndexManifest

    return InMemoryIndex(IndexManifest(embedder.name, embedder.dim, chunking))
