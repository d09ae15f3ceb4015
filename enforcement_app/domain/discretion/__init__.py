"""Discretion benchmarks (行政裁量权基准): rule-set files, the circumstance catalogue and the engine.

Pure Python: no Qt, no SQL. Services and the CLI use::

    library = shipped_library()                       # or load_benchmark_file(...) + library.with_sets(...)
    assessment = assess(library, "food_safety_124_1_5", CaseFacts(...), policy)
    check = check_penalty(assessment, fine_fen, reason)
"""

from .circumstances import Circumstance, CircumstanceCatalogue, Effect, Strength
from .engine import (
    Assessment,
    CaseFacts,
    FenRange,
    Finding,
    PenaltyCheck,
    ResponsiblePersonAssessment,
    assess,
    assess_causes,
    check_penalty,
    severity_key,
)
from .grades import Grade, GradeDecision, combine
from .legal_basis import BasisQuery, LegalBasis
from .library import (
    BenchmarkLibrary,
    UnknownEntry,
    load_benchmark_file,
    load_catalogue,
    shipped_library,
    write_benchmark_file,
)
from .model import BaseKind, BenchmarkEntry, BenchmarkSet, dump_benchmark_set, parse_benchmark_set
from .validation import BenchmarkFormatError, FormatIssue

__all__ = [
    "Assessment", "BaseKind", "BasisQuery", "BenchmarkEntry", "BenchmarkFormatError", "BenchmarkLibrary",
    "BenchmarkSet", "CaseFacts", "Circumstance", "CircumstanceCatalogue", "Effect", "FenRange", "Finding",
    "FormatIssue", "Grade", "GradeDecision", "LegalBasis", "PenaltyCheck", "ResponsiblePersonAssessment",
    "Strength", "UnknownEntry", "assess", "assess_causes", "check_penalty", "combine", "dump_benchmark_set",
    "load_benchmark_file", "load_catalogue", "parse_benchmark_set", "severity_key", "shipped_library",
    "write_benchmark_file",
]
