"""The agency's configuration: its details, the policy versions, its power list, holiday calendars and discretion
benchmarks.

Each change is an event on a configuration stream, projected into its reference table; recording it drops
the cached table (see :meth:`.core.ServicesCore.note`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..domain.agency import Agency, seal_problem
from ..domain.calendar import parse_year_schedule
from ..domain.discretion import BenchmarkSet, dump_benchmark_set
from ..domain.discretion.library import load_benchmark_file, write_benchmark_file
from ..domain.policy import parse_policy_versions
from ..domain.power_list import dump_version, parse_power_list_versions
from ..domain.record import canonical_json
from ..domain.refusals import InvalidInput, Refusal
from ..store import reference as reference_store
from .clock import new_id
from .core import SessionCore


def set_agency(session: SessionCore, data: Mapping[str, Any]) -> Agency:
    session.require("set_agency")
    services = session.services
    existing = services.agency()
    fields = ("name", "seal_name", "area", "case_no_prefix", "reconsideration_body", "litigation_court", "seal_png")
    values = {k: str(data.get(k, getattr(existing, k, "") if existing else "")).strip() for k in fields}
    missing = [k for k in ("name", "seal_name", "area", "case_no_prefix") if not values[k]]
    if missing:
        raise InvalidInput([Refusal("invalid_input", f"执法主体信息不完整：{k}", field=k) for k in missing])
    problem = seal_problem(values["seal_png"])
    if problem:
        raise InvalidInput([Refusal("invalid_input", problem, field="seal_png")])
    agency = Agency(id=existing.id if existing else new_id(), **values)
    with services.transaction():
        session.record(f"agency/{agency.id}", "set_agency", agency.__dict__)
        reference_store.project_agency(services.db, agency.__dict__)
    return agency


def set_policy(session: SessionCore, version: Mapping[str, Any]) -> None:
    session.require("set_policy")
    if not isinstance(version, Mapping):
        raise InvalidInput.at("policy", "参数版本应为 JSON 对象")
    try:
        parse_policy_versions({"format": "agency-policy/1", "versions": [dict(version)]}, "policy")
    except ValueError as exc:
        raise InvalidInput.at("policy", str(exc)) from None
    with session.services.transaction():
        session.record("config/policy", "set_policy", dict(version))
        reference_store.project_policy(session.services.db, version)


def import_power_list(session: SessionCore, source: str | Path | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Import the versions of a ``power-list/1`` document (a file, or the document itself). The whole document
    is checked first, every benchmark entry it names against the library in use, and nothing is recorded
    unless all of it holds. A version already here with the same content is left as it is; a different one
    under the same name, or one starting on the day another starts, is refused (a revised list is a new
    version). Each new version is one event (``config/power_list``, ``import_power_list``), in one transaction.
    Returns each version's name, effective date and status (``imported`` or ``unchanged``)."""
    session.require("import_power_list")
    services = session.services
    if isinstance(source, Mapping):
        document, name = source, "power_list"
    else:
        path = Path(source)
        name = path.name
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise InvalidInput.at("file", f"{name}：不是可读的 UTF-8 JSON 文件（{exc}）") from None
    known = {entry.id for _set, entry in services.benchmarks().entries()}
    versions = parse_power_list_versions(document, name, known)
    present = services.power_list_versions()
    problems, results, new = [], [], []
    for version in versions:
        same = next((p for p in present if p.version == version.version), None)
        summary = {"version": version.version, "effective_from": version.effective_from.isoformat(),
                   "title": version.value.title, "powers": len(version.value.powers)}
        if same is not None:
            if dump_version(same) == dump_version(version):
                results.append({**summary, "status": "unchanged"})
                continue
            problems.append(f"权责清单版本 {version.version} 已存在且内容不同，未覆盖；修订后的清单请以新版本号导入")
        elif any(p.effective_from == version.effective_from for p in present):
            problems.append(f"已有权责清单版本自{version.effective_from.isoformat()}起施行，同日起施行的两个版本无法确定何者适用")
        new.append(version)
        results.append({**summary, "status": "imported"})
    if problems:
        raise InvalidInput([Refusal("power_list_version", message, field="version") for message in problems])
    with services.transaction():
        for version in new:
            payload = dump_version(version)
            session.record("config/power_list", "import_power_list", payload)
            reference_store.project_power_list(services.db, payload)
    return results


def import_benchmarks(session: SessionCore, path: str | Path) -> dict[str, Any]:
    session.require("import_benchmarks")
    services = session.services
    library = services.benchmarks()
    benchmark = load_benchmark_file(Path(path), library.catalogue)
    document = canonical_json(dump_benchmark_set(benchmark))
    digest = hashlib.sha256(document).hexdigest()
    summary = {"id": benchmark.id, "version": benchmark.version, "title": benchmark.title,
               "entries": len(benchmark.entries), "sha256": digest}
    for present in library.sets:
        if (present.id, present.version) == (benchmark.id, benchmark.version):
            if canonical_json(dump_benchmark_set(present)) == document:
                return {**summary, "status": "unchanged"}
            raise InvalidInput.at(
                "version",
                f"裁量基准 {benchmark.id} 版本 {benchmark.version} 已存在且内容不同，未覆盖；修订后的基准请以新版本号导入",
            )
    payload = {**summary, "source": Path(path).name, "document": json.loads(document)}
    with services.transaction():
        session.record("config/benchmarks", "import_benchmark_set", payload)
        reference_store.project_benchmark_set(services.db, payload, services.clock().isoformat(), session.actor.id)
    return {**summary, "status": "imported"}


def export_benchmarks(session: SessionCore, set_id: str, path: str | Path, version: str | None = None) -> BenchmarkSet:
    session.require("view_cases")
    benchmark = session.services.benchmark_set(set_id, version)
    write_benchmark_file(benchmark, Path(path))
    return benchmark


def import_calendar(session: SessionCore, year: int, data: Mapping[str, Any], source: str = "") -> None:
    session.require("import_calendar")
    source = str(source)
    schedule = parse_year_schedule(year, data, source)
    body = {"holidays": sorted(d.isoformat() for d in schedule.holidays), "workdays": sorted(d.isoformat() for d in schedule.workdays)}
    payload = {"year": schedule.year, **body, "source": source}
    with session.services.transaction():
        session.record("config/calendar", "import_calendar", payload)
        reference_store.project_calendar(session.services.db, payload)
