"""Enforcement case recorder: records administrative-penalty cases from lead to archive.

Layers import one way: ``domain`` (with its ``discretion`` engine) (pure Python) → ``store`` (SQLite through
sqlite-utils) → ``services`` (the one API) → ``cli``, ``casefile`` (PDF) and ``ui`` (Qt).
"""

__version__ = "0.1.0"
