"""The workbench's state in SQLite under the data dir, as one object: `NviStore`.

It only wires the parts together; each lives in its own module:
schema (the file, connections, transactions) -> records (what comes back) -> projects
(projects and their questions) -> groups (answer groups, merge/split/clustering) -> answers
(drafts, review steps, versions, `ConflictError`) -> history (who did what) -> inbox (refused
chat questions).
"""

from __future__ import annotations

from pathlib import Path

from assistant.nvi.answers import Answers
from assistant.nvi.groups import Groups
from assistant.nvi.inbox import Inbox
from assistant.nvi.projects import Projects
from assistant.nvi.schema import Database


class NviStore:
    """Projects, questions, answer groups, their history and the inbox, in the file at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        db = Database(path)
        projects, groups, answers = Projects(db), Groups(db), Answers(db)
        inbox = Inbox(db, projects)
        # projects and their questions
        self.create_project = projects.create_project
        self.projects = projects.projects
        self.project = projects.project
        self.add_questions = projects.add_questions
        self.questions = projects.questions
        # answer groups and how they are formed
        self.groups = groups.groups
        self.group = groups.group
        self.merge = groups.merge
        self.split = groups.split
        self.apply_clusters = groups.apply_clusters
        # answers: drafts, review steps, history
        self.save_draft = answers.save_draft
        self.set_answer = answers.set_answer
        self.history = answers.history
        # the inbox of refused chat questions
        self.add_candidate = inbox.add_candidate
        self.candidates = inbox.candidates
        self.take_candidates = inbox.take_candidates
        self.dismiss_candidates = inbox.dismiss
