"""The NvI workbench: staff turn provider questions into a cited nota van inlichtingen.

models (shared shapes) -> importer (questions from CSV/XLSX/DOCX, read by tables, headers
found by headers) -> store (SQLite state) -> cluster (duplicate groups, scored by similarity
and locations) -> draft (grounded answers) -> review (warnings) -> export (DOCX/MD/CSV).
"""
