"""The agency's power list (权责清单): the penalties it may impose, each with the source of the power.

行政处罚法第十七条: 行政处罚由具有行政处罚权的行政机关在法定职权范围内实施; a penalty by a body without
the power is void (第三十八条第一款), and a case file showing one fails its evaluation (主体不合法). The list
says which provisions the agency enforces: whole statutes, articles (down to an item) or benchmark entries
(``cause_entry`` of a case), each :class:`Power` with its :class:`PowerSource`: its own power (法定职权, the
provision that grants it), an authorisation by a law or regulation (授权, 第十九条) or a delegation (委托,
第二十条: the delegating body, its 委托书 by name and number, and the term the 委托书 must state).

Versioned like the policy: the demo agency's list ships in ``resources/agency/power_list.json``; an
administrator imports the agency's own versions (``enforcement-cli power-list import``), recorded as events;
the version in force on a day is the latest-starting one covering it. A version is the whole list, never a
change to another. A file is checked whole and refused whole: every problem is reported with its place.

A case's provision is read from its benchmark entry: the entry is within the list when a power names it, or
when every penalty basis of the entry (the entry's and any party-specific one) falls under the provisions
of one power whose source is in force that day (:func:`find_power`). A case that names no entry is judged
by the provisions its record cites (:func:`provision_finding`): at filing, the provision the party is
suspected of breaking, which must belong to a statute one of the powers is written under (a power list
names penalty clauses, so the article broken cannot be matched more closely before the clause is chosen);
at the decision, the penalty clause, which must fall under a power's provisions.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from ..resources import load_json
from .competence import Provision, competent_for, parse_provision
from .discretion.legal_basis import BasisQuery, citations
from .discretion.library import BenchmarkLibrary, UnknownEntry
from .discretion.model import BenchmarkEntry
from .discretion.validation import MISSING, Collector, FormatIssue, Reader
from .refusals import InvalidInput, Refusal
from .versioning import NoVersionInForce, Versioned, version_in_force

FORMAT = "power-list/1"
ARTICLE = "行政处罚法第十七条"
DELEGATION_ARTICLE = "行政处罚法第二十条第四款"
GENERAL_LAWS = frozenset({"行政处罚法", "行政强制法", "行政复议法", "行政诉讼法"})  # procedure, not a power to penalise


class SourceKind(StrEnum):
    STATUTORY = "statutory"  # 法定职权
    AUTHORISED = "authorised"  # 法律、法规授权 (Art. 19)
    DELEGATED = "delegated"  # 受委托 (Art. 20)

    @property
    def zh(self) -> str:
        return SOURCE_KIND_ZH[self]


SOURCE_KIND_ZH = {SourceKind.STATUTORY: "法定职权", SourceKind.AUTHORISED: "法律、法规授权", SourceKind.DELEGATED: "受委托实施"}


@dataclass(frozen=True)
class PowerSource:
    """Where a power comes from. ``basis``: the provision granting it (required for 法定职权 and 授权; for a
    delegation, optionally the provision under which the delegating body holds it); ``text`` quoted from it.
    A delegation names the delegating ``body``, its 委托书 (``document``, ``document_no``) and its term."""

    kind: SourceKind
    basis: Provision | None = None
    text: str = ""
    body: str = ""
    document: str = ""
    document_no: str = ""
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        """A delegation holds within its term only; the other sources as long as the list does."""
        if self.kind != SourceKind.DELEGATED:
            return True
        return self.valid_from is not None and self.valid_to is not None and self.valid_from <= day <= self.valid_to

    def describe(self) -> str:
        """The source as the case file prints it after ``职权来源：``."""
        if self.kind == SourceKind.DELEGATED:
            term = f"{self.valid_from.isoformat() if self.valid_from else ''}至{self.valid_to.isoformat() if self.valid_to else ''}"
            under = f"，委托机关的职权依据{self.basis.cite()}" if self.basis else ""
            return (f"受委托实施：委托机关{self.body}，委托书《{self.document}》（{self.document_no}），委托期限{term}{under}；"
                    f"以委托行政机关名义实施（《中华人民共和国行政处罚法》第二十条第四款）")
        return f"{self.kind.zh}，依据{self.basis.cite() if self.basis else ''}"


@dataclass(frozen=True)
class Power:
    id: str
    name: str
    provisions: tuple[Provision, ...]
    entries: tuple[str, ...]
    source: PowerSource
    note: str = ""

    def covers(self, entry: BenchmarkEntry) -> bool:
        return entry.id in self.entries or bool(self.provisions) and all(
            any(p.covers(basis) for p in self.provisions) for basis in entry.penalty_bases)


@dataclass(frozen=True)
class PowerList:
    version: str
    agency: str  # the agency the list is of, as it names itself
    title: str  # e.g. the published list's name
    powers: tuple[Power, ...]
    source: str = ""  # where the list comes from (the published list, its document number)
    # the powers covering an entry, by what covering reads of it (its id and bases): every filing of a bundle or
    # of a hub's round asks the same few questions of one list
    _covering: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def powers_for(self, entry: BenchmarkEntry) -> tuple[Power, ...]:
        key = (entry.id, entry.penalty_bases)
        found = self._covering.get(key)
        if found is None:
            found = self._covering[key] = tuple(p for p in self.powers if p.covers(entry))
        return found


@dataclass(frozen=True)
class PowerFinding:
    """A case's benchmark entry looked up in the power list in force on ``day``: the power it falls under
    (None: outside the list, or not checkable), and the refusal that says why not."""

    entry_id: str
    day: date
    power: Power | None
    list_version: str = ""
    refusal: Refusal | None = None
    provision: str = ""  # naming no entry: the provisions cited by the step, as checked
    statute_only: bool = False  # checked by statute only (a filing naming no entry)
    list_title: str = ""  # the list's title, as the documents name it (its version id is the program's)

    @property
    def within(self) -> bool:
        return self.power is not None

    def line(self) -> str:
        """``职权来源：…`` as the case file prints it."""
        if self.power is None:
            return f"职权来源：未在本机关权责清单内（{self.refusal.message if self.refusal else ''}）"
        how = f"；依涉嫌违反的{self.provision}所属法律核对，罚则待决定时核对" if self.statute_only else ""
        listed = f"《{self.list_title}》" if self.list_title else f"权责清单{self.list_version}"
        return f"职权来源：{self.power.source.describe()}（{listed}：{self.power.name}{how}）"


UNCHECKED_LINE = "职权来源：本案未指明裁量基准条目，也未记载所依据的条款，未能依权责清单核对"


class PowerListFormatError(InvalidInput):
    """A power list file was refused whole; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[FormatIssue]):
        self.issues = tuple(issues)
        super().__init__(Refusal("power_list_format", str(issue), field=issue.field) for issue in self.issues)


# --- reading a file ---------------------------------------------------------------------------------------

_VERSION_KEYS = {"version", "effective_from", "effective_to", "agency", "title", "source", "powers"}
_POWER_KEYS = {"id", "name", "provisions", "entries", "source", "note"}
_SOURCE_KEYS = {"kind", "basis", "text", "body", "document", "document_no", "valid_from", "valid_to"}
_DELEGATION_KEYS = ("body", "document", "document_no")


def _source(r: Reader | None) -> PowerSource | None:
    if r is None or not r.ok:
        return None
    r.check_keys(_SOURCE_KEYS)
    kind = r.enum("kind", SourceKind)
    delegated = kind == SourceKind.DELEGATED
    basis = parse_provision(r.child("basis", required=kind in (SourceKind.STATUTORY, SourceKind.AUTHORISED)))
    text = r.text("text", required=False) or ""
    named = {k: r.text(k, required=delegated) or "" for k in _DELEGATION_KEYS}
    start, end = r.date("valid_from", required=delegated), r.date("valid_to", required=delegated)
    if kind is None:
        return None
    if not delegated:
        for key in (*_DELEGATION_KEYS, "valid_from", "valid_to"):
            if key in r.data:
                r.fail(key, f"{kind.zh}不写委托机关、委托书和委托期限（只用于委托）")
        if basis is None:
            return None
    elif not all(named.values()) or start is None or end is None:
        return None
    if start and end and end < start:
        r.fail("valid_to", "委托期限的终止日期早于起始日期")
        return None
    return PowerSource(kind, basis, text, named["body"], named["document"], named["document_no"], start, end)


def _power(r: Reader, taken: set[str], known_entries: Collection[str] | None) -> Power | None:
    if not r.ok:
        return None
    r.check_keys(_POWER_KEYS)
    power_id, name = r.text("id"), r.text("name")
    if power_id is not None:
        if not all(ch.isascii() and (ch.isalnum() or ch in "_-.") for ch in power_id):
            r.fail("id", f"编号只能由 ASCII 字母、数字和 _-. 组成：{power_id!r}")
        elif power_id in taken:
            r.fail("id", f"编号 {power_id} 重复")
        taken.add(power_id)
    provisions = [parse_provision(Reader(item, r.errors, r.entry, path)) for path, item in r.objects("provisions", required=False)]
    entries: list[str] = []
    for path, item in r.objects("entries", required=False):
        if not isinstance(item, str) or not item.strip():
            r.errors.add(r.entry, path, "裁量基准条目编号应为非空字符串")
        elif known_entries is not None and item not in known_entries:
            r.errors.add(r.entry, path, f"裁量基准中没有条目 {item}")
        else:
            entries.append(item)
    if not provisions and not entries and power_id is not None:
        r.fail("provisions", "每项职权至少写明一条法律依据（provisions）或一个裁量基准条目（entries）")
    source = _source(r.child("source"))
    note = r.text("note", required=False) or ""
    if power_id is None or name is None or source is None or None in provisions or (not provisions and not entries):
        return None
    return Power(power_id, name, tuple(provisions), tuple(entries), source, note)  # type: ignore[arg-type]


def _version(r: Reader, known_entries: Collection[str] | None) -> Versioned[PowerList] | None:
    if not r.ok:
        return None
    r.check_keys(_VERSION_KEYS)
    version = r.raw("version", True)
    if version is MISSING:
        version = None
    elif not isinstance(version, str) or not version.strip():
        r.fail("version", "版本应为非空文字")
        version = None
    start, end = r.date("effective_from"), r.date("effective_to", required=False)
    if start and end and end < start:
        r.fail("effective_to", "早于 effective_from")
    agency, title, source = r.text("agency"), r.text("title"), r.text("source", required=False) or ""
    taken: set[str] = set()
    powers = [_power(Reader(item, r.errors, r.entry, path), taken, known_entries) for path, item in r.objects("powers")]
    if "powers" in r.data and isinstance(r.data["powers"], list) and not r.data["powers"]:
        r.fail("powers", "权责清单至少有一项职权")
    if version is None or start is None or agency is None or title is None or not powers or None in powers:
        return None
    if end is not None and end < start:
        return None
    return Versioned(version, start, end, PowerList(version, agency, title, tuple(powers), source))  # type: ignore[arg-type]


def parse_power_list_versions(document: Any, where: str = "power_list",
                              known_entries: Collection[str] | None = None) -> list[Versioned[PowerList]]:
    """Every version of a ``power-list/1`` document, or :class:`PowerListFormatError` naming every problem
    (nothing is returned from a document with any). ``known_entries``: the benchmark entry ids a power may
    name (None: not checked, for versions read back from the record, checked when they were imported)."""
    errors = Collector(where)
    top = Reader(document, errors, "", "")
    versions: list[Versioned[PowerList] | None] = []
    if top.ok:
        top.check_keys({"format", "description", "versions"})
        if top.data.get("format") != FORMAT:
            top.fail("format", f"应为 {FORMAT}")
        for path, item in top.objects("versions"):
            versions.append(_version(Reader(item, errors, "", path), known_entries))
        if isinstance(top.data.get("versions"), list) and not top.data["versions"]:
            top.fail("versions", "没有任何版本")
    found = [v for v in versions if v is not None]
    for n, v in enumerate(found):
        if any(w.version == v.version for w in found[:n]):
            errors.add("", "versions", f"版本 {v.version} 重复")
        if any(w.effective_from == v.effective_from for w in found[:n]):
            errors.add("", "versions", f"两个版本同日（{v.effective_from.isoformat()}）起施行，无法确定何者适用")
    if errors.issues:
        raise PowerListFormatError(errors.issues)
    return found


def dump_version(version: Versioned[PowerList]) -> dict[str, Any]:
    """One version in the file's form (what an import records)."""
    value = version.value
    out: dict[str, Any] = {
        "version": version.version, "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "agency": value.agency, "title": value.title,
    }
    if value.source:
        out["source"] = value.source
    out["powers"] = [_dump_power(p) for p in value.powers]
    return out


def _dump_power(p: Power) -> dict[str, Any]:
    s = p.source
    source: dict[str, Any] = {"kind": s.kind.value}
    if s.basis is not None:
        source["basis"] = s.basis.as_dict()
    if s.text:
        source["text"] = s.text
    if s.kind == SourceKind.DELEGATED:
        source.update({"body": s.body, "document": s.document, "document_no": s.document_no,
                       "valid_from": s.valid_from.isoformat() if s.valid_from else None,
                       "valid_to": s.valid_to.isoformat() if s.valid_to else None})
    out: dict[str, Any] = {"id": p.id, "name": p.name}
    if p.provisions:
        out["provisions"] = [q.as_dict() for q in p.provisions]
    if p.entries:
        out["entries"] = list(p.entries)
    out["source"] = source
    if p.note:
        out["note"] = p.note
    return out


@cache
def _shipped() -> tuple[Versioned[PowerList], ...]:
    return tuple(parse_power_list_versions(load_json("agency", "power_list.json"), "resources/agency/power_list.json"))


def default_power_list_versions() -> list[Versioned[PowerList]]:
    """The shipped versions: the demo agency's list (a district 市场监督管理局's)."""
    return list(_shipped())


def power_list_on(day: date, versions: Sequence[Versioned[PowerList]]) -> Versioned[PowerList] | None:
    try:
        return version_in_force(versions, day)
    except NoVersionInForce:
        return None


# --- a case against the list ------------------------------------------------------------------------------


def find_power(entry_id: str, day: date, versions: Sequence[Versioned[PowerList]], library: BenchmarkLibrary,
               field: str = "") -> PowerFinding | None:
    """The case's benchmark entry against the list in force on ``day``; None when the case names no entry
    (its provision cannot be read from the record). ``field``: the form field a refusal names."""
    if not entry_id:
        return None
    in_force = power_list_on(day, versions)
    if in_force is None:
        return PowerFinding(entry_id, day, None, "", Refusal(
            "no_power_list", f"{day.isoformat()}没有生效的本机关权责清单，不能核对本机关是否有权处罚（{ARTICLE}）", ARTICLE, field))
    try:
        entry = library.entry(entry_id)
    except UnknownEntry:
        return PowerFinding(entry_id, day, None, in_force.version, Refusal(
            "unknown_cause_entry", f"裁量基准中没有条目 {entry_id}，无法核对本机关的职权（{ARTICLE}）", ARTICLE, field))
    candidates = in_force.value.powers_for(entry)
    held = next((p for p in candidates if p.source.in_force_on(day)), None)
    if held is not None:
        return PowerFinding(entry_id, day, held, in_force.version, list_title=in_force.value.title)
    return PowerFinding(entry_id, day, None, in_force.version, _outside(entry, day, in_force, candidates, field))


def _outside(entry: BenchmarkEntry, day: date, in_force: Versioned[PowerList], lapsed: Sequence[Power], field: str) -> Refusal:
    bases = "、".join(b.cite() for b in entry.penalty_bases)
    if lapsed:
        s = lapsed[0].source
        why = (f"本机关受{s.body}委托实施该项处罚（委托书《{s.document}》{s.document_no}），委托期限为"
               f"{_term(s)}，{day.isoformat()}不在委托期限内")
    else:
        why = (f"不在本机关权责清单《{in_force.value.title}》（版本 {in_force.version}，{in_force.effective_from.isoformat()}起施行）"
               "之内")
    message = (f"本案适用的裁量基准条目 {entry.id}（处罚依据{bases}）{why}，本机关无权立案处罚"
               f"（{ARTICLE}：行政处罚由具有行政处罚权的行政机关在法定职权范围内实施）")
    competent = competent_for(entry.penalty_basis, day)
    if competent is not None:
        message += f"。{competent.sentence()}应由{competent.authority}依法处理"
    return Refusal("outside_power_list", message, ARTICLE, field)


def entry_refusals(entry_id: str, day: date, versions: Sequence[Versioned[PowerList]], library: BenchmarkLibrary,
                   field: str = "") -> list[Refusal]:
    """Why the agency may not act under ``entry_id`` on ``day`` (empty: it may, or the case names no entry)."""
    finding = find_power(entry_id, day, versions, library, field)
    return [finding.refusal] if finding is not None and finding.refusal is not None else []


def provision_finding(cited: Sequence[BasisQuery], day: date, versions: Sequence[Versioned[PowerList]], field: str = "",
                      *, statute_only: bool = False) -> PowerFinding:
    """A case naming no benchmark entry, by the provisions a step cites: each under one power in force that day
    (``statute_only``: a power written under the same statute, for the provision broken at filing)."""
    # the procedure's own statutes are cited beside a penalty clause (…、《行政处罚法》第三十二条): they are no power
    cited = [q for q in cited if q.law not in GENERAL_LAWS] or list(cited)
    text = "、".join(_cite(q) for q in cited)
    in_force = power_list_on(day, versions)
    if in_force is None:
        return PowerFinding("", day, None, "", Refusal(
            "no_power_list", f"{day.isoformat()}没有生效的本机关权责清单，不能核对本机关是否有权处罚（{ARTICLE}）", ARTICLE, field), text, statute_only)

    def holds(power: Power, q: BasisQuery) -> bool:
        if statute_only:
            return any(p.law == q.law for p in power.provisions)
        return any(p.covers(q.as_basis()) for p in power.provisions)

    candidates = [p for p in in_force.value.powers if all(holds(p, q) for q in cited)]
    held = next((p for p in candidates if p.source.in_force_on(day)), None)
    if held is not None:
        return PowerFinding("", day, held, in_force.version, None, text, statute_only, in_force.value.title)
    what = f"本案涉嫌违反的{text}所属法律" if statute_only else f"本案适用的罚则{text}"
    if candidates:
        s = candidates[0].source
        why = (f"本机关受{s.body}委托实施该项处罚（委托书《{s.document}》{s.document_no}），委托期限为"
               f"{_term(s)}，{day.isoformat()}不在委托期限内")
    else:
        why = f"不在本机关权责清单《{in_force.value.title}》（版本 {in_force.version}）之内"
    message = (f"{what}{why}，本机关无权{'立案' if statute_only else '作出'}处罚"
               f"（{ARTICLE}：行政处罚由具有行政处罚权的行政机关在法定职权范围内实施）")
    competent = next((c for c in (competent_for(q.as_basis(), day) for q in cited) if c is not None), None)
    if competent is not None:
        message += f"。{competent.sentence()}应由{competent.authority}依法处理"
    return PowerFinding("", day, None, in_force.version, Refusal("outside_power_list", message, ARTICLE, field), text, statute_only)


def provision_refusals(cited: Sequence[BasisQuery], day: date, versions: Sequence[Versioned[PowerList]], field: str = "",
                       *, statute_only: bool = False) -> list[Refusal]:
    finding = provision_finding(cited, day, versions, field, statute_only=statute_only)
    return [finding.refusal] if finding.refusal is not None else []


def _cite(q: BasisQuery) -> str:
    return q.as_basis().cite()


def _term(s: PowerSource) -> str:
    return f"{s.valid_from.isoformat() if s.valid_from else ''}至{s.valid_to.isoformat() if s.valid_to else ''}"


def issuing_body(finding: PowerFinding | None) -> str:
    """The body in whose name the agency acts under ``finding``: the delegating body's under a delegation
    (第二十条第四款), empty for a power of the agency's own or no power found."""
    if finding is None or finding.power is None or finding.power.source.kind != SourceKind.DELEGATED:
        return ""
    return finding.power.source.body


def describe_for_record(finding: PowerFinding | None) -> str:
    """The ``职权来源`` line for a document: the finding's, or that the case named no entry."""
    return finding.line() if finding is not None else UNCHECKED_LINE


EXERCISING = ("request_filing", "approve_filing", "refuse_filing", "record_simple_decision", "make_decision")
"""The steps by which the agency takes a case up or decides it: each is judged by the list in force on its day."""


def findings_of(state: Any, versions: Sequence[Versioned[PowerList]], library: BenchmarkLibrary) -> dict[str, PowerFinding | None]:
    """Each exercising step of the case (by its hash) judged by the list in force on that step's day: by the
    case's entry, or else by the provisions the step cites (None: nothing to judge it by, as in a case recorded
    before the filing request named the provision). ``state``: a :class:`..case.CaseState`."""
    if state.cause_entry:
        return {step.hash: find_power(state.cause_entry, step.day, versions, library)
                for step in state.steps if step.kind in EXERCISING}
    return {step.hash: _by_provision(step, state.suspected_violation, versions) for step in state.steps if step.kind in EXERCISING}


def _by_provision(step: Any, suspected: str, versions: Sequence[Versioned[PowerList]]) -> PowerFinding | None:
    """A step of a case naming no entry: a penalty decision by its penalty clause, any other step by the
    statute of the provision broken (the decision's, or the filing request's)."""
    p = step.payload
    penalty = step.kind in ("make_decision", "record_simple_decision") and p.get("outcome", "penalty") == "penalty"
    text = str(p.get("basis") or "") if penalty else str(p.get("violation") or suspected or "")
    try:
        cited = citations(text) if text else []
    except ValueError:
        cited = []
    if not cited:
        return None
    return provision_finding(cited, step.day, versions, statute_only=not penalty)
