"""Benchmark: exporting and importing a case bundle.

    python bench/bench_bundle.py [--cases 1000] [--evidence-mb 200]

Records N cases of 20 events each through the services (lead, filing, inspections) and registers about
200 MB of evidence files among them, then prints the time to export everything to one bundle, in the
clear and sealed to an office machine, to import each into a fresh database (the office's, for the sealed
one), and to SHA-256 the bundle's bytes once (the target: import ≤ 2× that).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import make_world  # noqa: E402
from steps import autosigned  # noqa: E402

from enforcement_app.services import Services  # noqa: E402


def build(folder: Path, cases: int, evidence_mb: int):
    world = make_world(folder / "laptop.db")
    s = world.as_(world.officer_a)
    files = max(1, evidence_mb // 2)
    per_file = evidence_mb * 1024 * 1024 // files
    payload = {"started_at": "2025-03-04T10:00", "ended_at": "2025-03-04T11:00", "place": "惠州市仲恺高新区惠风路1号店内",
               "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
               "findings": "货架上有超过保质期的酸奶12盒，生产日期2024年12月1日，保质期21天。", "present": "刘某"}
    names = {o.id: o.name for o in (world.officer_a, world.officer_b)}
    # signed on the pad once by the person present and both officers; every step carries it
    payload = autosigned("record_inspection", payload, names.get)
    for n in range(cases):
        world.clock.set("2025-03-03T09:00")
        case_id = s.register_lead({"source": "complaint", "act_date": "2025-02-20", "cause": "销售超过保质期的食品", "summary": f"投诉{n}",
                               "party_id": world.company.id, "handlers": [world.officer_a.id, world.officer_b.id]})
        s.perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
        world.as_(world.head).perform(case_id, "approve_filing", {})
        world.clock.set("2025-03-05T12:00")
        steps = 17
        if n < files:
            photo = folder / f"photo{n}.jpg"
            photo.write_bytes(os.urandom(per_file))
            s.add_evidence(case_id, photo, {"kind": "audiovisual", "description": f"现场照片{n}", "source": "现场拍摄",
                                            "collected_by": [world.officer_a.id]})
            photo.unlink()
            steps = 16
        for _ in range(steps):
            s.perform(case_id, "record_inspection", payload)
    return world


def _hash_once(path: Path) -> float:
    start = time.perf_counter()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--evidence-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="imports into fresh databases, each beside one hashing of the bundle")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        world = build(folder, args.cases, args.evidence_mb)
        events = world.services.db.execute("SELECT count(*) FROM event").fetchone()[0]
        print(f"recorded {args.cases} cases, {events:,} events, {args.evidence_mb} MB of evidence in {time.perf_counter() - start:.1f} s")
        # the office machine sends the laptop a bundle first: the laptop then knows the key to seal to
        office = Services(folder / "office-template.db")
        office_id = office.device_info()["device_id"]
        office.system_session().export_bundle(folder / "hello.ecb", encrypt=False)
        office.close()
        world.as_(world.admin).import_bundle(folder / "hello.ecb", trust_new=True)
        bundles = {"plain": folder / "all.ecb", "sealed": folder / "sealed.ecb"}
        for kind, bundle in bundles.items():
            start = time.perf_counter()
            summary = world.as_(world.officer_a).export_bundle(bundle, **({"encrypt": False} if kind == "plain" else {"to_device": office_id}))
            exported = time.perf_counter() - start
            print(f"export ({kind}): {summary.events:,} events, {summary.evidence_files} files, {summary.bytes / 1e6:.0f} MB "
                  f"in {exported:.2f} s")
        world.services.close()
        if hasattr(os, "sync"):
            os.sync()  # the 600 MB just written by the set-up and the exports would otherwise be flushed during import 1
        ratios: dict[str, list[float]] = {"plain": [], "sealed": []}
        for run in range(1, args.runs + 1):
            # this machine's speed drifts by tens of per cent within seconds: each import is set against the
            # hashing of the same bytes just before and just after it, and the median of the ratios is the figure
            for kind, bundle in bundles.items():
                before = _hash_once(bundle)
                target_path = folder / f"{kind}{run}.db"
                if kind == "sealed":  # the office itself: only it can open the bundle
                    shutil.copyfile(folder / "office-template.db", target_path)
                target = Services(target_path)
                start = time.perf_counter()
                result = target.system_session().import_bundle(bundle, trust_new=True)
                imported = time.perf_counter() - start
                hashing = (before + _hash_once(bundle)) / 2
                ratios[kind].append(imported / hashing)
                print(f"import {run} ({kind}): {result.new_events:,} new events, {len(result.new_cases)} cases, {result.evidence_files} "
                      f"evidence files in {imported:.2f} s; SHA-256 of the bundle's bytes once: {hashing:.2f} s; "
                      f"import / hashing = {ratios[kind][-1]:.2f}x")
                if run == args.runs:
                    start = time.perf_counter()
                    report = target.verify()
                    print(f"verify on the receiving database: {'ok' if report.ok else report.problems[:3]} in {time.perf_counter() - start:.2f} s")
                target.close()
                shutil.rmtree(target_path.with_name(target_path.stem + ".evidence"), ignore_errors=True)  # 200 MB each: not kept
        for kind, found in ratios.items():
            print(f"import / hashing ({kind}): median {statistics.median(found):.2f}x over {len(found)} runs "
                  f"(from {min(found):.2f}x to {max(found):.2f}x; target ≤ 2x)")

if __name__ == "__main__":
    main()
