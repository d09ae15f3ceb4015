"""The agency's hub: its folder, keys and nats-server configuration, and the enrolment of devices.

``init(dir)`` writes, once, a CA and the hub's TLS server certificate (ECDSA P-256), the nkey of the hub's own
client (its ingest service), ``hub.json`` (the leaf node listener's address, the account) and an empty list of
devices. ``enrol(dir, device, public_key)`` adds a device as a NATS user whose nkey is its Ed25519 device key,
with permissions that let its leaf connection carry only its own subjects, and has a running hub load it.

The hub's nats-server runs in ``dir/server`` (see :mod:`.server`): JetStream domain ``hub``, one account for the
agency, a TLS leaf node listener with ``no_advertise`` (devices keep to the address they were given, through a
proxy or NAT) and a client listener on loopback for the hub's own services.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..services.bundle_format import fingerprint as device_fingerprint
from . import server
from .evidence import flow_control, inbound, stream_name
from .identity import user_nkey, user_seed
from .streams import OUT

DOMAIN = "hub"
ACCOUNT = "AGENCY"
LEAF_PORT = 7422
DEVICE_ID = re.compile(r"[0-9a-f]{32}")
CERTIFICATE_YEARS = 10


class HubError(ValueError):
    """A hub folder or an enrolment that cannot be used as asked (the message is for the administrator)."""


DESK = "all"  # an office desk (the legal-review officer's, the head's): receives every case (see .fanout)
FIELD = "own"  # a field device (an officer's laptop): receives the cases it holds


@dataclass(frozen=True)
class Enrolment:
    device: str
    nkey: str
    new: bool  # False: the device was already enrolled with this key (its scope set as asked)
    reloaded: bool  # a running hub has loaded it
    scope: str = FIELD


def server_folder(directory: str | Path) -> Path:
    return Path(directory) / "server"


def ca_file(directory: str | Path) -> Path:
    """The CA certificate a device needs to check the hub's leaf node listener."""
    return Path(directory) / "ca.pem"


def service_seed(directory: str | Path) -> str:
    """The nkey seed of the hub's own client (its ingest service), which connects on loopback."""
    return (Path(directory) / "service.seed").read_text(encoding="ascii").strip()


def init(directory: str | Path, *, leaf_host: str = "0.0.0.0", leaf_port: int = LEAF_PORT,
         names: Iterable[str] = ("localhost",), addresses: Iterable[str] = ("127.0.0.1",)) -> Path:
    """Write a new hub's keys and configuration into ``directory``; refused if it already holds a hub.
    ``names`` and ``addresses`` are what devices may dial (they go into the server certificate);
    ``leaf_port`` -1 lets the server choose (tests)."""
    directory = Path(directory)
    if (directory / "hub.json").exists():
        raise HubError(f"该文件夹已经是一个汇聚节点，未改动：{directory}")
    directory.mkdir(parents=True, exist_ok=True)
    names, addresses = list(names), [ipaddress.ip_address(a) for a in addresses]
    if not names and not addresses:
        raise HubError("服务器证书至少要写一个设备连接用的主机名或地址")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "enforcement-hub CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alternative = [x509.DNSName(n) for n in names] + [x509.IPAddress(a) for a in addresses]
    certificate = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (names or [str(addresses[0])])[0])]))
                   .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
                   .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .sign(ca_key, hashes.SHA256()))
    _private(directory / "ca.key", _pem_key(ca_key))
    _private(directory / "server.key", _pem_key(key))
    ca_file(directory).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (directory / "server.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    _private(directory / "service.seed", user_seed(os.urandom(32)).encode("ascii"))
    (directory / "devices.json").write_text("{}\n", encoding="utf-8")
    (directory / "hub.json").write_text(json.dumps({"leaf_listen": f"{leaf_host}:{leaf_port}", "account": ACCOUNT},
                                                   indent=2) + "\n", encoding="utf-8")
    server.write_config(server_folder(directory), settings(directory))
    return directory


def endorsement(directory: str | Path, hub_device: str, hub_key: str) -> str:
    """The hub's CA vouching for the key of the hub's database (which signs the hub's receipts: :mod:`..domain.witness`)."""
    from ..domain import witness

    ca_key = serialization.load_pem_private_key((Path(directory) / "ca.key").read_bytes(), password=None)
    return witness.endorse(ca_key, hub_device, hub_key)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _hub(directory: Path) -> dict[str, Any]:
    try:
        return json.loads((directory / "hub.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HubError(f"该文件夹不是汇聚节点（先运行 enforcement-hub init）：{directory}") from None


def devices(directory: str | Path) -> dict[str, dict[str, str]]:
    """The enrolled devices: device id → its public key (hex), nkey and scope."""
    return json.loads((Path(directory) / "devices.json").read_text(encoding="utf-8"))


def scopes(directory: str | Path) -> dict[str, str]:
    """Every enrolled device's scope: :data:`DESK` or :data:`FIELD`."""
    return {d: e.get("scope", FIELD) for d, e in devices(directory).items()}


def device_permissions(device: str) -> dict[str, Any]:
    """What a device's leaf connection may carry (design note): ``publish`` is what it may send up (its stream's
    deliveries to the hub's source, its consumer on the hub's ``TODEV`` filtered to it, flow control), ``subscribe``
    what the hub may send down (the JetStream API of its own domain, what ``TODEV`` delivers to it).

    Flow control: a sourcing consumer asks for flow control replies on ``$JS.FC.<stream>.<consumer>.…``, named by
    the *sourced* stream, so the hub's answers for its consumer on a device's ``OUT`` go down on ``$JS.FC.OUT.…``,
    those for its evidence bucket on the bucket's stream, which bears the device's id (:mod:`.evidence`), and the
    device's answers for its consumer on ``TODEV`` go up on ``$JS.FC.TODEV.…``. Without them a source stalls once a
    few megabytes are in flight (a backlog of 10 KB events after ~255 of them; the design note's figures were with
    1 KB events). These subjects carry no data, only the pace: those of ``OUT`` cannot be told apart by device, so
    a device can at worst see or mistime another's flow control, never read or write an event. The files the hub
    sends a device come from a bucket of the hub's that bears the device's id (:func:`.evidence.inbound`): its link
    may make the consumer of that one bucket's source, and answer its flow control.

    Not ``$JS.hub.API.CONSUMER.DELETE.TODEV.*`` (the design note's list had it): the consumers' names go by on the
    shared ``$JSC.R.>`` (the hub's answers to every source's creation), and with it any device could delete another's
    and hold up what the hub sends that device. A device's server deletes its old consumer when it makes its source
    again; without the right the old one has no one listening and the hub drops it after its inactive threshold
    (10 s)."""
    inbound_stream = stream_name(inbound(device))
    return {
        "publish": {"allow": [f"dlv.{device}.>", f"$JS.hub.API.CONSUMER.CREATE.TODEV.*.to.{device}.>",
                              "$JS.FC.hub.>", "$JS.FC.TODEV.>", "$JSC.R.>",
                              f"$JS.hub.API.CONSUMER.CREATE.{inbound_stream}.>", f"$JS.hub.API.CONSUMER.DELETE.{inbound_stream}.*",
                              f"$JS.FC.{inbound_stream}.>"]},
        "subscribe": {"allow": [f"$JS.{device}.API.>", f"dlv.hub.{device}.>", f"$JS.FC.{device}.>", "$JSC.R.>",
                                f"$JS.FC.{OUT}.>", flow_control(device)]},
    }


def settings(directory: str | Path) -> dict[str, Any]:
    """The hub's nats-server settings, from its folder (see :func:`.server.write_config`)."""
    directory = Path(directory)
    hub = _hub(directory)
    service = {"nkey": _public_of_seed(service_seed(directory))}
    users = [service] + [{"nkey": d["nkey"], "permissions": device_permissions(device)}
                         for device, d in sorted(devices(directory).items())]
    return {
        "server_name": "hub",
        "jetstream": {"domain": DOMAIN},
        "accounts": {hub["account"]: {"jetstream": "enabled", "users": users}},
        "leafnodes": {"listen": hub["leaf_listen"], "no_advertise": True,
                      "tls": {"cert_file": str(directory / "server.pem"), "key_file": str(directory / "server.key"),
                              "timeout": 5}},
    }


def _public_of_seed(seed: str) -> str:
    import nkeys

    return nkeys.from_seed(seed.encode("ascii")).public_key.decode("ascii")


def start(directory: str | Path, timeout: float = server.START_TIMEOUT) -> server.Server:
    """Run the hub's nats-server (refused while another runs on this folder)."""
    return server.start(server_folder(directory), settings(directory), timeout=timeout)


def enrol(directory: str | Path, device: str, public_key: str, fingerprint: str | None = None, *,
          desk: bool = False) -> Enrolment:
    """Enrol a device by its id and Ed25519 public key (hex); ``fingerprint``, as the device shows it, is checked
    against the key when given; ``desk``: an office desk, which receives every case (else a field device, which
    receives the cases it holds). A running hub loads the new user at once (SIGHUP); devices already linked stay.
    Enrolling a device again with the same key sets its scope as asked."""
    directory = Path(directory)
    _hub(directory)
    if not DEVICE_ID.fullmatch(device):
        raise HubError(f"设备编号应为 32 位十六进制：{device[:80]!r}")
    nkey = user_nkey(public_key.lower())
    if fingerprint is not None and _normal(fingerprint) != _normal(device_fingerprint(public_key.lower())):
        raise HubError(f"设备指纹与公钥不符：收到 {fingerprint}，公钥的指纹是 {device_fingerprint(public_key.lower())}")
    enrolled = devices(directory)
    known = enrolled.get(device)
    if known and known["nkey"] != nkey:
        raise HubError(f"设备 {device[:8]} 已用另一个公钥登记（指纹 {device_fingerprint(known['public_key'])}），未改动")
    for other, d in enrolled.items():
        if other != device and d["nkey"] == nkey:
            raise HubError(f"该公钥已登记给设备 {other[:8]}，未改动")
    scope = DESK if desk else FIELD
    if known and known.get("scope", FIELD) == scope:
        return Enrolment(device, nkey, new=False, reloaded=False, scope=scope)
    enrolled[device] = {"public_key": public_key.lower(), "nkey": nkey, "scope": scope}
    partial = directory / "devices.json.new"
    partial.write_text(json.dumps(enrolled, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, directory / "devices.json")
    reloaded = server.reload_running(server_folder(directory), settings(directory))
    return Enrolment(device, nkey, new=not known, reloaded=reloaded, scope=scope)


def _normal(fingerprint: str) -> str:
    return "".join(fingerprint.split()).upper()

