"""The evidence gallery of a case, driven through the widgets: tiles in the order the evidence came to be, with
thumbnails made off the GUI thread and cached by SHA-256; a double-click opens a picture at full size in a viewer
that fits the screen, a recording in the system's player; recordings dropped with photos are registered on a form
of their own, hashed and linked to the step they record."""

# ruff: noqa: F811 - the fixtures of test_client are imported, then asked for by name
from __future__ import annotations

import hashlib
import os
import threading
import wave
from pathlib import Path

import pytest
import steps
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QDesktopServices, QImage
from test_client import chinese, clients, set_moment, settle, submit, type_into  # noqa: F401 - fixtures

from enforcement_app.ui.gallery import THUMBNAIL, fitted, thumbnails, viewer_size

pytestmark = pytest.mark.gui


@pytest.fixture
def fresh_thumbnails(qapp):
    """The program's thumbnail cache emptied, and every thumbnail made noted with the thread that made it."""
    pool = thumbnails()
    pool.wait()
    pool.cache.clear()
    made: list[tuple[str, threading.Thread]] = []
    real = pool.make

    def noting(path, media_type):
        made.append((Path(path).name, threading.current_thread()))
        return real(path, media_type)

    pool.make = noting
    yield made
    pool.wait()
    pool.make = real


def _picture(path: Path, width: int, height: int, color: str) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    assert image.save(str(path))
    return path.read_bytes()


def _wav(path: Path, seconds: float = 1.6, rate: int = 8000) -> bytes:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(os.urandom(int(seconds * rate) * 2))
    return path.read_bytes()


def _case(world):
    return steps.investigated(world, world.company)


def _open(qtbot, clients, case_id, login="zhangming"):
    worker, window, _ = clients(login)
    window.show_case(case_id)
    settle(qtbot, worker)
    window.workspace.tabs.setCurrentIndex(1)
    qtbot.wait(10)
    return worker, window


def _tile_center(gallery, row: int):
    gallery.scrollToItem(gallery.item(row))
    return gallery.visualItemRect(gallery.item(row)).center()


def _painted(qtbot, gallery, row: int, dy: int, dx: int = 0) -> str:
    """The colour painted at (dx, dy) from the middle of a tile, the tile scrolled into view."""
    center = _tile_center(gallery, row)
    qtbot.wait(30)
    return gallery.viewport().grab().toImage().pixelColor(center.x() + dx, center.y() + dy).name()


def test_tiles_in_time_order_with_thumbnails_made_off_the_gui_thread_and_cached(world, clients, qtbot, tmp_path, fresh_thumbnails):
    case_id = _case(world)
    s = world.as_(world.officer_a)
    shots = {"late.png": ("2025-03-04T10:40", 800, 600, "#c62828"), "early.png": ("2025-03-04T10:05", 600, 900, "#1565c0")}
    for name, (taken, w, h, color) in shots.items():  # registered late first
        _picture(tmp_path / name, w, h, color)
        s.add_evidence(case_id, tmp_path / name, {**steps.photo_details(world), "description": name, "taken_at": taken,
                                                  "collected_at": "2025-03-04T11:00"})
    (tmp_path / "note.pdf").write_bytes(b"%PDF-1.4\n%" + os.urandom(64))
    s.add_evidence(case_id, tmp_path / "note.pdf", {"kind": "documentary", "description": "note.pdf", "source": "当事人提供",
                                                    "collected_by": [world.officer_a.id], "collected_at": "2025-03-04T10:20"})
    # the order the evidence came to be, read here from the record: a photo by when it was taken, else when collected
    recorded = world.services.current_state(case_id).evidence
    expected = [e["description"] for e in sorted(recorded, key=lambda e: e.get("taken_at") or e["collected_at"])]
    assert expected == ["early.png", "note.pdf", "late.png"]

    worker, window = _open(qtbot, clients, case_id)
    gallery = window.workspace.evidence
    assert [t.description for t in gallery.tiles] == expected
    assert [gallery.item(n).data(Qt.ItemDataRole.UserRole).description for n in range(gallery.count())] == expected
    qtbot.waitUntil(lambda: all(gallery.thumbnails.get(t.sha256) is not None for t in gallery.tiles if t.picture), timeout=10_000)
    gui = threading.main_thread()
    assert sorted(name for name, _ in fresh_thumbnails) == sorted(world.services.evidence.path_for(t.sha256).name
                                                                 for t in gallery.tiles if t.picture)
    assert all(thread is not gui for _, thread in fresh_thumbnails)  # made in the pool, not on the GUI thread
    early = gallery.thumbnails.get(gallery.tiles[0].sha256)
    assert early.image.size() == QSize(600, 900).scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio)
    assert early.original == QSize(600, 900)
    # the tiles paint the thumbnails: the middle of the first tile's picture is the blue photo, the third's the red one
    for row, color in ((0, "#1565c0"), (2, "#c62828")):
        assert _painted(qtbot, gallery, row, -40) == color
    assert "note.pdf" in gallery.item(1).toolTip() and "当事人提供" not in gallery.item(1).toolTip()
    assert "张明" in gallery.item(1).toolTip()  # the collector, by name

    made = len(fresh_thumbnails)
    window.workspace.reload()  # the case shown again: the thumbnails come from the cache, by SHA-256
    settle(qtbot, worker)
    gallery.thumbnails.wait()
    qtbot.wait(20)
    assert len(fresh_thumbnails) == made


def test_double_click_opens_the_picture_at_full_size_fitted_to_the_screen(world, clients, qtbot, tmp_path, fresh_thumbnails):
    case_id = _case(world)
    _picture(tmp_path / "wide.png", 3000, 750, "#2e7d32")
    world.as_(world.officer_a).add_evidence(case_id, tmp_path / "wide.png", {**steps.photo_details(world), "description": "货架全景"})
    worker, window = _open(qtbot, clients, case_id)
    gallery = window.workspace.evidence
    qtbot.waitUntil(lambda: gallery.thumbnails.get(gallery.tiles[0].sha256) is not None, timeout=10_000)
    qtbot.mouseDClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=_tile_center(gallery, 0))
    viewer = window.workspace.viewer
    assert viewer is not None and viewer.isVisible() and "货架全景" in viewer.windowTitle()
    qtbot.waitUntil(lambda: viewer.loaded is not None, timeout=10_000)
    assert viewer.loaded.size() == QSize(3000, 750)  # the file itself, not its thumbnail
    screen = viewer.screen().availableGeometry()
    assert screen.contains(viewer.frameGeometry()), (screen, viewer.frameGeometry())
    shown, area = viewer.view.shown_rect(), viewer.view.rect()
    assert area.contains(shown)  # never cropped
    assert abs(shown.width() / shown.height() - 4.0) < 0.02  # proportions kept
    assert shown.width() >= area.width() - 10  # as large as the window allows
    assert "3000×750" in viewer.status.text()


@pytest.mark.parametrize("screen", [QSize(1366, 768), QSize(1366, 728), QSize(1920, 1080), QSize(1280, 720)])
@pytest.mark.parametrize("picture", [QSize(4032, 3024), QSize(3024, 4032), QSize(64, 48), QSize(8000, 500), QSize()])
def test_the_viewer_and_its_picture_fit_the_screen(screen, picture):
    size = viewer_size(screen, picture)
    assert size.width() <= screen.width() - 40 and size.height() <= screen.height() - 60  # room for the frame and title
    area = QRect(0, 0, size.width() - 40, size.height() - 130)
    if picture.isValid():
        shown = fitted(picture, area)
        assert area.contains(shown)
        ratio = picture.width() / picture.height()  # proportions kept, to the pixel
        assert abs(shown.height() - shown.width() / ratio) <= 1 or abs(shown.width() - shown.height() * ratio) <= 1
        assert shown.width() == min(area.width(), picture.width()) or shown.height() == min(area.height(), picture.height())


def test_recordings_dropped_with_photos_are_registered_on_their_own_form_hashed_and_linked(world, clients, qtbot, tmp_path,
                                                                                          fresh_thumbnails, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    case_id = _case(world)
    inquiry = next(st for st in world.services.current_state(case_id).steps if st.kind == "record_inquiry")
    photo_bytes = _picture(tmp_path / "shelf.jpg", 640, 480, "#ff8f00")
    sound = _wav(tmp_path / "询问录音.wav")
    worker, window = _open(qtbot, clients, case_id)
    photo_form = window.workspace.add_evidence([str(tmp_path / "shelf.jpg"), str(tmp_path / "询问录音.wav")])  # as a drop does
    assert photo_form.inputs["kind"].currentData() == "photo" and "av_record_of" not in [f.key for f in photo_form.fields if photo_form.shown(f)]
    set_moment(photo_form, "collected_at", "2025-03-05T11:00")
    type_into(qtbot, photo_form, "taken_at", "2025-03-04 10:20")
    type_into(qtbot, photo_form, "taken_place", "店内货架")
    type_into(qtbot, photo_form, "proves", "货架上陈列过期酸奶")
    submit(qtbot, window, photo_form)
    sound_form = window.workspace.evidence_dialog
    assert sound_form is not photo_form and sound_form.isVisible() and "询问录音.wav" in sound_form.windowTitle()
    assert sound_form.inputs["kind"].currentData() == "audiovisual"
    offered = sound_form.inputs["av_record_of"]
    assert [offered.item(i).data(Qt.ItemDataRole.UserRole) for i in range(offered.count())] == [
        st.hash for st in world.services.current_state(case_id).steps if st.kind in ("record_inspection", "record_inquiry")]
    for i in range(offered.count()):
        if offered.item(i).data(Qt.ItemDataRole.UserRole) == inquiry.hash:
            offered.item(i).setCheckState(Qt.CheckState.Checked)
    set_moment(sound_form, "collected_at", "2025-03-05T10:35")
    submit(qtbot, window, sound_form)

    recorded = world.services.current_state(case_id).evidence
    assert [e["sha256"] for e in recorded] == [hashlib.sha256(photo_bytes).hexdigest(), hashlib.sha256(sound).hexdigest()]
    assert recorded[1]["kind"] == "audiovisual" and recorded[1]["media_type"] == "audio/wav"
    assert recorded[1]["av_record_of"] == [inquiry.hash] and "av_record_of" not in recorded[0]

    gallery = window.workspace.evidence
    audio = next(n for n, t in enumerate(gallery.tiles) if t.recording)
    assert "询问调查" in gallery.tiles[audio].records
    qtbot.waitUntil(lambda: gallery.thumbnails.get(gallery.tiles[audio].sha256) is not None, timeout=10_000)
    assert gallery.thumbnails.get(gallery.tiles[audio].sha256).duration == pytest.approx(1.6)
    assert _painted(qtbot, gallery, audio, -100, -80) == "#263238"  # the dark tile of a recording
    window.grab().save("/tmp/gallery-test.png")
    center = _tile_center(gallery, audio)
    qtbot.mouseDClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    played = Path(opened[0].toLocalFile())
    assert played.suffix == ".wav" and played.read_bytes() == sound  # a copy the player knows by its suffix
    assert window.workspace.viewer is None  # a recording is not a picture
    assert "询问录音.wav" in window.workspace.message.text()


def test_a_heic_photo_is_taken_as_a_photo_with_a_warning_that_it_shows_nowhere(world, clients, qtbot, tmp_path):
    case_id = _case(world)
    (tmp_path / "IMG_0001.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic" + os.urandom(256))
    _worker, window = _open(qtbot, clients, case_id)
    form = window.workspace.add_evidence([str(tmp_path / "IMG_0001.HEIC")])
    assert form.inputs["kind"].currentData() == "photo"
    assert form.status.isVisible() and "HEIC" in form.status.text() and "JPEG" in form.status.text()
