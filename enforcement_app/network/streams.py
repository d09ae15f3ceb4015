"""The JetStream streams of the network and the leaf links they travel over (design note, "A topology").

On a device (domain = device id): ``OUT`` holds the device's own events on ``dev.<device>.>``, each published
with ``Nats-Msg-Id`` = the event's hash, and beside them its words that it holds files the hub sent it
(``dev.<device>.held``, :func:`.outbox.tell_held`); it discards new messages when full and refuses deletes and purges.
On the hub (domain ``hub``): ``EVENTS`` has no subjects of its own (one that also listened on ``dev.>`` stored
every event twice) and sources each device's ``OUT`` through that device's domain, filtered to the device's
own subjects: the filter is what stops an event with another device's subject smuggled into a device's ``OUT``.
The way back: the hub's ``TODEV`` holds what is addressed to devices on ``to.<device>.…`` (:mod:`.fanout`), and
each device's ``IN``, again without subjects of its own, sources ``TODEV`` through the hub's domain filtered to
``to.<device>.>``; a device's link may create only that consumer (:func:`.hub.device_permissions`), so it
receives only what is addressed to it.

A sourcing stream created or changed while its link is down waits 30 s before it tries again: create and
extend ``EVENTS`` only once :func:`wait_for_link` has seen the device's link. An existing source is never
edited (changing its filter re-imported everything); a device's source is only ever added.
"""

from __future__ import annotations

import functools
import hashlib
import time

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, ExternalStream, StorageType, StreamConfig, StreamInfo, StreamSource
from nats.js.errors import NotFoundError

from .server import Server, ServerError

OUT = "OUT"
EVENTS = "EVENTS"
TODEV = "TODEV"
IN = "IN"
RECEIPT = "receipt"  # the last token of a hub's receipt for a device (a stream's hex never spells it)
HELD = "held"  # the last token of a device's word that it holds a file the hub sent it (nor this)
LINK_TIMEOUT = 45.0


def device_subjects(device: str) -> str:
    return f"dev.{device}.>"


def event_subject(device: str, stream: str) -> str:
    """The subject of an event of ``stream`` recorded on ``device``: the stream name is encoded so that its
    ``.``, ``*``, ``>`` or spaces (``party/…``) cannot become subject tokens or wildcards."""
    return f"dev.{device}.{stream.encode('utf-8').hex()}"


def addressed(device: str) -> str:
    return f"to.{device}.>"


def to_device_subject(device: str, stream: str) -> str:
    """The subject of an event of ``stream`` the hub sends ``device`` (encoded as :func:`event_subject`)."""
    return f"to.{device}.{stream.encode('utf-8').hex()}"


def receipt_subject(device: str) -> str:
    return f"to.{device}.{RECEIPT}"


def held_subject(device: str) -> str:
    """Where ``device`` says, in its ``OUT``, that it holds a file the hub sent it (:func:`.outbox.tell_held`)."""
    return f"dev.{device}.{HELD}"


def links(server: Server, timeout: float = 5.0) -> dict[str, dict]:
    """The server's leaf node links now, by the name of the server at their other end."""
    return {link["name"]: link for link in server.monitor("leafz", timeout=timeout).get("leafs", [])}


def wait_for_link(server: Server, name: str | None = None, timeout: float = LINK_TIMEOUT) -> dict:
    """Wait until the server has a leaf link (to the server named ``name``, or any); its ``/leafz`` entry."""
    deadline = time.monotonic() + timeout
    while True:
        now = links(server)
        found = now.get(name) if name else next(iter(now.values()), None)
        if found:
            return found
        if time.monotonic() > deadline or not server.running():
            raise ServerError(f"{timeout:g} 秒内没有建立与{name or '汇聚节点'}的连接（现有连接：{sorted(now) or '无'}）")
        time.sleep(0.05)


def out_config(device: str) -> StreamConfig:
    return StreamConfig(name=OUT, subjects=[device_subjects(device)], storage=StorageType.FILE,
                        discard=DiscardPolicy.NEW, deny_delete=True, deny_purge=True)


async def ensure_out(js: JetStreamContext, device: str) -> StreamInfo:
    """The device's ``OUT`` stream, created if missing (on a connection to the device's own server)."""
    try:
        return await js.stream_info(OUT)
    except NotFoundError:
        return await js.add_stream(out_config(device))


def device_source(device: str) -> StreamSource:
    """The hub's source of one device's ``OUT``: through the device's JetStream domain, filtered to its subjects,
    delivered on ``dlv.<device>.…`` (the one subject space that device's link may publish to)."""
    return StreamSource(name=OUT, filter_subject=device_subjects(device),
                        external=ExternalStream(api=f"$JS.{device}.API", deliver=f"dlv.{device}"))


_HASH_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@functools.lru_cache(maxsize=4096)  # asked for each message the hub ingests
def source_mark(device: str) -> str:
    """How the hub's server names its source of ``device``'s ``OUT`` in the ``Nats-Stream-Source`` header it puts on
    every message it stores from it: ``OUT:`` and nats-server's 8-character hash of the source's API prefix (its
    ``getHash``: SHA-256, each of the first 8 bytes as a base-62 digit). The hub's server writes it, by the source the
    message came through, and a device's stream refuses a message that carries the header itself."""
    digest = hashlib.sha256(f"$JS.{device}.API".encode("ascii")).digest()
    return f"{OUT}:" + "".join(_HASH_DIGITS[b % 62] for b in digest[:8])


def source_device(source: StreamSource) -> str | None:
    """The device a source of ``EVENTS`` reads from (by the JetStream domain of its API), or None."""
    api = source.external.api if source.external else ""
    return api.split(".")[1] if api.startswith("$JS.") and api.endswith(".API") else None


async def ensure_sources(js: JetStreamContext, devices: list[str]) -> StreamInfo:
    """The hub's ``EVENTS``, created with a source per device if missing, else with the missing devices' sources
    added and every existing source left exactly as it is."""
    try:
        info = await js.stream_info(EVENTS)
    except NotFoundError:
        return await js.add_stream(StreamConfig(name=EVENTS, storage=StorageType.FILE, deny_delete=True, deny_purge=True,
                                                sources=[device_source(d) for d in devices]))
    config = info.config
    present = {source_device(s) for s in config.sources or []}
    missing = [d for d in devices if d not in present]
    if not missing:
        return info
    config.sources = [*(config.sources or []), *(device_source(d) for d in missing)]
    return await js.update_stream(config)


async def ensure_todev(js: JetStreamContext) -> StreamInfo:
    """The hub's ``TODEV`` (on a connection to the hub's own server), created if missing."""
    try:
        return await js.stream_info(TODEV)
    except NotFoundError:
        return await js.add_stream(StreamConfig(name=TODEV, subjects=["to.>"], storage=StorageType.FILE,
                                                deny_delete=True, deny_purge=True))


async def ensure_in(js: JetStreamContext, device: str) -> StreamInfo:
    """The device's ``IN``, sourcing the hub's ``TODEV`` filtered to what is addressed to ``device`` (on a
    connection to the device's own server; create it only once the link is up, pitfall 1)."""
    try:
        return await js.stream_info(IN)
    except NotFoundError:
        source = StreamSource(name=TODEV, filter_subject=addressed(device),
                              external=ExternalStream(api="$JS.hub.API", deliver=f"dlv.hub.{device}"))
        return await js.add_stream(StreamConfig(name=IN, storage=StorageType.FILE, deny_delete=True, deny_purge=True,
                                                sources=[source]))
