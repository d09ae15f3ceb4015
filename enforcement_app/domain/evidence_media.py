"""What an evidence file is: its media type, whether it is a picture or a recording, the kind of evidence it is
registered as unless the officer says otherwise, and which recorded steps an audio or video recording may be of.

The media type is read from the file's name by a table of our own before the platform's ``mimetypes`` (which on
Windows comes from the registry and differs between machines, and does not know ``.amr``, the format of most
Chinese phones' call and voice recordings): the type is part of the evidence record, so the same file is
registered alike everywhere.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from pathlib import PurePath

from .case import CaseState

MEDIA_TYPES = {
    # pictures: a phone's camera (JPEG, HEIC/HEIF), a screenshot (PNG), a scanner (TIFF)
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".heic": "image/heic", ".heif": "image/heif",
    ".webp": "image/webp", ".gif": "image/gif", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
    # sound: a recorder pen or a phone's voice memo and call recording
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".wav": "audio/wav", ".amr": "audio/amr", ".aac": "audio/aac",
    ".flac": "audio/flac", ".ogg": "audio/ogg", ".wma": "audio/x-ms-wma",
    # video: a body camera (执法记录仪: MP4, MOV, AVI), a phone, a surveillance export
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".avi": "video/x-msvideo", ".3gp": "video/3gpp",
    ".mkv": "video/x-matroska", ".wmv": "video/x-ms-wmv", ".mpg": "video/mpeg", ".mpeg": "video/mpeg", ".ts": "video/mp2t",
    # documents
    ".pdf": "application/pdf",
}
UNKNOWN = "application/octet-stream"


def media_type_of(name: str | PurePath) -> str:
    """The media type of a file by its name's suffix: :data:`MEDIA_TYPES`, else the platform's guess, else
    ``application/octet-stream``."""
    suffix = PurePath(name).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or UNKNOWN


def is_picture(media_type: str) -> bool:
    return str(media_type).startswith("image/")


def is_recording(media_type: str) -> bool:
    """An audio or a video recording (音像记录)."""
    return str(media_type).startswith(("audio/", "video/"))


def default_kind(media_type: str) -> str:
    """The kind of evidence (``labels.EVIDENCE_KIND_ZH``) a file is registered as unless the officer chooses
    another, by what the file is.

    - A picture is ``photo`` (照片). 行政处罚法第四十六条 names no photographs: a photo shows a document or a thing
      whose original cannot be filed (最高人民法院关于行政诉讼证据若干问题的规定第十条、第十一条: 书证、物证 may be given
      as 照片), and what makes it evidence is when, where and by whom it was taken and what it proves, which the
      ``photo`` kind asks and the case file prints beside it on the 证据照片 sheet. A picture of a document is 书证
      when the officer says so (a contract, a delivery note photographed): the kind is theirs to change.
    - A sound or video recording is ``audiovisual`` (视听资料, 第四十六条; the rules above, 第十二条: 录音、录像 with
      its making, time, maker and what it proves), whether it records the scene or a step of the procedure.
    - Anything else (a PDF, a spreadsheet, a scan in another format) is ``documentary`` (书证), the usual kind of
      what an officer files as a document.
    """
    if is_picture(media_type):
        return "photo"
    if is_recording(media_type):
        return "audiovisual"
    return "documentary"


AV_RECORDED_KINDS = ("record_simple_decision", "record_inspection", "record_inquiry", "record_sampling", "record_preservation",
                     "serve_document", "record_statement", "hold_hearing")
"""The steps an audio or video recording may be the record of (音像记录, 执法全过程记录): the ones taken in the presence
of the party or others, on the spot or in the agency's rooms — a decision on the spot, an inspection, an inquiry,
sampling, preservation, serving a document, taking a statement, a hearing. The others (a filing approval, a
review, a decision signed in the office) are recorded in writing and signed, not filmed."""


def recordings(state: CaseState) -> dict[str, list[str]]:
    """The audio and video recordings of each step, by the step's event hash: the SHA-256 of every evidence item
    registered as its recording (``av_record_of``), after those the step's own record lists (``av_records``),
    in the order they were recorded, each once."""
    out: dict[str, list[str]] = {}

    def add(step_hash: str, shas: Iterable[str]) -> None:
        listed = out.setdefault(step_hash, [])
        listed.extend(s for s in shas if s and s not in listed)

    for step in state.steps:
        if step.payload.get("av_records"):
            add(step.hash, step.payload["av_records"])
    for item in state.evidence:
        for step_hash in item.get("av_record_of") or ():
            add(str(step_hash), [str(item.get("sha256", ""))])
    return out


def recorded_steps(item: Mapping) -> tuple[str, ...]:
    """The steps (event hashes) an evidence item was registered as the recording of; none for items before the
    key existed, or that record no step."""
    return tuple(str(h) for h in item.get("av_record_of") or ())
