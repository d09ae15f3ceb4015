"""Evaluations per second of the discretion engine over the shipped library (target ≥ 10,000/s).

Run ``python bench/bench_discretion.py [seconds]``.
"""

from __future__ import annotations

import itertools
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from enforcement_app.domain.discretion import BaseKind, CaseFacts, assess, shipped_library
from enforcement_app.domain.penalties import PartyKind
from enforcement_app.domain.policy import policy_on


def cases() -> list[tuple[str, CaseFacts]]:
    library = shipped_library()
    circumstance_sets = [(), ("cooperated_investigation",), ("repeat_within_year",), ("minor_and_corrected",),
                         ("eliminated_harm", "meritorious_cooperation")]
    found = []
    for (_, entry), circumstances, base in itertools.product(library.entries(), circumstance_sets, (99_999, 1_234_567)):
        for party in sorted(set().union(*(r.party_kinds for r in entry.fines))):
            bases = {b: base for b in BaseKind}
            found.append((entry.id, CaseFacts(PartyKind(party), date(2024, 3, 1), date(2024, 4, 1), bases, circumstances)))
    return found


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    library, policy, work = shipped_library(), policy_on(date(2024, 4, 1)), cases()
    for entry_id, facts in work:  # warm caches (statute limits) once
        assess(library, entry_id, facts, policy)
    count, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for entry_id, facts in work:
            assess(library, entry_id, facts, policy)
        count += len(work)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # CPU time is the figure to compare: wall time also counts whatever else the machine is running.
    print(
        f"{count / cpu:,.0f} evaluations/s of CPU time, {count / elapsed:,.0f}/s wall "
        f"({count} evaluations of {len(work)} distinct cases, single thread)"
    )


if __name__ == "__main__":
    main()
