"""The NvI workbench: staff turn provider questions into a cited nota van inlichtingen.

models (shared shapes) -> importer (CSV/XLSX/DOCX) -> store (SQLite state) -> cluster
(duplicate groups) -> draft (grounded answers) -> review (warnings) -> export (DOCX/MD/CSV).
"""
