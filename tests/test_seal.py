"""The agency's electronic seal (电子印章): an image the administrator sets with the agency's particulars, printed
over the agency's name on the documents it issues, only in a case file the agency's key signs; "（印章）" for a
paper stamp otherwise. Real PDFs read back."""

from __future__ import annotations

import base64
import dataclasses
import io
import re

import pytest
import steps
from PIL import Image, ImageDraw
from pypdf import PdfReader
from test_client import clients, settle  # noqa: F401 - the client's fixture and its wait

from enforcement_app.casefile import render_case_file
from enforcement_app.cli.main import main as cli
from enforcement_app.domain.refusals import InvalidInput


def seal_png(size: int = 400, transparent: bool = True) -> bytes:
    im = Image.new("RGBA" if transparent else "RGB", (size, size), (0, 0, 0, 0) if transparent else "white")
    draw = ImageDraw.Draw(im)
    draw.ellipse((8, 8, size - 8, size - 8), outline=(200, 20, 20, 255), width=size // 25)
    draw.regular_polygon((size / 2, size / 2, size / 6), 5, fill=(200, 20, 20, 255))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


class _Pages:
    def __init__(self, pages):
        self.pages = pages

    @property
    def images(self) -> list:
        return [image for page in self.pages for image in page.images]


def _decision_page(rendered) -> tuple[str, _Pages]:
    """The 行政处罚决定书's text and pages (from its bookmark to the next document's)."""
    reader = PdfReader(io.BytesIO(rendered.pdf))
    starts = [(reader.get_destination_page_number(i), i.title) for i in reader.outline]
    n = next(k for k, (_page, title) in enumerate(starts) if title == "行政处罚决定书")
    pages = reader.pages[starts[n][0]:starts[n + 1][0]]
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pages)), _Pages(pages)


def test_a_signed_file_carries_the_seal_over_the_agencys_name_and_paper_keeps_the_stamp_line(world, tmp_path):
    case_id, _hashes = steps.closed_case(world, tmp_path)
    before_text, before = _decision_page(render_case_file(world.as_(world.evaluator).case_file_data(case_id)))
    assert "（印章）" in before_text  # no seal configured: stamped on paper
    world.as_(world.admin).set_agency({"seal_png": base64.b64encode(seal_png()).decode()})
    assert world.services.verify().ok  # the seal is part of the agency's record, rebuilt and compared
    data = world.as_(world.evaluator).case_file_data(case_id)
    assert data.signer is not None  # the file is signed with the agency's key: the image is a seal
    text, page = _decision_page(render_case_file(data))
    assert "（印章）" not in text and "惠州仲恺高新技术产业开发区市场监督管理局" in text
    assert len(page.images) == len(before.images) + 1  # the seal image, over the name
    last = re.sub(r"\s+", "", page.pages[-1].extract_text())
    assert "如不服本决定" in last  # the seal and date never stand alone on a page: the last paragraph goes with them
    paper_text, paper = _decision_page(render_case_file(dataclasses.replace(data, paper_seal=True)))
    assert "（印章）" in paper_text and len(paper.images) == len(before.images)
    unsigned_text, _ = _decision_page(render_case_file(dataclasses.replace(data, signer=None)))
    assert "（印章）" in unsigned_text  # an image in an unsigned file would prove nothing


@pytest.mark.parametrize("bad, why", [
    (b"not a png", "PNG"),
    (seal_png(transparent=False), "透明"),
    (seal_png(size=60), "边长"),
])
def test_a_seal_image_that_would_not_do_is_refused_and_nothing_is_recorded(world, bad, why):
    before = world.services.agency()
    with pytest.raises(InvalidInput, match=why):
        world.as_(world.admin).set_agency({"seal_png": base64.b64encode(bad).decode()})
    assert world.services.agency() == before and world.services.agency().seal_png == before.seal_png


def test_only_an_administrator_sets_the_seal_from_the_command_line(world, tmp_path, capsys, monkeypatch):
    from conftest import password_of

    path = tmp_path / "seal.png"
    path.write_bytes(seal_png())
    db = str(world.services.path)
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", password_of(world.admin.login))
    world.services.close()
    assert cli(["--db", db, "--user", world.admin.login, "seal", "set", str(path)]) == 0
    assert "已设置电子印章图片" in capsys.readouterr().out
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", password_of(world.officer_a.login))
    assert cli(["--db", db, "--user", world.officer_a.login, "seal", "clear"]) != 0


def test_the_administrator_sets_the_seal_from_the_admin_page(world, clients, qtbot, tmp_path):  # noqa: F811 - the fixture imported
    from PySide6.QtWidgets import QPushButton

    worker, window, _ = clients("admin", "admin-pass-1")
    window.show_page("admin")
    page = window.admin
    assert page.findChild(QPushButton, "set_seal") is not None
    opaque = tmp_path / "opaque.png"
    opaque.write_bytes(seal_png(transparent=False))
    page.set_seal(str(opaque))
    settle(qtbot, worker)
    assert "透明背景" in page.output.toPlainText()
    good = tmp_path / "seal.png"
    good.write_bytes(seal_png())
    page.set_seal(str(good))
    settle(qtbot, worker)
    assert f"{len(seal_png()) // 1024} KB" in page.output.toPlainText()  # the client reports what it set (in either language)
    world.services.refresh()
    assert world.services.agency().seal_image == seal_png()
