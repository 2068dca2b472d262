"""Staff manage the indexed documents while the chat runs: ingest in the background, change a
document's visibility, remove one, and a log of every change (who, when, what).

The serving process is the index's only writer (an embedded Chroma is one process's). Every
write goes through one `writer.DocumentManager`: ingest jobs (`jobs`) run one at a time on its
worker thread and removals and visibility changes take the same lock, so questions keep being
answered while a document is added. `Assistant.ingest` refreshes the retriever at the end of a
job, so the next question already searches the new document.

- `writer`     the one writer: uploads, ingest jobs, visibility, removal
- `jobs`       one ingest run and its report (also as handed to the running server)
- `changelog`  DATA_DIR/documenten-log.jsonl, one line per change
- `listing`    the staff's document list
- `served`     the documents the apps serve at /dokument/<id>, and their links
- `public`     the names and links the public API gives documents
"""
