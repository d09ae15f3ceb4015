"""The hub's folder and the enrolment of devices: a device's NATS identity is its own Ed25519 device key, a
fingerprint read off the device is checked, and a hub running when a device is enrolled lets it in at once."""

from __future__ import annotations

import json
import stat
import uuid

import nkeys
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from network_support import require_binary, wait_for

from enforcement_app.network import device, hub, server, streams
from enforcement_app.network.identity import user_nkey, user_seed
from enforcement_app.services.bundle_format import fingerprint
from enforcement_app.store.database import meta


def test_the_device_key_is_its_nkey(world):
    services = world.services
    public = meta(services.db, "device_public_key")
    seed = user_seed(services.device_signing_key().private_bytes_raw())
    pair = nkeys.from_seed(seed.encode("ascii"))
    assert seed.startswith("SU") and pair.public_key.decode() == user_nkey(public)
    assert user_nkey(public).startswith("U") and len(user_nkey(public)) == 56
    signature = pair.sign(b"nonce")  # what the server checks at connect: the device key's own signature
    services.device_signing_key().public_key().verify(signature, b"nonce")


def test_a_key_that_is_not_hex_is_refused():
    with pytest.raises(ValueError, match="64 位十六进制"):
        user_nkey("not a key")


def test_init_writes_a_ca_a_server_certificate_and_private_keys_once(tmp_path):
    directory = hub.init(tmp_path / "hub", names=["hub.example.gov.cn"], addresses=["127.0.0.1", "10.0.0.5"])
    ca = x509.load_pem_x509_certificate(hub.ca_file(directory).read_bytes())
    certificate = x509.load_pem_x509_certificate((directory / "server.pem").read_bytes())
    certificate.verify_directly_issued_by(ca)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["hub.example.gov.cn"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "10.0.0.5"]
    for secret in ("ca.key", "server.key", "service.seed"):
        assert stat.S_IMODE((directory / secret).stat().st_mode) == 0o600
    config = server.config_path(hub.server_folder(directory)).read_text(encoding="utf-8")
    assert "no_advertise: true" in config and 'domain: "hub"' in config and "0.0.0.0:7422" in config
    with pytest.raises(hub.HubError, match="已经是一个汇聚节点"):
        hub.init(directory)


def _device() -> tuple[str, Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    return uuid.uuid4().hex, key, key.public_key().public_bytes_raw().hex()


def test_enrolment_checks_the_fingerprint_and_keeps_one_key_per_device(tmp_path):
    directory = hub.init(tmp_path / "hub")
    device_id, _, public = _device()
    with pytest.raises(hub.HubError, match="指纹与公钥不符"):
        hub.enrol(directory, device_id, public, fingerprint="0000 0000 0000 0000 0000")
    assert hub.devices(directory) == {}
    first = hub.enrol(directory, device_id, public, fingerprint=fingerprint(public).lower())
    assert first.new and not first.reloaded and first.nkey == user_nkey(public)
    assert not hub.enrol(directory, device_id, public).new
    _, _, other_key = _device()
    with pytest.raises(hub.HubError, match="已用另一个公钥登记"):
        hub.enrol(directory, device_id, other_key)
    with pytest.raises(hub.HubError, match="已登记给设备"):
        hub.enrol(directory, uuid.uuid4().hex, public)
    with pytest.raises(hub.HubError, match="32 位十六进制"):
        hub.enrol(directory, "dev.*", other_key)
    assert json.loads((directory / "devices.json").read_text(encoding="utf-8")) == {
        device_id: {"public_key": public, "nkey": first.nkey, "scope": hub.FIELD}}
    desk = hub.enrol(directory, device_id, public, desk=True)  # the same device made an office desk: it receives every case
    assert not desk.new and desk.scope == hub.DESK and hub.scopes(directory) == {device_id: hub.DESK}
    config = server.config_path(hub.server_folder(directory)).read_text(encoding="utf-8")
    assert first.nkey in config and f'"dlv.{device_id}.>"' in config and f'"$JS.{device_id}.API.>"' in config


def test_enrol_into_a_folder_without_a_hub_is_refused(tmp_path):
    with pytest.raises(hub.HubError, match="不是汇聚节点"):
        hub.enrol(tmp_path, uuid.uuid4().hex, _device()[2])


@pytest.mark.network
def test_a_device_enrolled_while_the_hub_runs_links_without_a_restart(tmp_path):
    require_binary()
    directory = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    device_id, key, public = _device()
    with hub.start(directory) as hub_server:
        url = f"tls://127.0.0.1:{hub_server.leafnode_port}"
        with device.start(tmp_path / "device", device_id, url, hub.ca_file(directory), key.private_bytes_raw()) as own:
            log = tmp_path / "device" / "nats.log"
            wait_for("the hub's refusal while the device is unknown", lambda: "Authorization Violation" in log.read_text(encoding="utf-8"), 15)
            assert hub.enrol(directory, device_id, public).reloaded
            assert streams.wait_for_link(hub_server, device_id, 45)["name"] == device_id
            assert streams.wait_for_link(own, "hub", 45)
            assert hub_server.pid == int((hub.server_folder(directory) / "nats.pid").read_text())  # the same process
