"""A device's end of the network: its local nats-server as a leaf node of the hub, JetStream domain = its
device id, the leaf connection signed with the device's Ed25519 key (its nkey seed goes to the server's
environment, never into a file) and the hub checked against the hub's CA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import server
from .identity import user_seed

SEED_VARIABLE = "ENFORCEMENT_DEVICE_NKEY"


def settings(device: str, hub_url: str, ca_file: str | Path) -> dict[str, Any]:
    """The device server's settings: its name and domain are the device id; one remote, the hub, over TLS."""
    return {
        "server_name": device,
        "jetstream": {"domain": device},
        "leafnodes": {"remotes": [{"url": hub_url, "nkey": server.Variable(SEED_VARIABLE),
                                   "tls": {"ca_file": str(ca_file)}}]},
    }


def start(folder: str | Path, device: str, hub_url: str, ca_file: str | Path, private_key: bytes,
          timeout: float = server.START_TIMEOUT) -> server.Server:
    """Run the device's nats-server on ``folder`` linked to the hub at ``hub_url`` (``tls://host:port``);
    ``private_key`` is the device's raw 32-byte Ed25519 key. It starts (and records offline) with the hub down. Its
    client listener takes only the app's own clients (a token made for this start: :func:`.server.start`)."""
    return server.start(folder, settings(device, hub_url, ca_file), env={SEED_VARIABLE: user_seed(private_key)},
                        timeout=timeout, token=True)
