"""Pictures for the demonstration data: a specimen business licence or identity card for each party, and
on-site photos, drawn so that they read when printed across the page. Every specimen is marked 演示样本 and
carries only the demo's invented names and numbers: no real person's data.

Drawn with Pillow (which reportlab requires and the case file uses for its pictures); the labels need a CJK
font, looked for where the case file's is (``ENFORCEMENT_CJK_FONT``, the usual system fonts). Without one
the pictures are drawn all the same, their text unreadable, and the demo still works.
"""

from __future__ import annotations

import io
import os
import random
from datetime import date, datetime
from functools import cache

from ..domain.parties import Party
from ..domain.penalties import PartyKind

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", r"C:\Windows\Fonts\simhei.ttf", r"C:\Windows\Fonts\msyh.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc", "/System/Library/Fonts/PingFang.ttc",
)
INK, RED, PAPER = (30, 30, 30), (178, 34, 34), (250, 246, 236)
MARK = "演示样本 · 非真实证件"


@cache
def _font_file() -> str | None:
    configured = os.environ.get("ENFORCEMENT_CJK_FONT", "").split("#")[0]
    return next((p for p in (configured, *FONT_FILES) if p and os.path.isfile(p)), None)


@cache
def _font(size: int):
    from PIL import ImageFont

    path = _font_file()
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _jpeg(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _watermark(image) -> None:
    """演示样本 across the picture, light enough to read what is under it."""
    from PIL import Image, ImageDraw

    layer = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(layer)
    w, h = image.size
    for y in range(-h, 2 * h, 260):
        draw.text((w // 8, y), MARK, font=_font(56), fill=70)
    layer = layer.rotate(18, center=(w // 2, h // 2))
    grey = Image.new("RGB", image.size, (200, 90, 90))
    image.paste(grey, (0, 0), layer)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, no line starting with a closing punctuation mark."""
    lines: list[str] = []
    while text:
        cut = width
        while cut < len(text) and text[cut] in "，。；、）":
            cut += 1
        lines.append(text[:cut])
        text = text[cut:]
    return lines or [""]


def licence(party: Party, founded: date) -> bytes:
    """A 营业执照（副本）specimen of an organisation party (PNG), with the particulars the identity proof is checked
    by: name, 统一社会信用代码, legal representative, address."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1400, 1000), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((18, 18, 1381, 981), outline=RED, width=10)
    draw.rectangle((38, 38, 1361, 961), outline=RED, width=3)
    draw.text((700, 120), "营 业 执 照", font=_font(92), fill=RED, anchor="mm")
    draw.text((700, 205), "（副  本）", font=_font(40), fill=INK, anchor="mm")
    draw.text((110, 260), f"统一社会信用代码  {party.uscc}", font=_font(36), fill=INK)
    small = party.name.endswith("店")
    rows = [
        ("名　　称", party.name),
        ("类　　型", "个体工商户" if small else "有限责任公司（自然人投资或控股）"),
        ("经 营 者" if small else "法定代表人", party.legal_representative),
        ("经营范围", "食品销售；日用百货销售；五金产品零售；广告设计、代理。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"),
        ("注册资本", "—" if small else "人民币伍拾万元"),
        ("成立日期", f"{founded.year}年{founded.month:02d}月{founded.day:02d}日"),
        ("住　　所", party.address),
    ]
    y = 340
    for label, value in rows:
        draw.text((110, y), label, font=_font(34), fill=INK)
        for line in _wrap(value, 26):
            draw.text((330, y), line, font=_font(34), fill=INK)
            y += 50
        y += 14
    draw.ellipse((960, 700, 1240, 980 - 20), outline=RED, width=6)
    draw.text((1100, 800), "登记机关", font=_font(34), fill=RED, anchor="mm")
    draw.text((1100, 860), "（演示）", font=_font(30), fill=RED, anchor="mm")
    draw.text((110, 900), "惠州仲恺高新技术产业开发区市场监督管理局（演示）", font=_font(30), fill=INK)
    _watermark(image)
    return _png(image)


def identity_card(party: Party) -> bytes:
    """A 居民身份证 copy specimen of a person party (PNG): name, sex and birth read from the number, address, number."""
    from PIL import Image, ImageDraw

    number = party.id_number
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    image = Image.new("RGB", (1400, 900), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((60, 60, 1340, 840), radius=40, fill=(236, 242, 248), outline=(120, 140, 160), width=4)
    draw.text((110, 110), "居民身份证（复印件）", font=_font(44), fill=INK)
    rows = [("姓　名", party.name), ("性　别", "男" if int(number[16]) % 2 else "女"), ("民　族", "汉"),
            ("出　生", f"{born.year}年{born.month}月{born.day}日")]
    y = 210
    for label, value in rows:
        draw.text((110, y), label, font=_font(38), fill=(90, 110, 130))
        draw.text((290, y), value, font=_font(40), fill=INK)
        y += 74
    draw.text((110, y), "住　址", font=_font(38), fill=(90, 110, 130))
    for line in _wrap(party.address, 16):
        draw.text((290, y), line, font=_font(40), fill=INK)
        y += 58
    draw.text((110, 720), "公民身份号码", font=_font(38), fill=(90, 110, 130))
    draw.text((400, 716), number, font=_font(48), fill=INK)
    draw.rectangle((980, 200, 1260, 560), fill=(210, 218, 226))  # the photo's place: no face is drawn
    draw.ellipse((1060, 250, 1180, 370), fill=(170, 180, 192))
    draw.rounded_rectangle((1020, 390, 1220, 560), radius=60, fill=(170, 180, 192))
    draw.text((1120, 610), "（照片）", font=_font(32), fill=(120, 130, 140), anchor="mm")
    _watermark(image)
    return _png(image)


SCENES = {  # what the photo of each cause shows: the sign on it
    "food_safety_124_1": ("保质期至", "货架上的预包装食品"), "food_safety_125_1_2": ("无中文标签", "货架上的预包装食品"),
    "advertising_57_1_advertiser": ("全市最佳 第一品牌", "店招及宣传海报"), "fire_protection_60_1_3": ("安全出口", "堆放货物的疏散通道"),
    "urban_planning_64_correctable": ("未取得规划许可", "搭建中的钢结构厂房"), "work_safety_97_3": ("员工培训记录", "车间及培训台账"),
}


def scene(entry: str, taken: datetime, seed: int, place: str) -> bytes:
    """An on-site photo (JPEG) of the cause's scene, with the camera's time stamp in its corner."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    sign, what = SCENES.get(entry, ("现场", "现场情况"))
    image = Image.new("RGB", (1600, 1200), (214, 208, 196))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 860, 1600, 1200), fill=(150, 142, 130))  # the floor
    for shelf in range(3):
        top = 160 + shelf * 240
        draw.rectangle((120, top + 180, 1480, top + 200), fill=(120, 84, 52))
        x = 140
        while x < 1440:
            w, h = rng.randrange(70, 150), rng.randrange(90, 170)
            colour = tuple(rng.randrange(60, 230) for _ in range(3))
            draw.rectangle((x, top + 180 - h, x + w, top + 180), fill=colour, outline=(40, 40, 40), width=2)
            if rng.random() < 0.35 and entry.startswith("food"):
                draw.rectangle((x + 6, top + 180 - h + 12, x + w - 6, top + 180 - h + 48), fill=(255, 255, 255))
                draw.text((x + 10, top + 180 - h + 16), f"{taken.year - 1}.{rng.randrange(1, 12):02d}", font=_font(22), fill=(200, 0, 0))
            x += w + rng.randrange(8, 30)
    draw.rectangle((520, 40, 1080, 130), fill=(20, 120, 60) if sign == "安全出口" else (250, 250, 240), outline=INK, width=3)
    draw.text((800, 85), sign, font=_font(52), fill=(255, 255, 255) if sign == "安全出口" else (200, 20, 20), anchor="mm")
    draw.text((40, 1120), f"{what}  {place}", font=_font(34), fill=(255, 255, 255))
    draw.text((1560, 40), taken.strftime("%Y-%m-%d %H:%M:%S"), font=_font(40), fill=(255, 200, 0), anchor="ra")
    return _jpeg(image)


def party_identity(party: Party, rng: random.Random) -> tuple[str, str, bytes]:
    """(证件名称, file suffix, picture) of the party's identity proof."""
    if party.kind == PartyKind.ORGANISATION:
        founded = date(2010 + rng.randrange(0, 12), rng.randrange(1, 13), rng.randrange(1, 28))
        return "营业执照", ".png", licence(party, founded)
    return "居民身份证", ".png", identity_card(party)


def seal(name: str, size: int = 600) -> bytes:
    """A round official seal (PNG with a transparent ground) of the demo agency: its name around the upper arc,
    the five-pointed star in the centre, 演示 under it — red ink a little uneven, as a stamp prints."""
    import math

    from PIL import Image, ImageDraw

    ink = (205, 20, 20, 235)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c, ring = size / 2, size * 0.035
    draw.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=ink, width=int(ring))
    star_r = size * 0.16
    points = [(c + (star_r if k % 2 == 0 else star_r * 0.382) * math.sin(math.pi * k / 5),
               c - (star_r if k % 2 == 0 else star_r * 0.382) * math.cos(math.pi * k / 5)) for k in range(10)]
    draw.polygon(points, fill=ink)
    font = _font(int(size * 0.085))
    chars = list(name)
    span = math.radians(min(250, 20 * len(chars)))  # the name spreads over the upper arc, centred on the top
    radius = c - ring - size * 0.075
    for i, ch in enumerate(chars):
        angle = -span / 2 + span * (i + 0.5) / len(chars)
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=ink, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        x, y = c + radius * math.sin(angle), c - radius * math.cos(angle)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    draw.text((c, c + size * 0.27), "演示", font=_font(int(size * 0.07)), fill=ink, anchor="mm")
    return _png(image)
