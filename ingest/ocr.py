"""OCR for PDF pages without a text layer: Tesseract's Dutch model, through pytesseract.

A scanned page holds one or more images and no text. We take the images out of the PDF with
pypdf (no renderer needed), turn them the way the page shows them, scale low-resolution scans
up to ~300 dpi, and let Tesseract (`nld`) read them. The text it returns becomes the page text,
so passages and citation quotes are checked against exactly what was read.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

OCR_LANGUAGE = "nld"
OCR_VERSION = b"ocr-nld-1"  # part of a PDF's id when OCR is available: installing it re-reads
INSTALL_HINT = "install tesseract-ocr and tesseract-ocr-nld for OCR"
PAGE_TIMEOUT_S = 120  # one page that takes longer is reported as unread, not waited for
TARGET_DPI = 300  # Tesseract reads best at ~300 dpi ...
MIN_DPI = 200  # ... so scans below this are scaled up to TARGET_DPI
MAX_UPSCALE = 3.0
MIN_IMAGE_SIDE = 64  # pixels; smaller images are icons and rules, not text
# An image narrower than the page at this resolution is a logo or a picture, not a scan of the
# page (and too coarse to read if it were one): a cover's logo is not worth a passage.
MIN_SCAN_DPI = 100
MAX_DPI = 400  # finer scans are scaled down to TARGET_DPI: no better read, much slower
# Pages are read in parallel, one single-threaded Tesseract per core: Tesseract's own OpenMP
# threads contend on a small machine (measured on 2 cores: 2.7 s/page with them, 1.0-1.6 s
# without), while separate pages scale. At most this many pages' images are held at once.
MAX_WORKERS = 4


class OcrError(Exception):
    """OCR of one page failed (timeout, unreadable image); the page is reported, not fatal."""


@functools.cache
def ocr_status() -> str | None:
    """None when OCR can run here; otherwise why it cannot (for the ingest report)."""
    try:
        import pytesseract
    except ImportError:
        return "pytesseract is not installed"
    try:
        languages = pytesseract.get_languages(config="")
    except Exception as exc:  # TesseractNotFoundError, OSError, a broken install
        log.debug("tesseract not usable: %s", exc)
        return "tesseract is not installed"
    if OCR_LANGUAGE not in languages:
        return "the Dutch model (tesseract-ocr-nld) is not installed"
    return None


def page_images(page: Any) -> list[Any]:
    """The page's scanned images, as PIL images turned as the page shows them: images at least
    as wide as the page at MIN_SCAN_DPI (logos, icons and rules are left out)."""
    min_width = _page_width(page) / 72 * MIN_SCAN_DPI
    try:
        files = list(page.images)
    except Exception as exc:  # an image pypdf cannot decode must not cost the document
        log.debug("cannot list page images: %s", exc)
        return []
    rotation = int(getattr(page, "rotation", 0) or 0) % 360
    images = []
    for file in files:
        try:
            image = file.image
        except Exception as exc:
            log.debug("cannot decode page image %s: %s", getattr(file, "name", "?"), exc)
            continue
        if image is None or min(image.size) < MIN_IMAGE_SIDE:
            continue
        if rotation:  # /Rotate turns the page clockwise; PIL turns counter-clockwise
            image = image.rotate(-rotation, expand=True)
        if image.size[0] < min_width:
            continue
        images.append(image)
    return images


def has_images(page: Any) -> bool:
    """Whether the page holds any image at all (listed, not decoded): something OCR could read."""
    try:
        return len(page.images) > 0
    except Exception as exc:  # pypdf cannot list them: nothing OCR could read either
        log.debug("cannot list page images: %s", exc)
        return False


def ocr_pages(pages: Sequence[Any], numbers: Sequence[int]) -> dict[int, str | OcrError | None]:
    """OCR of the given 1-based pages, several at a time: page number -> text, the error, or
    None for a page without a scanned image (see `page_images`).

    Images are taken out of the PDF here, in order (a pypdf reader is not thread-safe); only
    Tesseract runs in the worker threads.
    """
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1, len(numbers)))
    results: dict[int, str | OcrError | None] = {}
    with _single_threaded(), ThreadPoolExecutor(workers, thread_name_prefix="ocr") as pool:
        for at in range(0, len(numbers), workers):
            jobs = {
                n: pool.submit(_read_images, page_images(pages[n - 1]), _page_width(pages[n - 1]))
                for n in numbers[at : at + workers]
            }
            for n, job in jobs.items():
                try:
                    results[n] = job.result()
                except OcrError as exc:
                    results[n] = exc
    return results


def _read_images(images: list[Any], width_pt: float) -> str | None:
    if not images:
        return None
    texts = [ocr_image(image, width_pt) for image in images]
    return "\n\n".join(t for t in texts if t.strip())


def _page_width(page: Any) -> float:
    """The width in points of the page as shown (turned pages swap width and height)."""
    box = page.mediabox
    turned = int(getattr(page, "rotation", 0) or 0) % 180
    return float(box.height if turned else box.width) or 595.0


_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def _single_threaded() -> Iterator[None]:
    """Tesseract processes started meanwhile use one thread each (OMP_THREAD_LIMIT=1), unless
    the user set OMP_THREAD_LIMIT. Only child processes read it: it is set and restored here,
    not left for libraries of this process."""
    with _ENV_LOCK:
        if "OMP_THREAD_LIMIT" in os.environ:
            yield
            return
        os.environ["OMP_THREAD_LIMIT"] = "1"
        try:
            yield
        finally:
            os.environ.pop("OMP_THREAD_LIMIT", None)


def ocr_image(image: Any, page_width_pt: float | None = None) -> str:
    """Tesseract's text of one image; a scan below MIN_DPI or above MAX_DPI is scaled to
    TARGET_DPI first.

    The resolution is estimated from the image's width against the page's width (a scan
    covers the page); without a page width the image is taken as it is, at TARGET_DPI.
    """
    import pytesseract
    from PIL import Image

    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("P", "RGBA", "CMYK") else "L")
    dpi = TARGET_DPI
    if page_width_pt:
        dpi = max(1, round(image.size[0] / (page_width_pt / 72)))
        if dpi < MIN_DPI or dpi > MAX_DPI:
            scale = min(MAX_UPSCALE, TARGET_DPI / dpi)
            size = (round(image.size[0] * scale), round(image.size[1] * scale))
            image = image.resize(size, Image.Resampling.LANCZOS)
            dpi = round(dpi * scale)
    try:
        text = pytesseract.image_to_string(
            image, lang=OCR_LANGUAGE, config=f"--dpi {dpi}", timeout=PAGE_TIMEOUT_S
        )
    except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
        raise OcrError(f"OCR took longer than {PAGE_TIMEOUT_S} s") from exc
    except (pytesseract.TesseractError, OSError, ValueError) as exc:
        raise OcrError(f"tesseract failed ({exc})") from exc
    return tidy(text)


_HYPHEN_BREAK = re.compile(r"(\w)-\n(?=[a-zà-ÿ])")


def tidy(text: str) -> str:
    """Tesseract's output as page text: no form feeds, words split at a line end joined
    ("aanbe-\\nsteding"; not "Midden-\\nLimburg"), trailing spaces and blank runs removed."""
    text = text.replace("\x0c", "\n").replace("\u00a0", " ")
    text = _HYPHEN_BREAK.sub(r"\1", text)
    lines = [line.rstrip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def page_ranges(numbers: list[int], separator: str = ",") -> str:
    """Compact page list for metadata (scalars only): [3, 5, 6, 7] -> '3,5-7'; with
    `separator` ", " as a note says it: '3, 5-7'."""
    groups: list[list[int]] = []
    for n in sorted(set(numbers)):
        if groups and groups[-1][1] == n - 1:
            groups[-1][1] = n
        else:
            groups.append([n, n])
    return separator.join(str(a) if a == b else f"{a}-{b}" for a, b in groups)
