"""Benchmark: an evidence file from a device to the agency over the network, against a raw copy of the same file.

    python bench/bench_evidence_network.py [--mb 200] [--runs 3]

Records a case with a recording of ``--mb`` MB of random bytes on a device (the test world's database), runs a hub
and the device's server on 127.0.0.1 (the device a leaf node of the hub over TLS, as in use), and for each run
prints: a raw copy of the stored file to another file of the same folder (``shutil.copyfile``, no sync: the bytes
written once); the device's put into its own bucket (:class:`enforcement_app.network.evidence.Uploader`, reading
and hashing the stored file); the moment the hub's copy of the bucket holds it whole (the leaf link's source); and
the hub's fetch into the agency's evidence store, hashed and checked against the event, committed
(:class:`enforcement_app.network.evidence.Receiver`). The target (issue #16): the file at the hub's object store at
≥ 1/20 of the raw copy's speed. Each run uses a new file (a file the bucket holds is not put again). Set BENCH_DIR
to choose the disk. :func:`measure` is what other benchmarks can call.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import nats  # noqa: E402
import steps  # noqa: E402
from conftest import make_world  # noqa: E402
from network_support import Device  # noqa: E402

from enforcement_app.network import evidence, hub, streams  # noqa: E402
from enforcement_app.store import outbox as outbox_store  # noqa: E402
from enforcement_app.store.evidence import EvidenceStore  # noqa: E402

MB = 1 << 20


def _cpu(pid: int | None = None) -> float:
    """CPU seconds (user and system) of this process, or of the process ``pid`` (a server)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _recording(world, case_id: str, folder: Path, mb: int, n: int) -> tuple[str, int]:
    path = folder / f"bodycam{n}.mp4"
    with open(path, "wb") as out:
        for _ in range(mb // 4):
            out.write(os.urandom(4 * MB))
        out.write(os.urandom(mb % 4 * MB))
    sha = world.as_(world.officer_a).add_evidence(case_id, path, {
        "kind": "audiovisual", "description": f"现场执法记录仪录像{n}", "source": "执法记录仪", "collected_by": [world.officer_a.id],
        "collected_at": "2025-03-05T10:40"})
    path.unlink()
    return sha, mb * MB


def measure(folder: str | Path, mb: int = 200, runs: int = 3, report=print) -> list[dict[str, float]]:
    """Time ``runs`` files of ``mb`` MB, each: ``copy`` (raw), ``put`` (into the device's bucket), ``hub`` (whole in the
    hub's bucket, from the put's start), ``store`` (fetched, checked and committed at the hub, after ``hub``), in seconds,
    and the CPU seconds meanwhile (to ``hub``) of this process, the device's server and the hub's (``cpu_*``)."""
    folder = Path(folder)
    world = make_world(folder / "device.db")
    case_id = steps.investigated(world, world.company)
    hub_dir = hub.init(folder / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    d = Device(folder, "device", world.services.device_id, world.services.device_signing_key())
    hub.enrol(hub_dir, d.id, d.public)
    hub_server = hub.start(hub_dir)
    agency_store = EvidenceStore(folder / "agency.evidence")
    results = []
    try:
        d.start(hub_dir, hub_server)
        streams.wait_for_link(hub_server, d.id)
        streams.wait_for_link(d.server, "hub")

        async def run() -> None:
            local = await nats.connect(d.server.client_url, connect_timeout=5)
            central = await nats.connect(hub_server.client_url, nkeys_seed_str=hub.service_seed(hub_dir), connect_timeout=5)
            db = outbox_store.connect(world.services.path)
            try:
                js, hub_js = local.jetstream(), central.jetstream()
                await evidence.ensure_device_bucket(js, d.id)  # before the hub's source, which would wait 10 s for it
                await evidence.ensure_hub_buckets(hub_js, [d.id])
                uploader = evidence.Uploader(world.services.path, d.id)
                await uploader.round(db, js)  # nothing yet: the unfinished puts looked for once
                for n in range(runs):
                    sha, size = _recording(world, case_id, folder, mb, n)
                    stored = world.services.evidence.path_for(sha)
                    copy = folder / "copy.bin"
                    start = time.perf_counter()
                    shutil.copyfile(stored, copy)
                    copied = time.perf_counter() - start
                    copy.unlink()
                    cpu = (_cpu(), _cpu(d.server.pid), _cpu(hub_server.pid))
                    start = time.perf_counter()
                    done = await uploader.round(db, js)
                    put = time.perf_counter() - start
                    assert done.put == 1, done
                    while not await evidence.holds_whole(hub_js, d.id, sha, size):
                        await asyncio.sleep(0.005)
                    at_hub = time.perf_counter() - start
                    used = (_cpu() - cpu[0], _cpu(d.server.pid) - cpu[1], _cpu(hub_server.pid) - cpu[2])
                    receiver = evidence.Receiver(agency_store, hub_js)
                    event = SimpleNamespace(kind="add_evidence", payload={"sha256": sha, "size": size}, hash=f"run{n}")
                    start = time.perf_counter()
                    while not await receiver.present([(event, d.id)]):
                        assert not receiver.refused, receiver.refused
                        await asyncio.sleep(0.005)
                    await receiver.settle([event], [event.hash])
                    into_store = time.perf_counter() - start
                    await receiver.close()
                    assert agency_store.check(sha, size) is None
                    result = {"copy": copied, "put": put, "hub": at_hub, "store": into_store,
                              "cpu_app": used[0], "cpu_device": used[1], "cpu_hub": used[2]}
                    results.append(result)
                    report(f"run {n + 1}: {mb} MB  raw copy {copied:.3f} s ({mb / copied:,.0f} MB/s)  device bucket {put:.2f} s  "
                           f"whole at the hub {at_hub:.2f} s ({mb / at_hub:,.0f} MB/s, 1/{at_hub / copied:.1f} of the copy's speed)  "
                           f"then fetched, checked and in the agency's store {into_store:.2f} s; CPU to the hub: app {used[0]:.2f} s, "
                           f"device server {used[1]:.2f} s, hub server {used[2]:.2f} s")
            finally:
                db.close()
                await local.close()
                await central.close()

        asyncio.run(run())
    finally:
        if d.server is not None:
            d.server.stop()
        hub_server.stop()
        world.services.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-evidence-network-", dir=os.environ.get("BENCH_DIR")))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other work on the machine slows the network path, "
          "three processes, far more than the copy, which the kernel does alone)")
    try:
        results = measure(folder, args.mb, args.runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    copy, at_hub = statistics.median(r["copy"] for r in results), statistics.median(r["hub"] for r in results)
    store = statistics.median(r["store"] for r in results)
    slower = statistics.median(r["hub"] / r["copy"] for r in results)  # each run against the copy made in it
    print(f"median: raw copy {copy:.3f} s, device → hub object store {at_hub:.2f} s, each run 1/{slower:.1f} of its copy's speed "
          f"(target ≥ 1/20: {'met' if slower <= 20 else 'NOT met'}); into the agency's evidence store {store:.2f} s more; "
          f"CPU per file {statistics.median(r['cpu_app'] + r['cpu_device'] + r['cpu_hub'] for r in results):.2f} s over the three processes")


if __name__ == "__main__":
    main()
