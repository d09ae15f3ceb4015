"""The case file's typography read back from the PDFs: a face per role (titles, text, headings, hashes), each
embedded; no text drawn below 10.5 pt, the text matrix and the transformations included; every character
drawn in a face that has its glyph, also in the demo's case files; the cover's and the contents' items;
the QR code never on a page without the chain head it encodes; how the faces are found and overridden."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pytest
import steps
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Spacer

from enforcement_app.casefile import documents, fonts, render_case_file, render_documents
from enforcement_app.casefile.documents import MIN_SIZE, PAGE_HEIGHT, PAGE_WIDTH, Styles
from enforcement_app.casefile.fonts import Role, find_font

LINUX_FACES = {  # the faces .ci/run installs, and the PostScript name each shows in the PDF
    Role.TITLE: ("/usr/share/fonts/truetype/arphic/uming.ttc", "UMingCN"),
    Role.BODY: ("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", "LXGWWenKai-Regular"),
    Role.HEADING: ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYiZenHei"),
}
with_ci_fonts = pytest.mark.skipif(not all(Path(p).is_file() for p, _ in LINUX_FACES.values()),
                                   reason="the Linux CJK fonts of .ci/run are not installed")


@pytest.fixture
def exported(world, tmp_path):
    case_id, _hashes = steps.closed_case(world, tmp_path)
    data = world.as_(world.evaluator).case_file_data(case_id)
    rendered = render_case_file(data)
    return data, rendered, PdfReader(io.BytesIO(rendered.pdf))


def _runs(page) -> list[tuple[str, str, float]]:
    """(text, font, size as drawn in points) of each text run of a page, forms included. The size is the Tf
    size scaled by the text matrix and the current transformation (the length of the text space's y axis)."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() and font_dict is not None:
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]  # (tm × cm) applied to the unit y vector
            found.append((text, str(font_dict.get("/BaseFont", "")), font_size * math.hypot(c, d)))

    page.extract_text(visitor_text=visit)
    return found


def _smallest(pdf: bytes) -> tuple[float, str]:
    return min(((size, text) for page in PdfReader(io.BytesIO(pdf)).pages for text, _f, size in _runs(page)), default=(math.inf, ""))


def _embedded_faces(reader) -> dict[str, bool]:
    """BaseFont (without the subset tag) -> whether its outlines are embedded as TrueType (FontFile2)."""
    out: dict[str, bool] = {}
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            descriptors = [d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [font])]
            name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            out[name] = out.get(name, False) or any(d is not None and "/FontFile2" in d.get_object() for d in descriptors)
    return out


def _psname(font: str) -> str:
    """``/AAAAAB+UMingCN-0`` -> ``UMingCN``: reportlab names a subset after the face and the subset's number."""
    return re.sub(r"-\d+$", "", font.lstrip("/").split("+")[-1])


# --- faces by role ---------------------------------------------------------------------------------------


@with_ci_fonts
def test_each_role_has_its_own_embedded_face_on_linux(exported):
    data, rendered, reader = exported
    font = rendered.font
    assert font.embedded and font.note == ""
    for role, (path, _name) in LINUX_FACES.items():
        assert font.faces[role].source == path, role
    assert font.faces[Role.MONO].source.endswith("wqy-zenhei.ttc#1")  # Zen Hei Mono
    drawn: dict[str, set[str]] = {}
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    for text, face, _size in _runs(reader.pages[outline["立案审批表"]]):
        drawn.setdefault(text.strip(), set()).add(_psname(face))
    assert drawn["立案审批表"] == {"UMingCN"}  # the title: 宋体
    assert drawn["案由"] == {"WenQuanYiZenHei"}  # a form's label: 黑体
    assert drawn[data.state.cause] == {"LXGWWenKai-Regular"}  # a filled-in value: the body face
    record = " ".join(t for t, f, _s in _runs(reader.pages[outline["附：全过程记录"]]) if _psname(f) == "WenQuanYiZenHeiMono")
    assert data.events[0].hash[:32] in record  # hashes: fixed-width
    embedded = _embedded_faces(reader)
    assert {"UMingCN-0", "LXGWWenKai-Regular", "WenQuanYiZenHei-0", "WenQuanYiZenHeiMono-1"} <= set(embedded)
    assert all(embedded.values()), embedded  # every face named in the file is embedded, Helvetica included (none)


def test_faces_are_distinct_and_embedded_whenever_the_platform_has_them(exported):
    _data, rendered, reader = exported
    if not rendered.font.embedded:
        pytest.skip("no TrueType CJK font on this machine")
    embedded = _embedded_faces(reader)
    assert embedded and all(embedded.values()), embedded
    names = {role: rendered.font.faces[role].source for role in Role}
    if len(set(names.values())) == len(names):
        used = {_psname(f) for page in reader.pages for _t, f, _s in _runs(page)}
        assert len(used) >= 4, used


# --- sizes -----------------------------------------------------------------------------------------------


def test_every_style_is_at_least_10_5_pt():
    styles = Styles(find_font())
    assert all(style.fontSize >= MIN_SIZE and style.leading >= style.fontSize for style in styles.all())


def test_no_text_is_drawn_below_10_5_pt(exported):
    _data, rendered, reader = exported
    sizes = [(size, text) for page in reader.pages for text, _f, size in _runs(page)]
    assert len(sizes) > 500  # the walk sees the whole file, the forms (contents, cover counts) included
    assert min(sizes)[0] >= MIN_SIZE - 0.01, min(sizes)
    assert any("件，" in text for _s, text in sizes) and any(re.fullmatch(r"\d+-\d+", t.strip()) for _s, t in sizes)


def test_the_size_check_catches_a_small_style_and_scaled_text(world, tmp_path, monkeypatch):
    """The check above can fail: a 9 pt style, text scaled by the transformation and by the text matrix."""
    case_id, _ = steps.closed_case(world, tmp_path, archive=False)
    data = world.as_(world.evaluator).case_file_data(case_id)
    monkeypatch.setattr(documents, "MIN_SIZE", 9)
    assert _smallest(render_case_file(data).pdf)[0] == pytest.approx(9, abs=0.01)
    monkeypatch.undo()
    face = find_font().name
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    canvas.setFont(face, 12)
    canvas.drawString(100, 700, "正常大小")
    canvas.saveState()
    canvas.scale(0.75, 0.75)  # cm: 12 pt drawn as 9 pt
    canvas.drawString(100, 600, "缩小的字")
    canvas.restoreState()
    text = canvas.beginText()
    text.setTextTransform(0.5, 0, 0, 0.5, 100, 500)  # Tm: 12 pt drawn as 6 pt
    text.setFont(face, 12)
    text.textOut("更小的字")
    canvas.drawText(text)
    canvas.save()
    sizes = sorted((round(s, 2), t) for page in PdfReader(buffer).pages for t, _f, s in _runs(page))
    assert [s for s, _t in sizes] == [6, 9, 12]


# --- glyphs ----------------------------------------------------------------------------------------------


def _glyph_problems(pdf: bytes, font) -> list[tuple[str, str]]:
    """(character, face) for each character drawn in a face that has no glyph for it (an empty box). reportlab
    writes such a character as glyph 0, which reads back as U+0000."""
    by_name = {fonts.pdfmetrics.getFont(f.name).face.name.decode(): f for f in font.faces.values()}
    problems = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for text, name, _size in _runs(page):
            face = by_name[_psname(name)]
            problems += [(c, _psname(name)) for c in text if c == "\x00" or c >= " " and not face.draws(c)]
    return problems


@pytest.fixture(scope="module")
def demo_case_files(tmp_path_factory):
    from enforcement_app.services import Services
    from enforcement_app.services.demo import build_demo

    services = Services(tmp_path_factory.mktemp("demo") / "demo.db")
    build_demo(services, cases=16)
    session = services.session("wuzy")
    rendered = [render_case_file(session.case_file_data(r["id"])) for r in session.list_cases() if r["stage"] != "lead"]
    services.close()
    return rendered


def test_every_character_of_the_demo_documents_is_drawn_in_a_face_that_has_it(demo_case_files):
    font = demo_case_files[0].font
    if not font.embedded:
        pytest.skip("no TrueType CJK font on this machine")
    assert len(demo_case_files) >= 10
    for rendered in demo_case_files:
        assert rendered.missing_glyphs == ""
        assert _glyph_problems(rendered.pdf, font) == []


@with_ci_fonts
def test_a_character_the_face_lacks_is_set_in_a_face_that_has_it(world, tmp_path):
    """AR PL UMing has no 𠮷 (CJK Extension B); LXGW WenKai has. With UMing as the body face, 𠮷 is drawn in
    WenKai and nowhere in UMing; ☑ no face has: it is reported."""
    title, body, heading = (LINUX_FACES[r][0] for r in (Role.TITLE, Role.BODY, Role.HEADING))
    font = find_font(f"title={body},body={title},heading={heading}")
    assert font.faces[Role.BODY].source == title and not font.faces[Role.BODY].draws("𠮷") and font.faces[Role.TITLE].draws("𠮷")
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    world.as_(world.officer_a).perform(case_id, "record_inquiry", {
        "started_at": "2025-03-05T09:30", "ended_at": "2025-03-05T10:30", "place": "询问室", "officers": [world.officer_a.id, world.officer_b.id],
        "recorder": "李华", "certificates_shown": True, "rights_notified": True, "person": {"name": "吉𠮷", "relation": "当事人"},
        "qa": [{"q": "你叫什么名字？", "a": "我叫吉𠮷，已勾选☑。"}]})
    data = world.as_(world.evaluator).case_file_data(case_id)
    pdf = render_documents(data, ("inquiry_record",), font)
    drawn = [(t, _psname(f)) for page in PdfReader(io.BytesIO(pdf)).pages for t, f, _s in _runs(page) if "𠮷" in t]
    assert drawn and all(face == "LXGWWenKai-Regular" for _t, face in drawn), drawn
    assert [c for c, _face in _glyph_problems(pdf, font)] == ["\x00"]  # only ☑ prints as a box
    assert render_case_file(data, font).missing_glyphs == "☑"
    assert font.missing("吉𠮷☑") == {"☑"}


# --- cover and contents ----------------------------------------------------------------------------------


def _flat(page) -> str:
    return re.sub(r"\s+", "", page.extract_text())


def test_the_cover_carries_the_case_the_dates_and_the_archiving(exported):
    data, rendered, reader = exported
    cover = _flat(reader.pages[0])
    state = data.state
    archived = next(s for s in state.steps if s.kind == "archive_case")
    for label, value in (("案号", state.case_no), ("案由", state.cause), ("当事人", "惠州某某食品有限公司"), ("处理结果", "没收非法财物、罚款50,000.00元"),
                         ("决定书文号", state.decision["document_no"]), ("立案日期", "2025年3月3日"), ("结案日期", "2025年3月18日"),
                         ("立卷人", data.officers[archived.actor].name), ("归档日期", f"{archived.day.year}年{archived.day.month}月{archived.day.day}日"),
                         ("保管期限", "30年"), ("档号", "20250001")):
        assert f"{label}：{value}" in cover, label
    assert cover.startswith(data.agency.name + "行政处罚案卷")
    assert f"卷内文件：本卷共{len(rendered.documents)}件，{rendered.numbered_pages}页" in cover


def test_an_unarchived_cover_leaves_the_archiving_lines_blank(world, tmp_path):
    case_id, _ = steps.closed_case(world, tmp_path, archive=False)
    reader = PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(case_id)).pdf))
    cover = _flat(reader.pages[0])
    assert "立卷人：归档日期：" in cover and "保管期限：档号：" in cover and "结案日期：2025年3月18日" in cover
    closing = _flat(reader.pages[-1])
    assert "立卷人：检查人：立卷时间：" in closing  # the note sheet too: blank ruled lines until archived


def test_an_open_case_cover_has_no_outcome_and_no_closing_date(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    cover = _flat(PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(case_id)).pdf)).pages[0])
    assert "处理结果：决定书文号：" in cover and "结案日期：立卷人：" in cover and "立案日期：2025年" in cover


def test_the_contents_has_the_archive_s_columns(exported):
    _data, _rendered, reader = exported
    assert _flat(reader.pages[1]).startswith("卷内目录序号文号责任者题名日期页号备注")


def test_contents_of_many_documents_run_over_pages_with_the_header_repeated(world, tmp_path, monkeypatch):
    from enforcement_app.casefile import render

    case_id, _ = steps.closed_case(world, tmp_path, archive=False)
    data = world.as_(world.evaluator).case_file_data(case_id)
    real = render.build_documents

    def more(d, styles):  # forty more documents than the case has, a page each
        return [*real(d, styles), *(documents.Document("inquiry_record", f"询问笔录（{n}）", "", d.state.filed_on, [Spacer(1, 1)])
                                    for n in range(2, 42))]

    monkeypatch.setattr(render, "build_documents", more)
    rendered = render_case_file(data)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    first_document = outline[2][1]
    assert first_document >= 3  # two contents pages or more
    for page in range(1, first_document):
        assert _flat(reader.pages[page]).startswith("卷内目录序号文号责任者题名日期页号备注")
    assert "询问笔录（41）" in _flat(reader.pages[first_document - 1])
    # the pages still count from the first document, and the last row points at the last numbered page
    assert rendered.documents[0][2] == 1 and rendered.documents[-1][3] == rendered.numbered_pages
    assert [t for t, _ in outline[:2]] == ["封面", "卷内目录"] and outline[1][1] == 1


# --- the QR code -----------------------------------------------------------------------------------------


def _has_qr(page) -> bool:
    """The QR code is one path of many dark rectangles (tables draw a few at most)."""
    return page.get_contents().get_data().count(b" re") > 100


def test_the_qr_code_is_never_on_a_page_without_the_chain_head(exported):
    data, _rendered, _reader = exported
    qr_pages = 0
    for gap in range(0, int(PAGE_HEIGHT * 0.7), 12):  # the record pushed down, so that the page breaks fall everywhere
        record = next(documents.Builder(data, Styles(find_font())).process_record())
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1).build([Spacer(1, gap), *record.flowables])
        for page in PdfReader(buffer).pages:
            if _has_qr(page):
                qr_pages += 1
                text = _flat(page)
                assert "记录末端（链头）" in text and data.heads[0] in text and "扫描二维码" in text, gap
    assert qr_pages == len(range(0, int(PAGE_HEIGHT * 0.7), 12))


# --- finding the faces -----------------------------------------------------------------------------------


def test_one_file_given_serves_every_role_and_role_specs_set_only_theirs():
    heading = LINUX_FACES[Role.HEADING][0]
    if not Path(heading).is_file():
        pytest.skip("WenQuanYi Zen Hei not installed")
    one = fonts.find_font.__wrapped__(heading)
    assert {f.source for f in one.faces.values()} == {heading} and one.note == ""
    some = fonts.find_font.__wrapped__(f"mono={heading}#1, heading = {heading}")
    assert some.faces[Role.MONO].source == f"{heading}#1" and some.faces[Role.HEADING].source == heading
    bad = fonts.find_font.__wrapped__(f"title=/no/such.ttf,colour={heading}")
    assert bad.embedded and "/no/such.ttf" in bad.note and "colour=" in bad.note  # said, and the system's faces used instead


def test_a_role_without_a_face_takes_another_role_s(monkeypatch):
    heading = LINUX_FACES[Role.HEADING][0]
    if not Path(heading).is_file():
        pytest.skip("WenQuanYi Zen Hei not installed")
    monkeypatch.setattr(fonts, "CANDIDATES", {p: {Role.HEADING: ((heading, 0),)} for p in ("linux", "win32", "darwin")})
    font = fonts.find_font.__wrapped__(None)
    assert {f.source for f in font.faces.values()} == {heading} and font.embedded and font.note == ""
    assert "title=" + heading in font.source and "mono=" + heading in font.source


def test_a_cff_font_is_refused(monkeypatch):
    cff = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    if not Path(cff).is_file():
        pytest.skip("Noto CJK not installed")
    monkeypatch.setattr(fonts, "CANDIDATES", {p: {} for p in ("linux", "win32", "darwin")})
    font = fonts.find_font.__wrapped__(cff)
    assert not font.embedded and cff in font.note and "不符合归档要求" in font.note


def test_the_cli_says_which_characters_print_as_boxes(world, tmp_path, capsys):
    from enforcement_app.cli.main import main as cli

    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inquire(world, case_id)
    world.as_(world.officer_a).perform(case_id, "record_inspection", {
        "started_at": "2025-03-05T10:40", "ended_at": "2025-03-05T11:00", "place": "店内", "officers": [world.officer_a.id, world.officer_b.id],
        "certificates_shown": True, "findings": "货架上的酸奶已过期☑"})
    world.services.close()
    capsys.readouterr()
    assert cli(["--db", str(world.services.path), "--user", "wuping", "export-pdf", case_id, "--out", str(tmp_path / "f.pdf")]) == 0
    if not find_font().embedded:
        pytest.skip("no TrueType CJK font on this machine")
    assert "字符 ☑ 在所用字体中均无字形" in capsys.readouterr().err


def test_without_any_truetype_face_the_file_still_renders_and_says_so(world, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATES", {p: {} for p in ("linux", "win32", "darwin")})
    font = fonts.find_font.__wrapped__(None)
    assert {f.name for f in font.faces.values()} == {fonts.CID_FONT} and not font.embedded
    case_id, _ = steps.closed_case(world, tmp_path)
    reader = PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(case_id), font).pdf))
    assert "注：本文件未嵌入字体，不符合归档要求。" in _flat(reader.pages[-1])
    assert "立卷人：" in _flat(reader.pages[0])


_CLAUSE = "当事人涉嫌违反《中华人民共和国广告法》第九条第（三）项的规定，依据第五十七条第（一）项应予行政处罚；属本机关管辖：符合立案条件！是否“最佳”？"


_LATIN = "当事人黄某（公民身份号码110105200801011234）称其销售的“ABC-1234”型产品，（No.0012）系自行生产。"


@settings(max_examples=160, deadline=None)
@given(width=st.floats(min_value=60, max_value=420), style=st.sampled_from(["cell", "body", "plain", "small", "sign"]),
       breaks=st.lists(st.integers(min_value=1, max_value=len(_LATIN) - 1), max_size=3, unique=True),
       clause=st.sampled_from([_CLAUSE, _LATIN]))
def test_no_line_starts_with_a_comma_or_a_closing_mark(width, style, breaks, clause):
    """GB/T 15834 line breaking: a line never starts with ，；：！？》” or 。、）, nor ends with “《（ — a mark hangs at
    the end of the line before, or two marks take the character before them onto the next line. With and
    without the line breaks of a record's text (reportlab wraps those through another splitter)."""
    text = "".join(c + ("\n" if i + 1 in breaks else "") for i, c in enumerate(clause))
    paragraph = documents._p(text, getattr(Styles(find_font()), style))
    paragraph.wrap(width, 10_000)
    lines = ["".join(line[1]) for line in paragraph.blPara.lines]
    assert "".join(lines) == clause  # nothing lost by the wrap
    assert all(space >= -0.01 for space, _text in paragraph.blPara.lines)  # nothing stands past the margin (a cell's border)
    offsets = [sum(len(x) for x in lines[:k]) for k in range(len(lines))]
    wrapped = [k for k in range(1, len(lines)) if offsets[k] not in breaks]  # breaks the wrap made, not the text's own
    assert not [lines[k] for k in wrapped if lines[k][:1] in documents.CANNOT_START_LINE + "。、）"], lines
    assert not [lines[k - 1] for k in wrapped if lines[k - 1][-1:] in documents.CANNOT_END_LINE], lines


def test_a_number_moves_whole_to_the_next_line():
    """执法证号 44130020210001 is not cut in two when it starts in the second half of a line."""
    text = "承办人：张明（执法证号：44130020210001）、李华（执法证号：44130020210002）"
    for width in range(120, 300, 7):
        paragraph = documents._p(text, Styles(find_font()).cell)
        paragraph.wrap(width, 10_000)
        lines = ["".join(line[1]) for line in paragraph.blPara.lines]
        assert "".join(lines) == text
        for number in ("44130020210001", "44130020210002"):
            assert any(number in line for line in lines), (width, lines)


def test_a_paragraph_split_across_pages_keeps_its_line_breaks():
    """A long 笔录 answer or a cell of many lines continues on the next page with its lines as the record has them."""
    text = "\n".join(f"第{i}行：询问内容与回答" for i in range(1, 40))
    paragraph = documents._p(text, Styles(find_font()).plain)
    paragraph.wrap(300, 10_000)
    first, rest = paragraph.split(300, 21 * 10)
    rest.wrap(300, 10_000)
    lines = ["".join(line[1]) for line in first.blPara.lines] + ["".join(line[1]) for line in rest.blPara.lines]
    assert lines == text.split("\n")
