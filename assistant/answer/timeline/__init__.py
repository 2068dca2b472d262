"""A decision timeline: dated statements (decided, planned, announced) read from page texts.

The flow, one module per step:

- `statement`: the types — `DocumentFacts` (what a document's metadata says about it),
  `DatedStatement` (one step: when, who, done or planned, and the sentence that says so) and
  `SourceRef` (one document that states it).
- `letters`: a letter's sentences that name a date and a step (vaststellen, besluiten,
  gunning, contracts that start); the quote is the sentence itself.
- `meetings`: a besluitenlijst: every "De raad besluit (unaniem | in meerderheid | bij
  acclamatie): …" is a decision taken on the meeting's date, with its agenda item and vote.
- `passages`: the statements in retrieved passages, read from whole pages, quotes checked.
- `merge`: the timeline as of today — merged rows, planned steps reported done or passed.
- `meeting_answer`: "what was decided at the meeting of …", answered from a besluitenlijst.
"""
