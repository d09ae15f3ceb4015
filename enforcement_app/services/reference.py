"""Reference data every action reads: officers, the agency, parties, policy versions, the power list,
discretion benchmarks and the holiday calendar, cached per connection.

Read from the events, not from the tables: the tables are projections anyone with the file could edit, so
the reference data is rebuilt from the events of its streams by the same projection code
(:func:`..store.projection.rebuild`), and a role or a certificate typed into a table grants nothing.

One cache, keyed by the reference table (the names of :data:`.changes.TABLE_OF_STREAM`), and one way to
drop it: :meth:`Reference.invalidate`. Every event recorded through the services drops the tables it
changes, and so does an import (a bundle's, the hub's ingest: the tables of the streams its events are on); a
transaction that rolls back drops everything, since what was read inside it must not outlive it. The officers,
the agency, the policy, the calendar, the benchmarks and the power list are read from one rebuild of all their
streams, by the kind of each event (an event's stream does not decide what it projects into): dropping any of
them drops them all. Another process writing the same file only adds cases and events, which are not cached here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlite_utils

from ..domain.agency import Agency
from ..domain.calendar import WorkCalendar
from ..domain.discretion import BenchmarkLibrary, BenchmarkSet, shipped_library
from ..domain.officers import Officer
from ..domain.parties import Party
from ..domain.policy import AgencyPolicy, default_policy_versions
from ..domain.power_list import PowerList, default_power_list_versions
from ..domain.refusals import NotFound
from ..domain.signoff import SigningKey
from ..domain.versioning import Versioned, version_in_force
from ..store import projection
from ..store import reference as store
from .changes import REFERENCE_TABLES
from .signatures import officer_keys

_PREFIXES = ("officer/", "agency/", "config/")
_REBUILT = frozenset({"officer", "agency", "policy", "calendar", "benchmarks", "power_list"})


class Reference:
    """The reference data of one connection (use it from that connection's thread only)."""

    def __init__(self, db: sqlite_utils.Database, device: str):
        self._db = db
        self._device = device
        self._cache: dict[str, Any] = {}  # reference table -> what was read from it

    def invalidate(self, *tables: str) -> None:
        """Forget what was read from ``tables`` (reference table names, e.g. ``"officer"``, ``"policy"``)."""
        for table in tables:
            if table not in REFERENCE_TABLES:
                raise ValueError(f"not a reference table: {table!r}")
            self._cache.pop(table, None)
            if table in _REBUILT:  # read from one rebuild of all their streams, by kind: all of them go
                for rebuilt in (*_REBUILT, "_rebuilt", "_keys"):
                    self._cache.pop(rebuilt, None)
            if table == "party":
                self._cache.pop("_parties", None)

    def invalidate_all(self) -> None:
        self._cache.clear()

    def _rebuilt(self) -> sqlite_utils.Database:
        """The officers, the agency and the configuration as their events say (rebuilt once per invalidation)."""
        cache = self._cache
        if "_rebuilt" not in cache:
            cache["_rebuilt"] = projection.rebuild(self._db, self._device, _PREFIXES)
        return cache["_rebuilt"]

    # --- the tables (every action reads them: a hit makes no call and builds nothing) ----------------------

    def officers(self) -> dict[str, Officer]:
        cache = self._cache
        if "officer" not in cache:
            cache["officer"] = store.officers(self._rebuilt())
        return cache["officer"]

    def officer_by_login(self, login: str) -> Officer | None:
        return next((o for o in self.officers().values() if o.login == login), None)

    def signing_keys(self) -> dict[str, list[SigningKey]]:
        """Every officer's personal signing keys, as the officer events issued them."""
        cache = self._cache
        if "_keys" not in cache:
            cache["_keys"] = officer_keys(self._db, self._device)  # as the officer events issue them (who may issue which)
        return cache["_keys"]

    def sealed_key(self, officer_id: str) -> tuple[str, str] | None:
        """The officer's key in force (public key, the private half sealed under their password), from the events."""
        return store.sealed_key(self._rebuilt(), officer_id)

    def agency(self) -> Agency | None:
        cache = self._cache
        if "agency" not in cache:
            cache["agency"] = store.agency(self._rebuilt())
        return cache["agency"]

    def party(self, party_id: str) -> Party:
        parties: dict[str, Party] = self._cache.setdefault("party", {})
        found = parties.get(party_id)
        if found is None:
            scratch = self._cache.get("_parties") or self._cache.setdefault("_parties", projection.scratch_like(self._db))
            found = store.party(projection.rebuild(self._db, self._device, (f"party/{party_id}",), into=scratch), party_id)
            if found is None:
                raise NotFound(f"没有该当事人：{party_id}")
            parties[party_id] = found
        return found

    def policy_versions(self) -> list[Versioned[AgencyPolicy]]:
        """The shipped policy versions, then those recorded here."""
        cache = self._cache
        if "policy" not in cache:
            cache["policy"] = default_policy_versions() + store.policy_versions(self._rebuilt())
        return cache["policy"]

    def policy_on(self, day: date) -> AgencyPolicy:
        return version_in_force(self.policy_versions(), day).value

    def power_list_versions(self) -> tuple[Versioned[PowerList], ...]:
        """The shipped power list versions, then those imported here."""
        cache = self._cache
        if "power_list" not in cache:
            cache["power_list"] = tuple(default_power_list_versions() + store.power_list_versions(self._rebuilt()))
        return cache["power_list"]

    def benchmarks(self) -> BenchmarkLibrary:
        """The discretion benchmark sets in use: those shipped with the app plus the agency's imports."""
        cache = self._cache
        if "benchmarks" not in cache:
            library = shipped_library()
            cache["benchmarks"] = library.with_sets(store.benchmark_sets(self._rebuilt(), library.catalogue))
        return cache["benchmarks"]

    def benchmark_set(self, set_id: str, version: str | None = None) -> BenchmarkSet:
        """One set by id (the latest-starting version unless ``version`` is given)."""
        found = [s for s in self.benchmarks().sets if s.id == set_id and (version is None or s.version == version)]
        if not found:
            raise NotFound(f"没有裁量基准 {set_id}" + (f"（版本 {version}）" if version else ""))
        return max(found, key=lambda s: s.effective_from)

    def calendar(self) -> WorkCalendar:
        cache = self._cache
        if "calendar" not in cache:
            cache["calendar"] = WorkCalendar.default(store.calendar_years(self._rebuilt()))
        return cache["calendar"]
