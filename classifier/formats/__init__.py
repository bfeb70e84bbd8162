"""Output formats beyond the rows of JSONL, CSV and Parquet: each turns scored rows into another kind of record.

``plover``: one PLOVER event per stance of a statement (:func:`classifier.formats.plover.events`).
"""
