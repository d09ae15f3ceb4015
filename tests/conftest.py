import os

# the client is made for a 1366×768 screen (an office laptop's): the offscreen platform gives the tests one, not its
# default 800×800, so that what fits there is what the tests see
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = "offscreen:configfile=" + os.path.join(os.path.dirname(__file__), "offscreen-1366x768.json")
# device keys go to passphrase-protected files in a folder of this test run, never into the keyring of the
# machine running the tests (subprocesses inherit the environment)
os.environ["ENFORCEMENT_KEYSTORE"] = "file"
os.environ["ENFORCEMENT_KEY_DIR"] = __import__("tempfile").mkdtemp(prefix="ecr-test-keys-")
os.environ["ENFORCEMENT_KEY_PASSPHRASE"] = "test-device-passphrase"
# the client's remembered settings (window geometry, maximised, layout) go to a folder of this test run too,
# not to the user's configuration, so that no test finds what another, or the user, left there
os.environ["XDG_CONFIG_HOME"] = __import__("tempfile").mkdtemp(prefix="ecr-test-config-")

import shutil  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import steps  # noqa: E402

from enforcement_app.services import Services, auth  # noqa: E402
from enforcement_app.services.api import CHINA  # noqa: E402
from enforcement_app.store.database import evidence_dir  # noqa: E402

CHEAP_SCRYPT = auth.ScryptCost(n=2, r=1, p=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Every test world registers eight officers; at production strength their hashes were most of the
    suite's set-up time. The hashes record their cost, so logins in tests still check them for real;
    ``test_auth.py`` checks that production keeps its strength."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "cost_in_force", CHEAP_SCRYPT)
        yield


class Clock:
    """A settable clock: tests move time forward explicitly."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, text: str) -> None:
        self.now = datetime.fromisoformat(text).replace(tzinfo=CHINA)

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@dataclass
class World:
    services: Services
    clock: Clock
    admin: object
    officer_a: object
    officer_b: object
    head: object
    head2: object
    reviewer: object
    unqualified: object
    evaluator: object
    person: object
    company: object

    def as_(self, officer):
        """The officer logged in with their password (their signing key unlocked), as users act."""
        return signed_in(self.services, officer.login)


def password_of(login: str) -> str:
    return "admin-pass-1" if login == "admin" else "secret-pass-1"


CERT = {"area": "仲恺高新区", "valid_from": "2024-01-01", "valid_to": "2028-12-31", "source_of_power": "市场监督管理局"}


START = datetime(2025, 3, 3, 9, 0, tzinfo=CHINA)
PEOPLE = ("admin", "officer_a", "officer_b", "head", "head2", "reviewer", "unqualified", "evaluator")


def make_world(path) -> World:
    clock = Clock(START)
    services = Services(path, clock=clock)
    system = services.system_session()
    admin = system.register_officer({"name": "管理员", "login": "admin", "roles": ["admin"], "password": "admin-pass-1"})
    system.set_agency(
        {
            "name": "惠州仲恺高新技术产业开发区市场监督管理局",
            "seal_name": "惠州仲恺高新技术产业开发区市场监督管理局",
            "area": "惠州仲恺高新区",
            "case_no_prefix": "仲高新市监罚字",
            "reconsideration_body": "惠州市市场监督管理局或者惠州仲恺高新区管委会",
            "litigation_court": "惠州市惠城区人民法院",
        }
    )
    adm = services.login("admin", "admin-pass-1")

    def officer(name, login, roles, cert_no=None, legal=False, cert=None):
        return adm.register_officer(
            {
                "name": name,
                "login": login,
                "roles": roles,
                "legal_qualification": legal,
                "certificates": [{**CERT, **(cert or {}), "certificate_no": cert_no}] if cert_no else [],
                "password": "secret-pass-1",
            }
        )

    world = World(
        services=services,
        clock=clock,
        admin=admin,
        officer_a=officer("张明", "zhangming", ["officer"], "44130001"),
        officer_b=officer("李华", "lihua", ["officer"], "44130002"),
        head=officer("王局长", "wangju", ["agency_head"]),
        head2=officer("赵副局长", "zhaofu", ["agency_head"]),
        reviewer=officer("陈审核", "chenshen", ["legal_reviewer"], legal=True),
        unqualified=officer("周审核", "zhoushen", ["legal_reviewer"], legal=False),
        evaluator=officer("吴评查", "wuping", ["evaluator"]),
        person=None,
        company=None,
    )
    officer_session = services.login("zhangming", "secret-pass-1")
    world.person = officer_session.register_party(
        {"kind": "person", "name": "刘某", "id_number": "11010519491231002X", "address": "惠州市仲恺高新区惠风路1号", "phone": "13800000000"}
    )
    world.company = officer_session.register_party(
        {"kind": "organisation", "name": "惠州某某食品有限公司", "uscc": "91350100M000100Y43", "legal_representative": "黄某", "address": "惠州市仲恺高新区和畅路8号"}
    )
    return world


@dataclass(frozen=True)
class WorldTemplate:
    """The test world built once, through the services, into a database file that each test copies."""

    path: Path
    logins: dict[str, str]  # World field -> officer login
    parties: dict[str, str]  # World field -> party id


@pytest.fixture(scope="session")
def world_template(tmp_path_factory, cheap_password_hashing) -> WorldTemplate:
    path = tmp_path_factory.mktemp("world-template") / "cases.db"
    w = make_world(path)
    template = WorldTemplate(path, {k: getattr(w, k).login for k in PEOPLE}, {k: getattr(w, k).id for k in ("person", "company")})
    w.services.close()
    # closing the last connection checkpoints the WAL into the file: the database is this one file
    assert not path.with_name(path.name + "-wal").exists()
    return template


def copy_world(template: WorldTemplate, path: Path) -> World:
    """A fresh world in its own file at ``path``: the template's database (and evidence folder, if any)
    copied, opened with a new clock at the world's start. Every copy has the template's device id and
    signing key; a test that needs a second device opens a database of its own, as before."""
    shutil.copyfile(template.path, path)
    if evidence_dir(template.path).exists():
        shutil.copytree(evidence_dir(template.path), evidence_dir(path))
    clock = Clock(START)
    services = Services(path, clock=clock)
    people = {k: services.officer_by_login(login) for k, login in template.logins.items()}
    parties = {k: services.party(party_id) for k, party_id in template.parties.items()}
    return World(services=services, clock=clock, **people, **parties)


@pytest.fixture
def world(tmp_path, world_template):
    """The shared world in a fresh SQLite file of this test's own (a copy of the session's template,
    which ``make_world`` built through the services exactly as before)."""
    w = copy_world(world_template, tmp_path / "cases.db")
    yield w
    w.services.close()


def signed_in(services, login: str):
    """``login`` logged in with their test password on ``services``: their personal signing key unlocked. The
    笔录 it records carry the usual signers' drawn signatures unless the payload names its own (see
    ``steps.autosigned``): the client's signature pad would have captured them; the tests of signatures
    themselves give ``signatures`` explicitly."""
    return PadSession(services.login(login, password_of(login)))


class PadSession:
    """A session whose records are signed on the pad by the people present, as in the client."""

    def __init__(self, session):
        object.__setattr__(self, "_session", session)

    def __getattr__(self, name):
        return getattr(self._session, name)

    def __setattr__(self, name, value):  # a test patching the session (monkeypatch) patches the one that acts
        setattr(self._session, name, value)

    def __delattr__(self, name):
        delattr(self._session, name)

    def _names(self, officer_id: str) -> str:
        officer = self._session.services.officers().get(officer_id)
        return officer.name if officer else officer_id

    def perform(self, case_ref, kind, payload=None):
        if kind == "serve_document" and isinstance(payload, dict) and "officers" not in payload and "signatures" not in payload:
            # the client's form names the case's handling officers as the two 送达人, who sign the receipt
            payload = {**payload, "officers": list(self._session.view(case_ref).state.handlers)}
        return self._session.perform(case_ref, kind, steps.autosigned(kind, payload, self._names))

    def record_simple_decision(self, payload):
        return self._session.record_simple_decision(steps.autosigned("record_simple_decision", payload, self._names))

    def register_party_and_case(self, party_data, case_payload, *, simple=False):
        if simple:
            case_payload = steps.autosigned("record_simple_decision", case_payload, self._names)
        return self._session.register_party_and_case(party_data, case_payload, simple=simple)


@pytest.fixture
def app_style(qapp):
    """The client's own style (its 10-point font, its button padding): sizes as users see them."""
    from enforcement_app.ui.window import apply_style

    font, sheet = qapp.font(), qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


@pytest.fixture
def linked(tmp_path, world):
    """(hub folder, hub server, the world's database as a device: its own id and Ed25519 key, enrolled at the hub;
    its server not started yet)."""
    from network_support import Device, require_binary

    from enforcement_app.network import hub

    require_binary()
    hub_dir = hub.init(tmp_path / "hub", leaf_host="127.0.0.1", leaf_port=-1)
    d = Device(tmp_path, "device", world.services.device_id, world.services.device_signing_key())
    hub.enrol(hub_dir, d.id, d.public)
    hub_server = hub.start(hub_dir)
    try:
        yield hub_dir, hub_server, d
    finally:
        if d.server is not None:
            d.server.stop()
        hub_server.stop()
