"""Audio and video recordings as evidence: stored and hashed on intake like any file, whatever their size, typed
by a table of our own (an ``.amr`` voice memo is audio on every machine), and linked to the step they record
(音像记录) by a key the evidence record gained later, which older records simply lack."""

from __future__ import annotations

import hashlib
import io
import os
import re
import wave

import pytest
import steps
from pypdf import PdfReader

from enforcement_app.casefile import render_documents
from enforcement_app.domain.evidence_media import default_kind, media_type_of, recordings
from enforcement_app.domain.procedure import payload_of
from enforcement_app.domain.refusals import RuleViolation
from enforcement_app.store.evidence import CHUNK


@pytest.fixture
def case(world):
    return steps.investigated(world, world.company)


def _wav(path, seconds: float = 1.5, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(os.urandom(int(seconds * rate) * 2))


def _recording(world, **more) -> dict:
    return {"kind": "audiovisual", "description": "询问过程录音", "source": "执法记录仪", "collected_by": [world.officer_a.id],
            "collected_at": "2025-03-05T10:40", **more}


def _step(world, case_id, kind):
    return next(s for s in world.services.current_state(case_id).steps if s.kind == kind)


@pytest.mark.parametrize(("name", "media_type"), [("memo.amr", "audio/amr"), ("call.m4a", "audio/mp4"), ("pen.mp3", "audio/mpeg"),
                                                  ("talk.wav", "audio/wav"), ("cam.mp4", "video/mp4"), ("cam.MOV", "video/quicktime"),
                                                  ("old.avi", "video/x-msvideo")])
def test_an_audio_or_video_file_is_stored_under_its_sha256_as_a_recording(world, case, tmp_path, name, media_type):
    path = tmp_path / name
    data = os.urandom(4096)
    path.write_bytes(data)
    sha = world.as_(world.officer_a).add_evidence(case, path, _recording(world))
    assert sha == hashlib.sha256(data).hexdigest()  # computed here, apart from the store's own hashing
    item = world.services.current_state(case).evidence[-1]
    assert (item["media_type"], item["size"], item["original_name"]) == (media_type, len(data), name)
    assert default_kind(media_type) == "audiovisual"
    assert world.services.evidence.path_for(sha).read_bytes() == data


def test_a_big_recording_is_streamed_in_and_hashed_whole(world, case, tmp_path):
    """The store copies in chunks (no size limit, nothing read whole into memory); a file of several chunks and
    a few bytes more is stored and hashed exactly."""
    path = tmp_path / "bodycam.mp4"
    with open(path, "wb") as out:
        digest = hashlib.sha256()
        for _ in range(3):
            block = os.urandom(CHUNK)
            digest.update(block)
            out.write(block)
        tail = os.urandom(17)
        digest.update(tail)
        out.write(tail)
    sha = world.as_(world.officer_a).add_evidence(case, path, _recording(world, description="现场执法记录仪录像"))
    assert sha == digest.hexdigest()
    assert world.services.current_state(case).evidence[-1]["size"] == 3 * CHUNK + 17
    assert world.services.evidence.check(sha, 3 * CHUNK + 17) is None


def test_a_recording_names_the_steps_it_records(world, case, tmp_path):
    inquiry = _step(world, case, "record_inquiry")
    inspection = _step(world, case, "record_inspection")
    path = tmp_path / "inquiry.wav"
    _wav(path)
    sha = world.as_(world.officer_a).add_evidence(case, path, _recording(world, av_record_of=[inquiry.hash]))
    state = world.services.current_state(case)
    assert state.evidence[-1]["av_record_of"] == [inquiry.hash]
    assert recordings(state) == {inquiry.hash: [sha]}
    assert payload_of(state.steps[-1]).av_record_of == (inquiry.hash,)
    # one body-camera film of the whole visit: the inspection and the inquiry
    film = tmp_path / "visit.mp4"
    film.write_bytes(os.urandom(1024))
    both = world.as_(world.officer_a).add_evidence(case, film, _recording(world, av_record_of=[inspection.hash, inquiry.hash]))
    assert recordings(world.services.current_state(case)) == {inquiry.hash: [sha, both], inspection.hash: [both]}
    # the evidence list of the case file says what each recording is of
    pdf = render_documents(world.as_(world.officer_a).case_file_data(case), ("evidence_list",))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "（2025年3月5日询问笔录的音像记录）" in text and "（2025年3月4日现场笔录、2025年3月5日询问笔录的音像记录）" in text


def test_an_evidence_record_without_the_key_reads_as_recording_no_step(world, case, tmp_path):
    photo = tmp_path / "shelf.png"
    steps.png(photo)
    world.as_(world.officer_a).add_evidence(case, photo, steps.photo_details(world))
    step = world.services.current_state(case).steps[-1]
    assert "av_record_of" not in step.payload  # nothing named: the key is not written, the record as before
    assert payload_of(step).av_record_of == ()
    assert recordings(world.services.current_state(case)) == {}


def test_a_recording_of_a_step_outside_the_case_or_not_on_site_is_refused(world, case, tmp_path):
    other = steps.lead(world, world.person)
    steps.file(world, other)
    steps.inquire(world, other, at="2025-03-05T09:45")
    elsewhere = _step(world, other, "record_inquiry")
    filing = _step(world, case, "approve_filing")
    path = tmp_path / "memo.amr"
    path.write_bytes(os.urandom(512))
    s = world.as_(world.officer_a)
    with pytest.raises(RuleViolation) as refused:
        s.add_evidence(case, path, _recording(world, av_record_of=[elsewhere.hash]))
    assert "不是本案已记录的执法环节" in str(refused.value)
    with pytest.raises(RuleViolation) as refused:
        s.add_evidence(case, path, _recording(world, av_record_of=[filing.hash]))
    assert "批准立案" in str(refused.value)
    photo = tmp_path / "shelf.png"
    steps.png(photo)
    with pytest.raises(RuleViolation) as refused:
        s.add_evidence(case, photo, {**steps.photo_details(world), "av_record_of": [_step(world, case, "record_inquiry").hash]})
    assert "只有录音、录像文件" in str(refused.value)
    assert len(world.services.current_state(case).evidence) == 0


@pytest.mark.parametrize(("name", "kind"), [("a.jpg", "photo"), ("b.HEIC", "photo"), ("c.png", "photo"), ("d.webp", "photo"),
                                            ("e.amr", "audiovisual"), ("f.mov", "audiovisual"), ("g.pdf", "documentary"),
                                            ("h.docx", "documentary")])
def test_the_default_kind_follows_what_the_file_is(name, kind):
    assert default_kind(media_type_of(name)) == kind
