"""The hub's fan-out: what a device must receive, sent to it through the hub's ``TODEV`` (:mod:`.streams`).

The hub's database holds every event any device sent up, in the order stored. As a device's outbox does
(:mod:`.outbox`), the hub publishes the events after its ``TODEV`` mark, each to the devices it is for, on
``to.<device>.<hex of its stream>`` with ``Nats-Msg-Id`` = ``<device>.<hash>`` (one message per device, so the
stream's dedup keeps them apart), and moves the mark only once every message of an event is acknowledged. An event
goes to a device at most once per publication; a copy sent again after a crash is a known hash at the device.

Who an event is for (:func:`targets`), never the device that recorded it:
- a case's events, its evaluation's (``evaluation/<case>``): the devices that recorded anything of that case (the
  officer's laptop that holds it sees the reviewer's and the head's steps as soon as it is connected) and every
  office desk;
- a party's stream: the devices that recorded a case of that party, and every desk;
- the agency's officers, the agency itself and its configuration (``officer/``, ``agency/``, ``config/``: officer
  and certificate changes, policy and benchmark versions): every device;
- a device's own bookkeeping (``device/``: whom it trusts, what bundles it wrote): no one.

A desk (``enforcement-hub enrol --desk``: the legal-review officer's, the head's, the office's) receives every case;
a field device (a laptop, the default) only what it holds. A case made at a desk reaches a laptop by a bundle or
once the laptop records in it (decision: the hub does not guess which laptop an officer carries).

A device enrolled while the hub had already sent on events it is to receive (the agency's officers and
configuration, for a desk every case), or given another scope, catches up (:func:`catch_up`): the events up to where
the shared mark stood when the hub first saw it so are sent to it alone, a batch a round, beside the shared fan-out.
A laptop that starts recording in a case it got by a bundle becomes one that holds it: what the hub sent on of the
case before is sent to it then (:func:`catch_up_cases`; the ingest notes such a first step in the transaction that
stores it), with the files of its evidence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from nats.js import JetStreamContext

from ..services.bundle_format import encode_events
from ..store import outbox as outbox_store
from . import streams
from .hub import DESK
from .outbox import ACK_TIMEOUT, BATCH, Published, publish_rows

REFERENCE = ("officer/", "agency/", "config/")


def targets(stream: str, recorder: str, scopes: Mapping[str, str], holders: set[str]) -> list[str]:
    """The devices an event of ``stream`` recorded on ``recorder`` goes to: ``scopes`` is every enrolled device's
    scope (:data:`.hub.DESK` or :data:`.hub.FIELD`), ``holders`` the devices that hold the case or party it belongs to."""
    if stream.startswith(REFERENCE):
        chosen = set(scopes)
    elif "/" in stream and not stream.startswith(("party/", "evaluation/")):
        return []
    else:
        chosen = {d for d, scope in scopes.items() if scope == DESK} | (holders & set(scopes))
    chosen.discard(recorder)
    return sorted(chosen)


def case_of(stream: str) -> str:
    """The case stream an ``evaluation/<case>`` belongs to (a case's own stream is itself)."""
    return stream.removeprefix("evaluation/")


def route(db: outbox_store.Connection, scopes: Mapping[str, str], rows: list[tuple]) -> list[list[tuple[str, str]]]:
    """For each row of the hub's event table (:func:`..store.outbox.events_after`), its messages on ``TODEV``."""
    cases = sorted({case_of(r[2]) for r in rows if "/" not in case_of(r[2])})
    parties = sorted({r[2][len("party/"):] for r in rows if r[2].startswith("party/")})
    by_case = outbox_store.recorders(db, cases) if cases else {}
    by_party = outbox_store.party_recorders(db, parties) if parties else {}
    if parties:
        own = outbox_store.recorders(db, [f"party/{p}" for p in parties])
        for p in parties:
            by_party[p] |= own[f"party/{p}"]
    out = []
    for row in rows:
        stream, recorder = row[2], row[5]
        holders = by_party.get(stream[len("party/"):], set()) if stream.startswith("party/") else by_case.get(case_of(stream), set())
        out.append([(streams.to_device_subject(d, stream), f"{d}.{row[1]}") for d in targets(stream, recorder, scopes, holders)])
    return out


async def publish_to_devices(db: outbox_store.Connection, js: JetStreamContext, scopes: Mapping[str, str], *,
                             batch: int = BATCH, timeout: float = ACK_TIMEOUT) -> Published:
    """Send what the hub's ``TODEV`` mark has not yet passed (``js``: the hub's own client; ``scopes``: every
    enrolled device's)."""
    return await publish_rows(db, js, streams.TODEV, lambda: streams.ensure_todev(js), lambda rows: route(db, scopes, rows),
                              batch=batch, timeout=timeout)


def files_for(db: outbox_store.Connection, scopes: Mapping[str, str], device: str, rows: list[tuple[int, str, int]]) -> set[int]:
    """Of add_evidence rows ``(seq, sha256, size)``, the seqs of those the fan-out sends ``device``: their files go
    into the hub's bucket for it (:func:`.evidence.inbound`)."""
    events = outbox_store.events_at(db, [r[0] for r in rows])
    prefix = f"to.{device}."
    return {e[0] for e, messages in zip(events, route(db, scopes, events), strict=True)
            if any(subject.startswith(prefix) for subject, _ in messages)}


async def catch_up(db: outbox_store.Connection, js: JetStreamContext, scopes: Mapping[str, str], *, batch: int = BATCH,
                   timeout: float = ACK_TIMEOUT) -> int:
    """One batch for each device still catching up (see the module's docstring); returns the messages sent."""
    head = outbox_store.mark(db, streams.TODEV).seq
    sent = 0
    for device, scope in sorted(scopes.items()):
        upto, done = outbox_store.catch_up(db, device, scope, head)
        if done >= upto:
            continue
        rows = [r for r in outbox_store.events_after(db, done, batch) if r[0] <= upto]
        prefix = f"to.{device}."
        futures = []
        for row, messages in zip(rows, route(db, scopes, rows), strict=True):
            body = None
            for subject, msg_id in messages:
                if subject.startswith(prefix):
                    body = body or encode_events([row[2:]])
                    futures.append(await js.publish_async(subject, body, wait_stall=timeout, stream=streams.TODEV,
                                                          headers={"Nats-Msg-Id": msg_id}))
        if futures:
            await asyncio.wait_for(asyncio.gather(*futures), timeout)
        sent += len(futures)
        outbox_store.caught_up(db, device, scope, rows[-1][0] if rows and rows[-1][0] < upto else upto)
    return sent


CASES_PER_ROUND = 50
FILE_BYTES_PER_ROUND = 256 << 20  # a round puts no more files once this much has gone (a case's videos wait for the next)


@dataclass
class CaughtUp:
    sent: int = 0  # messages
    problems: list[str] = field(default_factory=list)  # files that could not go: their rows are tried again later


async def catch_up_cases(db: outbox_store.Connection, js: JetStreamContext, scopes: Mapping[str, str],
                         files: Callable[[str, list[tuple[int, str, int]]], Awaitable[tuple[int, tuple[str, ...]]]], *,
                         limit: int = CASES_PER_ROUND, batch: int = BATCH, file_bytes: int = FILE_BYTES_PER_ROUND,
                         timeout: float = ACK_TIMEOUT) -> CaughtUp:
    """Send the field devices that began recording in a case they got otherwise (by a bundle) what they did not hold
    of it (db/0024): the case's events that are not ancestors of their first step there, its evaluation's and its
    party's, up to that step. A round takes up to ``limit`` cases and ``batch`` events, and stops putting files
    past ``file_bytes``; ``files(device, rows)`` puts the files of the add_evidence rows ``(seq, sha256, size)`` into
    that device's bucket before their events go and says how many bytes it put and why some could not go — then
    nothing of that page goes, and the case waits behind the others until its files can."""
    result = CaughtUp()
    budget, put = batch, 0
    for device, case, upto, done in outbox_store.case_catch_ups(db, limit):
        if budget <= 0 or put >= file_bytes:
            break
        if device not in scopes:  # no longer enrolled
            outbox_store.drop_case_catch_up(db, device, case)
            continue
        try:
            read, sent, size, problems = await _catch_up_case(db, js, device, case, upto, done, budget, files, timeout)
        except Exception as exc:  # noqa: BLE001 — this case waits; the others, and the hub's round, go on
            read, sent, size, problems = 0, 0, 0, [f"{type(exc).__name__}: {exc}"]
        result.sent, put = result.sent + sent, put + size
        if problems:
            result.problems += [f"补发案件 {case[:12]}… 给设备 {device[:12]}：{p}" for p in problems]
            outbox_store.case_catch_up_failed(db, device, case)
        budget -= max(read, 1)
    return result


async def _catch_up_case(db, js: JetStreamContext, device: str, case: str, upto: int, done: int, budget: int,
                         files, timeout: float) -> tuple[int, int, int, list[str]]:
    """One page of one case's catch-up (up to ``budget`` events read): (events read, messages sent, bytes of files
    put, why its files could not go)."""
    rows = outbox_store.case_history(db, case, device, done, upto, budget)
    held = outbox_store.held_by(db, case, device, upto)
    chosen = [r for r in rows if not (r[2] == case and r[1] in held)]
    evidence = outbox_store.evidence_at(db, [r[0] for r in chosen if r[7] == "add_evidence"])
    size = 0
    if evidence:
        size, problems = await files(device, evidence)
        if problems:
            return len(rows), 0, size, list(problems)
    futures = [await js.publish_async(streams.to_device_subject(device, r[2]), encode_events([r[2:]]), wait_stall=timeout,
                                      stream=streams.TODEV, headers={"Nats-Msg-Id": f"{device}.{r[1]}"}) for r in chosen]
    if futures:
        await asyncio.wait_for(asyncio.gather(*futures), timeout)
    outbox_store.case_caught_up(db, device, case, rows[-1][0] if rows and len(rows) == budget else upto)  # a full page: more may follow
    return len(rows), len(futures), size, []
