"""#16: an administrator sets up the agency's hub and lets devices in from the command line: ``enforcement-hub
init`` and ``enrol``, with the id and key the device's own ``enforcement-cli bundle devices`` shows."""

from __future__ import annotations

import io
import re

from enforcement_app.cli import main as cli
from enforcement_app.cli.hub_cmd import main as hub_main
from enforcement_app.network import hub


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    return hub_main(argv, out, err), out.getvalue(), err.getvalue()


def _device_shows(world) -> tuple[str, str, str]:
    """What the device's administrator reads off ``bundle devices``: its id, fingerprint and public key."""
    out = io.StringIO()
    assert cli.main(["--db", str(world.services.path), "bundle", "devices"], out=out) == 0
    text = out.getvalue()
    device, fingerprint = re.search(r"本机：.*（([0-9a-f]{32})），密钥指纹 ([0-9A-F ]+)\n", text).groups()
    public_key = re.search(r"本机公钥（登记到汇聚节点时用）：([0-9a-f]{64})", text).group(1)
    return device, fingerprint, public_key


def test_a_hub_is_made_and_a_device_enrolled_by_what_it_shows(tmp_path, world):
    code, out, _ = _run(["init", "--dir", str(tmp_path / "hub"), "--host", "hub.example.gov.cn", "--address", "10.0.0.5"])
    assert code == 0 and "汇聚节点已建立" in out
    device, fingerprint, public_key = _device_shows(world)
    code, out, err = _run(["enrol", "--dir", str(tmp_path / "hub"), device, public_key, "--fingerprint", fingerprint])
    assert code == 0 and "新登记" in out, err
    assert device in hub.devices(tmp_path / "hub")
    code, out, _ = _run(["enrol", "--dir", str(tmp_path / "hub"), device, public_key])
    assert code == 0 and "此前已登记" in out  # enrolling twice changes nothing


def test_what_cannot_be_done_is_said_and_changes_nothing(tmp_path, world):
    folder = str(tmp_path / "hub")
    assert _run(["init", "--dir", folder])[0] == 0
    code, _, err = _run(["init", "--dir", folder])
    assert code == 2 and "已经是一个汇聚节点" in err
    device, fingerprint, public_key = _device_shows(world)
    other_fingerprint = fingerprint[:-1] + ("0" if fingerprint[-1] != "0" else "1")
    code, _, err = _run(["enrol", "--dir", folder, device, public_key, "--fingerprint", other_fingerprint])
    assert code == 2 and "指纹与公钥不符" in err
    code, _, err = _run(["enrol", "--dir", folder, device, "not-a-key"])
    assert code == 2 and err.startswith("错误：")
    code, _, err = _run(["init", "--dir", str(tmp_path / "hub2"), "--address", "not-an-address"])
    assert code == 2 and err.startswith("错误：")
    assert hub.devices(folder) == {}
