"""The workbench's operations, shared by the CLI (`inkoop nvi`) and the staff page.

The state is in SQLite (`NviStore`); the index is opened only for what needs it (drafting,
checking citations, exporting), so importing, grouping and reviewing work without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.nvi.cluster import ClusterItem, cluster_questions
from assistant.nvi.draft import Drafter, citation_verifier, matching_sources
from assistant.nvi.export import anonymise, export
from assistant.nvi.importer import read_questions
from assistant.nvi.models import DEFINITIEF, ExportMeta, ExportRow, NviError
from assistant.nvi.records import Group, Project
from assistant.nvi.results import Drafted, Imported, Review
from assistant.nvi.review import warnings
from assistant.nvi.store import NviStore
from assistant.verify.citations import KEY_WITH_SPACE

if TYPE_CHECKING:
    from assistant.service import Assistant



def store_path(data_dir: Path) -> Path:
    return data_dir / "nvi" / "nvi.sqlite3"


class Workbench:
    def __init__(self, store: NviStore, assistant: Callable[[], Assistant] | None = None) -> None:
        self.store = store
        self._assistant_factory = assistant
        self._assistant: Assistant | None = None

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            if self._assistant_factory is None:
                raise NviError("Deze stap heeft de index nodig, maar die is hier niet geopend.")
            self._assistant = self._assistant_factory()
        return self._assistant

    # -- set-up -------------------------------------------------------------------------

    def new(self, name: str, documents: str = "", deadline: str = "") -> Project:
        return self.store.create_project(name, documents, check_deadline(deadline))

    def import_file(
        self,
        name: str,
        path: Path,
        columns: Mapping[str, str] | None = None,
        encoding: str | None = None,
    ) -> Imported:
        project = self.store.project(name)
        result = read_questions(path, columns, encoding)
        added = self.store.add_questions(project, result.questions, origin=f"import:{path.name}")
        return Imported(result, added)

    def cluster(
        self, name: str, threshold: float | None = None
    ) -> tuple[int, int, tuple[int, ...]]:
        """Group near-duplicate questions; returns (questions moved, groups now, groups whose
        reviewed answer went back to concept because a question joined them)."""
        project = self.store.project(name)
        questions = self.store.questions(project)
        items = [ClusterItem(q.nr, q.text, q.location) for q in questions]
        clusters = (
            cluster_questions(items)
            if threshold is None
            else cluster_questions(items, threshold=threshold)
        )
        moved, reset = self.store.apply_clusters(project, [c for c in clusters if len(c) > 1])
        return moved, len(self.store.groups(project)), reset

    # -- drafting and review ------------------------------------------------------------

    def draft(
        self,
        name: str,
        nrs: Sequence[int] | None = None,
        redo: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Drafted:
        project = self.store.project(name)
        drafter = Drafter(self.assistant)
        sources = drafter.sources(project.documents)
        groups = self.store.groups(project)
        if nrs:
            wanted = set(nrs)
            unknown = sorted(wanted - {n for g in groups for n in g.nrs})
            if unknown:
                raise NviError(f"Geen vraag {', '.join(map(str, unknown))} in '{project.name}'.")
            groups = [g for g in groups if wanted & set(g.nrs)]
        answered, policy, kept = [], [], []
        for i, g in enumerate(groups):
            if progress:
                progress(i, len(groups))
            d = drafter.draft(g.lead.text, g.lead.location, sources)
            saved = self.store.save_draft(
                project,
                g.nr,
                d.answer,
                d.citations,
                d.passages,
                d.earlier,
                d.flags,
                d.drafted_by,
                redo=redo,
            )
            if saved.version == g.version:
                kept.append(g.nr)
            elif d.answer:
                answered.append(g.nr)
            else:
                policy.append(g.nr)
        if progress:
            progress(len(groups), len(groups))
        return Drafted(tuple(answered), tuple(policy), tuple(kept))

    def groups(self, name: str, status: str | None = None) -> list[Group]:
        return self.store.groups(self.store.project(name), status)

    def review(self, name: str, nr: int, check: bool = True) -> Review:
        """The group of `nr` with its warnings (citations checked against the index when
        `check`) and its history."""
        project = self.store.project(name)
        g = self.store.group(project, nr)
        verify = citation_verifier(self.assistant) if check else None
        found = warnings(
            g.answer, g.status, [q.text for q in g.questions], g.citations, g.flags, verify
        )
        return Review(g, tuple(found), tuple(self.store.history(project, nr)))

    def set(
        self,
        name: str,
        nr: int,
        who: str,
        status: str | None = None,
        answer: str | None = None,
        version: int | None = None,
    ) -> Group:
        return self.store.set_answer(self.store.project(name), nr, who, status, answer, version)

    def merge(self, name: str, nrs: Sequence[int], who: str) -> Group:
        return self.store.merge(self.store.project(name), nrs, who)

    def split(self, name: str, nr: int, who: str) -> Group:
        return self.store.split(self.store.project(name), nr, who)

    # -- export -------------------------------------------------------------------------

    def export_rows(
        self, name: str, include_all: bool = False
    ) -> tuple[ExportMeta, list[ExportRow]]:
        """The note's rows in question order, provider names removed, each citation checked
        again against the index (one that no longer verifies is left out, its key with it)."""
        project = self.store.project(name)
        verify = citation_verifier(self.assistant)
        questions = self.store.questions(project)
        providers = sorted({q.provider for q in questions if is_name(q.provider)})
        rows: list[ExportRow] = []
        for g in self.store.groups(project):
            if g.status != DEFINITIEF and not include_all:
                continue
            answer, sources = _renumbered(g, verify)
            rows += [
                ExportRow(
                    nr=q.nr,
                    document=q.document,
                    location=q.location,
                    question=anonymise(q.text, providers),
                    answer=anonymise(answer, providers),
                    sources=sources,
                    status=g.status,
                )
                for q in g.questions
            ]
        rows.sort(key=lambda r: r.nr)
        records = self.assistant.documents()
        named = set(matching_sources(records, project.documents))
        titles = [r.title or r.source for r in records if r.source in named]
        meta = ExportMeta(
            name=project.name,
            date=date.today().isoformat(),
            deadline=project.deadline,
            documents="; ".join(dict.fromkeys(titles)),
        )
        return meta, rows

    def export(self, name: str, fmt: str, out: Path, include_all: bool = False) -> tuple[Path, int]:
        """Write the note; `out` may be a folder (the file is then named after the project)."""
        fmt = (fmt or "").lower().lstrip(".")
        if out.is_dir():
            out = out / export_name(name, fmt)
        elif out.suffix and out.suffix.lower().lstrip(".") != fmt:
            raise NviError(f"De bestandsnaam {out.name} past niet bij het formaat {fmt}.")
        meta, rows = self.export_rows(name, include_all)
        if not rows:
            raise NviError(
                "Er zijn nog geen definitieve antwoorden om te exporteren. Zet antwoorden op "
                "'definitief', of exporteer ook de antwoorden die nog niet definitief zijn."
            )
        try:
            return export(meta, rows, fmt, out), len(rows)
        except OSError as exc:
            raise NviError(
                f"Kan {out} niet schrijven ({exc.strerror or exc}); kies een andere map."
            ) from exc


# Values of a provider column that are no name: they must not be blanked out of every text.
NOT_NAMES = frozenset(
    {"aanbieder", "zorgaanbieder", "inschrijver", "anoniem", "onbekend", "nvt", "n.v.t.", "-"}
)


def is_name(provider: str) -> bool:
    value = provider.strip().casefold()
    return len(value) >= 4 and value not in NOT_NAMES


def check_deadline(deadline: str | None) -> str:
    """A deadline as ISO date (with a time if given): "15-01-2026 12:00" -> "2026-01-15T12:00"."""
    from ingest.extract import parse_date

    text = " ".join((deadline or "").split())
    if not text:
        return ""
    time = re.search(r"\b(\d{1,2})[:.](\d{2})\s*(uur)?$", text)
    day = parse_date(text[: time.start()].rstrip(" ,") if time else text)
    if day is None:
        raise NviError(
            f"'{text}' is geen datum; schrijf bijvoorbeeld 2026-01-15 of 15 januari 2026 12:00."
        )
    if time:
        return f"{day.isoformat()}T{int(time.group(1)):02d}:{time.group(2)}"
    return day.isoformat()


def export_name(project: str, fmt: str) -> str:
    """ "NvI-Jeugdhulp-2026.docx": a safe file name for a project's note."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", project).strip("-")[:60] or "nvi"
    return f"NvI-{slug}.{fmt}"


def source_label(c: Mapping[str, Any]) -> str:
    """ "Titel, p. 12, § 2.7" for a stored citation."""
    label = f"{c.get('title') or c.get('source')}, p. {c.get('page')}"
    return label + (f", § {c['section']}" if c.get("section") else "")


def _renumbered(
    g: Group, verify: Callable[[Mapping[str, Any]], bool]
) -> tuple[str, tuple[str, ...]]:
    """The answer with its keys renumbered 1..n over the citations that still verify and are
    named in the text; other keys are removed. A source the text does not name is not shown."""
    used = {int(k) for k in KEY_WITH_SPACE.findall(g.answer)}
    kept = [
        c
        for c in sorted(g.citations, key=lambda c: int(c.get("key", 0)))
        if int(c.get("key", 0)) in used and verify(c)
    ]
    new_key = {int(c["key"]): i + 1 for i, c in enumerate(kept)}

    def replace(m: re.Match[str]) -> str:
        key = new_key.get(int(m.group(1)))
        return f" [{key}]" if key else ""

    text = KEY_WITH_SPACE.sub(replace, g.answer).strip()
    return text, tuple(source_label(c) for c in kept)
