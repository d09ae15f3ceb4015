"""Benchmark: case-file PDF export.

    python bench/bench_casefile.py [--batch 100]

Prints (1) the time to export one large case file (about 60 pages, 20 photos of 1600×1200 pixels) from
the services' data to signed PDF bytes (the agency's PAdES signature included), median of 5 (target < 1 s); (2) a batch of N demo case files: pages
per second, and the ratio to rendering the same documents' flowables with bare reportlab
(``SimpleDocTemplate``, invariant, no cover, contents, page numbers, bookmarks or forms; target ≤ 1.5×).
Font loading (the four faces of :mod:`enforcement_app.casefile.fonts`, about 0.3 s on Linux, once per process) is
reported apart, with the file serving each role.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import steps  # noqa: E402
from conftest import make_world  # noqa: E402
from PIL import Image  # noqa: E402
from reportlab.platypus import PageBreak, SimpleDocTemplate  # noqa: E402

from enforcement_app.casefile import find_font, render_case_file  # noqa: E402
from enforcement_app.casefile.documents import PAGE_HEIGHT, PAGE_WIDTH, Styles, build_documents  # noqa: E402
from enforcement_app.services import Services  # noqa: E402
from enforcement_app.services.demo import build_demo  # noqa: E402


def large_case(folder: Path):
    world = make_world(folder / "large.db")
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    s = world.as_(world.officer_a)
    for n in range(8):
        steps.inspect(world, case_id, at=f"2025-03-{3 + n % 3:02d}T{8 + n // 3:02d}:00")
    hashes = []
    for n in range(20):
        photo = folder / f"photo{n}.jpg"
        Image.effect_noise((1600, 1200), 40 + n).convert("RGB").save(photo, quality=85)
        hashes.append(s.add_evidence(case_id, photo, {"kind": "audiovisual", "description": f"现场照片{n + 1}", "source": "现场拍摄",
                                                      "collected_by": [world.officer_a.id, world.officer_b.id],
                                                      "collected_at": "2025-03-04T10:30", "place": "店内"}))
    qa = [{"q": f"第{k}问：请说明货物的进货渠道、数量、销售情况以及是否知道所售食品已超过保质期？", "a": "我们从惠州某批发市场进货，共进货二十箱，每箱二十四盒，"
           "已销售约十箱，剩余货物存放在仓库和货架上。当时没有仔细核对保质期，不知道已经过期。" * 2} for k in range(12)]
    for n in range(11):
        s.perform(case_id, "record_inquiry", {
            "started_at": f"2025-03-05T{8 + n % 10:02d}:00", "ended_at": f"2025-03-05T{8 + n % 10:02d}:50", "place": "询问室",
            "officers": [world.officer_a.id, world.officer_b.id], "recorder": "李华", "certificates_shown": True,
            "rights_notified": True, "person": {"name": f"证人{n}", "relation": "证人"}, "qa": qa})
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id, fine_yuan=50000)
    steps.notice(world, case_id, fine_yuan=50000)
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, case_id, fine_yuan=50000, evidence=hashes)
    s.perform(case_id, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    s.perform(case_id, "record_payment", {"amount_fen": 5_000_000, "channel": "bank", "receipt_no": "NO.0001"})
    steps.close(world, case_id)
    return world, case_id


def bare_render(data, font) -> int:
    """The same documents' flowables through plain SimpleDocTemplate; returns the page count."""
    story = []
    for document in build_documents(data, Styles(font)):
        story += document.flowables
        story.append(PageBreak())
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    doc.build(story)
    return doc.page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    start = time.perf_counter()
    font = find_font()
    print(f"font: {font.source} (embedded: {font.embedded}), loaded in {time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory(dir=None) as tmp:
        folder = Path(tmp)
        world, case_id = large_case(folder)
        session = world.as_(world.evaluator)
        timings, pages = [], 0
        for _ in range(5):
            start = time.perf_counter()
            rendered = render_case_file(session.case_file_data(case_id), font)
            timings.append(time.perf_counter() - start)
            pages = rendered.pages
        print(f"large case file: {pages} pages, 20 photos, {len(rendered.pdf) / 1e6:.1f} MB: "
              f"median {statistics.median(timings):.2f} s (data + render; min {min(timings):.2f} s)")
        world.services.close()

        services = Services(folder / "demo.db")
        build_demo(services, cases=int(args.batch * 1.4))
        session = services.session("wuzy")
        ids = [r["id"] for r in session.list_cases() if r["stage"] != "lead"][: args.batch]
        datas = [session.case_file_data(i) for i in ids]
        ours = bare_pages = 0
        ours_time = bare_time = 0.0
        for d in datas:  # interleaved, so that a busy moment of the machine hits both alike
            start = time.perf_counter()
            ours += render_case_file(d, font).pages
            ours_time += time.perf_counter() - start
            start = time.perf_counter()
            bare_pages += bare_render(d, font)
            bare_time += time.perf_counter() - start
        print(f"batch of {len(datas)} case files: {ours} pages in {ours_time:.2f} s = {ours / ours_time:.0f} pages/s; "
              f"bare reportlab, same flowables: {bare_pages} pages in {bare_time:.2f} s; ratio {ours_time / bare_time:.2f}x")
        services.close()


if __name__ == "__main__":
    main()
