"""#16 in the client: a desk that has joined its agency's hub starts its link with the app, says in the status
bar whether it is connected (and since when it is not), and what arrives from the hub — a case an officer opened
on a laptop — fills the head's inbox at once, without a reload."""

from __future__ import annotations

import pytest
from conftest import signed_in
from network_support import Device, HubThread, case_asked_for_filing, require_binary
from PySide6.QtCore import Qt
from test_client import chinese, type_text  # noqa: F401 — the client as users get it

from enforcement_app.network import hub, link
from enforcement_app.services import Services

pytestmark = pytest.mark.network
LINK_MS = 45_000


@pytest.fixture
def joined(tmp_path, world):
    """The world's database as the office desk (joined, enrolled with --desk), a new laptop with its link running,
    and the hub; stopped after."""
    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    laptop = Services(tmp_path / "laptop.db", clock=world.clock)
    for services, desk in ((world.services, True), (laptop, False)):
        d = Device(tmp_path, "d", services.device_id, services.device_signing_key())
        hub.enrol(hub_dir, d.id, d.public, desk=desk)
    running = HubThread(hub_dir, tmp_path / "agency.db", poll=0.2, retry=0.3).start()
    laptop_link = None
    try:
        for services in (world.services, laptop):
            link.join(services.path, running.url, hub.ca_file(hub_dir), world.clock())
        laptop_link = link.start_for(laptop.path, clock=world.clock)
        yield running, laptop, laptop_link
    finally:
        if laptop_link is not None:
            laptop_link.stop()
        running.stop()
        laptop.close()


def test_the_status_bar_shows_the_link_and_the_heads_inbox_fills_as_the_officers_case_arrives(joined, world, qtbot, tmp_path):
    from enforcement_app.ui.network_link import NetworkLink
    from enforcement_app.ui.window import LoginDialog, MainWindow
    from enforcement_app.ui.worker import ServiceThread

    running, laptop, _laptop_link = joined
    shots = tmp_path
    worker = ServiceThread(world.services.path, clock=world.clock)
    network = NetworkLink(worker, world.services.path)
    window = None
    try:
        dialog = LoginDialog(worker)
        qtbot.addWidget(dialog)
        type_text(qtbot, dialog.login, world.head.login)
        type_text(qtbot, dialog.password, "secret-pass-1")
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.officer is not None, timeout=10_000)
        window = MainWindow(worker, dialog.officer, world.services.path, world.clock().date(), network=network)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.link_status.text() == "汇聚节点：已连接", timeout=LINK_MS)
        assert "汇聚节点 tls://127.0.0.1:" in window.link_status.toolTip()
        # an officer opens a case on the laptop and asks for filing: it reaches the desk, and the head's inbox shows it
        qtbot.waitUntil(lambda: (laptop.refresh(), laptop.officer_by_login(world.officer_a.login))[1] is not None, timeout=LINK_MS)
        officer = signed_in(laptop, world.officer_a.login)
        case_id = case_asked_for_filing(world, officer)
        qtbot.waitUntil(lambda: any(i["case_id"] == case_id and i["task"] == "approve_filing" for i in window.inbox.items), timeout=LINK_MS)
        window.grab().save(str(shots / "desk_inbox_linked.png"))
        # the hub goes away: the status bar says since when the desk is offline
        running.stop()
        qtbot.waitUntil(lambda: window.link_status.text().startswith("汇聚节点：离线（自 "), timeout=LINK_MS)
        qtbot.wait(100)  # the status bar lays the longer text out
        window.grab().save(str(shots / "desk_offline.png"))
    finally:
        if window is not None:
            window.close()
        network.stop()
        worker.shutdown()
