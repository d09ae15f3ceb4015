"""Who signed a 笔录, a notice receipt or a 送达回证, and how: never a ticked box.

Each signer's entry records one of three things (行政处罚法第五十五条、《市场监督管理行政处罚程序规定》第三十一条):

- ``handwritten``: a signature drawn in the app (mouse, touch or pen, with pressure where the device gives it).
  The entry keeps the strokes and the PNG drawn from them, inline, with the PNG's SHA-256 and the SHA-256 of
  the exact text the signer saw above the pad (:func:`signed_text`), so the signature is bound to what was
  signed: a later change of the text no longer matches its ``text_sha256``.
- ``scanned``: a photo or scan of the signed paper, an evidence file of the case named by its SHA-256.
- ``refused``: a refusal to sign, with the moment, the reason stated, and a witness who signs, or an
  audio-visual evidence item of the case (当事人拒绝签名的，注明情况并由见证人签名或者以录音录像记录).

Kept inline rather than as evidence files: a signature is a few kilobytes, and inside the event it is under the
record's hash chain and the sign-off signatures without a file to lose.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from itertools import chain
from typing import Any

from ..resources import load_json

SIGNER_ZH = {"party": "当事人", "present": "在场人", "interviewee": "被询问人", "officer": "执法人员", "recipient": "受送达人",
             "witness": "见证人"}
HOW_ZH = {"handwritten": "手写签名", "scanned": "签名纸扫描件", "refused": "拒绝签名"}
INQUIRY_CONFIRMATION = "以上笔录我看过（或者已向我宣读过），与我说的相符"
MAX_PNG_BYTES = 256 * 1024
MAX_POINTS = 20_000
_CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class SignerRule:
    """Who signs one kind of record (``resources/law/signers.json``)."""

    required: tuple[tuple[str, int], ...] = ()  # (role, how many)
    one_of: tuple[str, ...] = ()  # at least one of these roles
    when: Mapping[str, Any] = field(default_factory=dict)  # needed only when the payload has these values (a list: any of them)

    def applies(self, payload: Mapping[str, Any]) -> bool:
        return all(payload.get(k) in v if isinstance(v, list | tuple) else payload.get(k) == v for k, v in self.when.items())

    @property
    def signed_for(self) -> tuple[str, ...]:
        """The roles that sign for the other side (the party, the person present or questioned, the recipient),
        as against the officers who sign for the agency."""
        return (*self.one_of, *(role for role, _n in self.required if role != "officer"))

    def rows(self) -> tuple[str, ...]:
        """One role per signature line, as a form first offers them."""
        return (*((self.one_of[0],) if self.one_of else ()), *(role for role, n in self.required for _ in range(n)))


@cache
def signer_rules() -> dict[str, SignerRule]:
    """The record kinds that carry signatures, and who signs each. Raises ValueError on a malformed file."""
    document = load_json("law", "signers.json")
    if document.get("format") != "signers/1":
        raise ValueError("law/signers.json: format is not signers/1")
    rules = {}
    for kind, body in document["records"].items():
        required = tuple((str(role), int(n)) for role, n in (body.get("required") or {}).items())
        one_of = tuple(str(r) for r in body.get("one_of") or ())
        unknown = ({r for r, _n in required} | set(one_of)) - set(SIGNER_ZH)
        if unknown or any(n < 1 for _r, n in required):
            raise ValueError(f"law/signers.json: {kind}: unknown role or count ({sorted(unknown)})")
        rules[kind] = SignerRule(required, one_of, dict(body.get("when") or {}))
    return rules


def names_in(payload: Mapping[str, Any], officer_name: Callable[[str], str]) -> dict[str, list[str]]:
    """The people a record's payload names, by the role they would sign in."""
    person = payload.get("person") if isinstance(payload.get("person"), Mapping) else {}
    officers = payload.get("officers") if isinstance(payload.get("officers"), list) else []
    named = {"present": payload.get("present"), "interviewee": person.get("name"), "recipient": payload.get("recipient"),
             "party": payload.get("by")}
    return {**{role: [str(name)] for role, name in named.items() if name}, "officer": [officer_name(str(o)) for o in officers]}


def usual_signers(kind: str, payload: Mapping[str, Any], names: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """(role, name) for each signature line a record of ``kind`` needs, named from ``names`` (role -> the names
    of the people in it, in order); for a choice of roles, the first one named. What the demonstration data
    and the tests sign with."""
    rule = signer_rules().get(kind)
    if rule is None or not rule.applies(payload):
        return []
    out = []
    chosen = next((r for r in rule.one_of if names.get(r)), rule.one_of[0] if rule.one_of else None)
    if chosen:
        out.append((chosen, (list(names.get(chosen) or ()) or [SIGNER_ZH[chosen]])[0]))
    for role, n in rule.required:
        people = list(names.get(role) or ())
        out += [(role, people[i] if i < len(people) else SIGNER_ZH[role]) for i in range(n)]
    return out


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _t(value: Any) -> str:
    return str(value if value is not None else "").strip()


def _when(value: Any) -> str:
    """A moment or day as the form gave it or as it was recorded, read the same way ("2025-03-05 09:30")."""
    text = _t(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:  # the form records moments in China time; one typed with another offset reads the same
        moment = moment.astimezone(_CHINA)
    return moment.strftime("%Y-%m-%d %H:%M") if "T" in text or " " in text else moment.strftime("%Y-%m-%d")


def _fen(p: Mapping[str, Any]) -> str:
    fen = p.get("fine_fen")
    if isinstance(fen, int) and not isinstance(fen, bool):
        return f"{fen / 100:.2f}元"
    try:
        return f"{float(_t(p.get('fine_yuan')) or 0):.2f}元"
    except ValueError:
        return _t(p.get("fine_yuan"))


def signed_text(kind: str, payload: Mapping[str, Any]) -> str:
    """The exact text a signer of this record signs, shown above the pad and bound into the signature. Read
    the same from the form as typed and from the payload as recorded (texts stripped, moments to the minute),
    so that what was signed on the spot still matches when another machine replays the record."""
    p = payload
    if kind == "record_inquiry":
        person = p.get("person") if isinstance(p.get("person"), Mapping) else {}
        lines = [f"询问笔录 {_when(p.get('started_at'))}—{_when(p.get('ended_at'))} {_t(p.get('place'))}",
                 f"被询问人：{_t(person.get('name'))}"]
        qa = p.get("qa")
        for item in qa if isinstance(qa, list | tuple) else ():
            if isinstance(item, Mapping) and _t(item.get("q")):
                lines += [f"问：{_t(item.get('q'))}", f"答：{_t(item.get('a'))}"]
        lines.append(INQUIRY_CONFIRMATION)
        return "\n".join(lines)
    if kind == "record_inspection":
        return f"现场笔录 {_when(p.get('started_at'))}—{_when(p.get('ended_at'))} {_t(p.get('place'))}\n检查情况：{_t(p.get('findings'))}"
    if kind == "record_sampling":
        return (f"抽样记录 {_when(p.get('started_at'))}—{_when(p.get('ended_at'))} {_t(p.get('place'))}\n"
                f"抽样物品：{_t(p.get('items'))}，数量：{_t(p.get('quantity'))}")
    if kind == "record_preservation":
        return (f"先行登记保存证据清单 {_when(p.get('started_at'))}—{_when(p.get('ended_at'))} {_t(p.get('place'))}\n"
                f"证据：{_t(p.get('items'))}，保存地点：{_t(p.get('kept_at'))}")
    if kind == "record_simple_decision":
        return (f"当场行政处罚决定书 {_t(p.get('form_no'))}\n违法事实：{_t(p.get('facts'))}\n处罚依据：{_t(p.get('basis'))}\n"
                f"罚款：{_fen(p)}")
    if kind == "serve_document":
        return f"送达回证：{_t(p.get('document'))}，受送达人：{_t(p.get('recipient'))}"  # the day signed is the entry's own
    if kind == "record_statement":
        return f"陈述申辩笔录\n陈述申辩人：{_t(p.get('by'))}\n{_t(p.get('content'))}"
    if kind == "hold_hearing":
        return f"听证笔录 {_when(p.get('on'))}\n{_t(p.get('transcript'))}"
    return ""


def read_signatures(raw: Any, *, kind: str, payload: Mapping[str, Any], evidence: Iterable[str],
                    audiovisual: Iterable[str]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The signature entries of a form, cleaned, and the problems as (field, message). ``evidence``: the SHA-256
    of the case's evidence files (a scan must be one); ``audiovisual``: those of kind audio-visual (a refusal
    may rest on one instead of a witness)."""
    problems: list[tuple[str, str]] = []
    if raw in (None, ""):
        return [], []
    if not isinstance(raw, list | tuple):
        return [], [("signatures", "签名应为列表")]
    evidence, audiovisual = set(evidence), set(audiovisual)
    digest = text_digest(signed_text(kind, payload))
    out = []
    for n, entry in enumerate(raw, 1):
        where = f"signatures.{n}"
        if not isinstance(entry, Mapping):
            problems.append((where, f"第{n}个签名应为 JSON 对象"))
            continue
        signer, how, name = entry.get("signer"), entry.get("how"), entry.get("name")
        if signer not in SIGNER_ZH:
            problems.append((where, f"第{n}个签名的签名人身份无效（{'、'.join(SIGNER_ZH)}）"))
            continue
        label = SIGNER_ZH[signer]
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            problems.append((where, f"{label}的签名须写明姓名"))
            continue
        clean: dict[str, Any] = {"signer": signer, "name": name.strip(), "how": how}
        if how == "handwritten":
            problem = _handwritten(entry, digest, clean)
        elif how == "scanned":
            sha = entry.get("evidence")
            problem = "" if isinstance(sha, str) and sha in evidence else "签名纸的照片或扫描件须先作为本案证据存入"
            clean["evidence"] = sha
        elif how == "refused":
            problem = _refused(entry, audiovisual, clean)
        else:
            problem = f"签名方式应为{'、'.join(HOW_ZH.values())}之一"
        if problem:
            problems.append((where, f"{label}{name.strip()}：{problem}"))
        else:
            out.append(clean)
    return out, problems


def _handwritten(entry: Mapping[str, Any], digest: str, clean: dict[str, Any]) -> str:
    png, sha, strokes = entry.get("png"), entry.get("png_sha256"), entry.get("strokes")
    if entry.get("text_sha256") != digest:
        return "签名时所见的文字与本记录的内容不符：内容在签名后有改动，须重新签名"
    if not isinstance(png, str) or not isinstance(sha, str):
        return "手写签名缺少签名图像"
    try:
        data = base64.b64decode(png, validate=True)
    except (binascii.Error, ValueError):
        return "签名图像不是有效的 base64"
    if len(data) > MAX_PNG_BYTES or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "签名图像应为不超过 256 KB 的 PNG"
    if hashlib.sha256(data).hexdigest() != sha:
        return "签名图像与其摘要不符"
    points = _points(strokes)
    if points is None:
        return "签名笔迹无效（应为笔画列表，每点为 x、y、压力、毫秒）"
    if points == 0:
        return "签名为空：请在签名区书写"
    at = entry.get("at")
    if not isinstance(at, str) or _moment(at) is None:
        return "手写签名须记录签名时间"
    clean.update({"png": png, "png_sha256": sha, "strokes": strokes, "text_sha256": digest, "at": at})
    return ""


def _points(strokes: Any) -> int | None:
    """How many points the strokes hold, or None unless each stroke is a list of [x, y, pressure, ms] numbers
    (read in bulk: a signature has hundreds of points and a bundle thousands of signatures)."""
    # every check a map over C builtins: a bundle or a hub's round reads millions of numbers
    if type(strokes) is not list or not set(map(type, strokes)) <= {list}:
        return None
    points = list(chain.from_iterable(strokes))
    if len(points) > MAX_POINTS or not set(map(type, points)) <= {list} or not set(map(len, points)) <= {4}:
        return None
    values = list(chain.from_iterable(points))
    if not set(map(type, values)) <= {int, float}:  # (bool is not int here: type(True) is bool)
        return None
    if values and not _small(values):
        return None
    return len(points)


def _small(values: list[int | float]) -> bool:
    """Whether every value is finite and below 10⁷ in size. The norm of them all is one C call: below the bound,
    so is each (and none is infinite or NaN, which make it so or NaN); only a signature whose norm is not is read
    value by value (a long one whose times run into the thousands of milliseconds, or a bad one)."""
    try:
        if math.hypot(*values) < 1e7:
            return True
    except OverflowError:  # an integer past any float: too large
        return False
    return all(map(math.isfinite, values)) and max(map(abs, values)) < 1e7


def _refused(entry: Mapping[str, Any], audiovisual: set[str], clean: dict[str, Any]) -> str:
    at, reason, witness, av = entry.get("at"), entry.get("reason"), entry.get("witness", ""), entry.get("av_evidence", "")
    if not isinstance(at, str) or _moment(at) is None:
        return "拒绝签名须注明时间"
    if not isinstance(reason, str) or not reason.strip():
        return "拒绝签名须注明情况（当事人所述理由）"
    witness = witness.strip() if isinstance(witness, str) else ""
    av = av if isinstance(av, str) and av in audiovisual else ""
    if not witness and not av:
        return "拒绝签名的，应由见证人签名或者以录音录像记录（须写明见证人，或选择本案的视听资料）"
    clean.update({"at": at, "reason": reason.strip(), "witness": witness, "av_evidence": av})
    return ""


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def missing_signers(kind: str, payload: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """The signers a record of ``kind`` needs (:func:`signer_rules`) that ``entries`` do not cover, in Chinese."""
    rule = signer_rules().get(kind)
    if rule is None or not rule.applies(payload):
        return []
    have: dict[str, int] = {}
    for e in entries:
        have[e["signer"]] = have.get(e["signer"], 0) + 1
    missing = [f"{SIGNER_ZH[role]}{'（' + str(count) + '人）' if count > 1 else ''}" for role, count in rule.required
               if have.get(role, 0) < count]
    if rule.one_of and not any(have.get(r) for r in rule.one_of):
        missing.append("或".join(SIGNER_ZH[r] for r in rule.one_of))
    return missing


def describe(entry: Mapping[str, Any]) -> str:
    """How the case file prints an entry that has no image on the page (a scan is printed as evidence)."""
    who = f"{SIGNER_ZH.get(entry.get('signer', ''), '')}{entry.get('name', '')}"
    if entry.get("how") == "refused":
        basis = f"见证人：{entry['witness']}" if entry.get("witness") else "已录音录像"
        return f"{who}拒绝签名（{str(entry.get('at', ''))[:16].replace('T', ' ')}，{entry.get('reason', '')}；{basis}）"
    if entry.get("how") == "scanned":
        return f"{who}：已在纸质笔录上签名，扫描件见证据 {str(entry.get('evidence', ''))[:12]}…"
    return f"{who}："


def draw_png(strokes: Sequence[Sequence[Sequence[float]]], width: int = 480, height: int = 160) -> bytes:
    """The strokes (points x, y, pressure 0–1, ms) drawn black on white into a greyscale PNG of ``width`` ×
    ``height``: the image a signature prints as. Pure Python, so the client, the demo and any machine that
    checks a record draw the same image from the same strokes."""
    import struct
    import zlib

    pixels = bytearray(b"\xff" * (width * height))

    def dot(x: float, y: float, r: int) -> None:
        cx, cy = int(round(x)), int(round(y))
        for yy in range(max(0, cy - r), min(height, cy + r + 1)):
            for xx in range(max(0, cx - r), min(width, cx + r + 1)):
                if (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r:
                    pixels[yy * width + xx] = 0

    for stroke in strokes:
        for a, b in zip(stroke, stroke[1:], strict=False):
            steps = max(1, int(max(abs(b[0] - a[0]), abs(b[1] - a[1]))))
            for i in range(steps + 1):
                t = i / steps
                pressure = a[2] + (b[2] - a[2]) * t
                dot(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, 1 + int(2 * max(0.0, min(1.0, pressure))))
        if len(stroke) == 1:
            dot(stroke[0][0], stroke[0][1], 2)
    rows = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def handwritten_entry(kind: str, payload: Mapping[str, Any], signer: str, name: str,
                      strokes: Sequence[Sequence[Sequence[float]]], at: str, png: bytes | None = None) -> dict[str, Any]:
    """A drawn signature's entry: the strokes, their PNG (drawn here unless the pad gives one) and the digest of
    the text the signer saw (:func:`signed_text` of ``payload``)."""
    image = png if png is not None else draw_png(strokes)
    return {"signer": signer, "name": name, "how": "handwritten", "png": base64.b64encode(image).decode(),
            "png_sha256": hashlib.sha256(image).hexdigest(), "strokes": [[list(p) for p in s] for s in strokes],
            "text_sha256": text_digest(signed_text(kind, payload)), "at": at}


def scribble(name: str, seed: int = 0) -> list[list[list[float]]]:
    """Strokes that look like a quick signature of ``name`` (for demonstration data): one loop per character."""
    import math

    strokes = []
    x = 30.0 + (seed % 7) * 3
    for n, ch in enumerate(name):
        points = []
        phase = (ord(ch) + seed) % 17 / 17 * math.pi
        for i in range(40):
            t = i / 39
            points.append([round(x + 60 * t + 12 * math.sin(2 * math.pi * t * 2 + phase), 1),
                           round(80 + 35 * math.sin(2 * math.pi * t + phase) * (1 - 0.3 * n / max(1, len(name))), 1),
                           round(0.35 + 0.5 * math.sin(math.pi * t), 2), int(n * 600 + t * 500)])
        strokes.append(points)
        x += 75
    return strokes
