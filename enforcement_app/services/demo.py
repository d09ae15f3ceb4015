"""A realistic demo data set: an agency, its staff, parties and several dozen cases at every stage.

Everything is recorded through the services, exactly as users would, with the clock set back so that
the cases carry dates over the past months; deadlines, overdue badges and the process record are real.
"""

from __future__ import annotations

import base64
import json
import random
import tempfile
import wave
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from ..domain.discretion import BaseKind, CaseFacts, assess
from ..domain.handwriting import handwritten_entry, names_in, scribble, usual_signers
from ..domain.identity import id_number_check_char, uscc_check_char
from ..domain.money import parse_yuan
from ..domain.penalties import PENALTY_KIND_ZH, PenaltyKind
from ..domain.refusals import PermissionDenied
from ..resources import load_json, resource_path
from . import specimens
from .api import CHINA, Services

DEMO_PASSWORD = "demo-pass-2026"

CHECKLIST = (
    "agency_competence", "officer_qualification", "procedure", "facts_and_evidence", "law_applied",
    "discretion_benchmark", "within_powers", "documents", "suspected_crime",
)

class DemoCause(NamedTuple):
    cause: str
    entry: str  # the benchmark entry
    violation: str  # the provision broken (违反了…)
    basis: str  # the penalty provision (依据…)
    facts: str
    bases: dict[str, str]  # base amounts in yuan for the benchmark
    kinds: tuple[str, ...]  # the penalties, with the entry's mandatory confiscations
    orders: str  # the order to correct (行政处罚法第二十八条第一款), with the entry's mandatory orders
    basis_for_person: str = ""  # the penalty provision when the party is an individual, where the statute has one


# the demo agency is a 市场监督管理局: every cause is within its power list (resources/agency/power_list.json);
# the fire, planning and work-safety entries of the shipped benchmarks are other bodies' to enforce
CAUSES = [
    DemoCause("销售超过保质期的食品", "food_safety_124_1", "《中华人民共和国食品安全法》第三十四条第（十）项",
              "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", "当事人销售超过保质期的预包装食品",
              {"goods_value": "3600", "illegal_income": "0"}, ("fine", "confiscate_illegal_property"),
              "立即停止销售超过保质期的食品，于本决定书送达之日起七日内清查库存并建立临期食品检查制度"),
    DemoCause("销售无标签的预包装食品", "food_safety_125_1_2", "《中华人民共和国食品安全法》第六十七条第一款",
              "《中华人民共和国食品安全法》第一百二十五条第一款第（二）项", "当事人销售无中文标签的预包装食品",
              {"goods_value": "2400", "illegal_income": "0"}, ("fine", "confiscate_illegal_property"),
              "立即停止销售无中文标签的预包装食品，于本决定书送达之日起七日内下架并清查同类商品"),
    DemoCause("发布含有“最佳”用语的广告", "advertising_57_1_advertiser", "《中华人民共和国广告法》第九条第（三）项",
              "《中华人民共和国广告法》第五十七条第（一）项", "当事人在店招及网店页面使用“最佳”“第一”等绝对化用语", {}, ("fine",),
              "立即删除店招及网店页面上的“最佳”“第一”等用语"),
]

# the on-the-spot cases: 拒不改正的，处二千元以下罚款 is within the simple procedure's limits (Art. 51)
SIMPLE_ENTRY = "food_safety_125_2"


class Found(NamedTuple):
    """What the investigation of one demo case established: the facts as a decision tells them, the same facts as
    the elements the benchmark entry needs, and the base amounts (yuan) those elements give the benchmark."""

    facts: str
    elements: dict[str, str]
    bases: dict[str, str]
    seen: str  # what the officers saw on site (the 现场笔录, the photos, the answer in the 询问笔录)
    orders: str = ""  # the order to correct where it depends on the facts (the cause's otherwise)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yuan(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


FOODS = [  # (name, unit, price in yuan, shelf life in days, shelf life as the label states it)
    ("“鲜乐”原味酸奶（200克/杯，预包装）", "杯", 6.5, 21, "21天"), ("“桃园”全麦切片面包（400克/袋，预包装）", "袋", 12.8, 7, "7天"),
    ("“金禾”纯牛奶（250毫升/盒，预包装）", "盒", 4.5, 180, "6个月"), ("“香满楼”广式腊肠（500克/包，预包装）", "包", 38.0, 180, "180天"),
    ("“田园记”速冻水饺（1千克/袋，预包装）", "袋", 26.9, 365, "12个月"), ("“乐享”夹心饼干（300克/盒，预包装）", "盒", 15.8, 270, "9个月"),
]
UNLABELLED = [  # (name, unit, price, what the label lacks)
    ("进口夹心巧克力派（468克/盒）", "盒", 35.0, "外包装仅有韩文标识，无中文标签，未标注产品名称、配料表、原产国、国内代理商名称和地址"),
    ("散装称重后自行分装的腰果仁（250克/袋）", "袋", 29.9, "分装后的预包装食品未标注生产日期、保质期、生产者名称和地址"),
    ("进口橄榄油（750毫升/瓶）", "瓶", 128.0, "无中文标签，原标签上的生产日期、保质期未以中文标注"),
]
SUPPLIERS = ["惠州市惠城区鲜达食品商行", "惠州市仲恺兴隆副食品批发部", "东莞市万好食品贸易有限公司", "广州市白云区昌盛食品经营部"]
ADVERTS = [  # (words in the party's name it suits, medium, what it sells, the words used)
    (("装饰", "装修"), "店门口LED电子显示屏滚动播放的广告", "家庭装修设计和施工服务", "“全惠州最佳装修服务”“最高级环保材料”"),
    (("食品", "餐饮", "烧腊", "超市", "便利"), "当事人微信公众号“{name}”发布的推文", "自制烧腊熟食", "“本地最佳口味”“国家级大厨主理”"),
    (("电子", "科技", "塑胶"), "当事人网店的商品详情页面", "自产的塑胶电子计时器", "“行业最佳品质”“最高级工艺”"),
    (("五金",), "当事人在店外设置的户外广告牌", "五金工具", "“惠州第一品牌”“最佳选择”"),
]


def _food_124(party, act_day: date, found_on: date, rng: random.Random) -> Found:
    name, unit, price, days, shelf = rng.choice(FOODS)
    overdue = rng.randrange(3, 40)
    produced = act_day - timedelta(days=days + overdue - rng.randrange(0, overdue))
    expiry = produced + timedelta(days=days)
    stock = rng.randrange(18, 160)
    value = round(stock * price, 2)
    supplier = rng.choice(SUPPLIERS)
    bought = produced + timedelta(days=rng.randrange(1, max(2, days // 3)))
    past = (found_on - expiry).days
    facts = (f"{_cn(found_on)}，本局执法人员对当事人位于{party.address}的经营场所进行检查，发现其货架上陈列待售的{name}"
             f"共{stock}{unit}，标签标注的生产日期为{_cn(produced)}，保质期{shelf}，已于{_cn(expiry)}到期，至检查时超过保质期{past}天。"
             f"经查，上述食品系当事人于{_cn(bought)}从{supplier}购进（当事人在询问笔录中予以确认）；标价每{unit}{_yuan(price)}元，"
             f"检查时尚未售出，货值金额{_yuan(value)}元，没有违法所得。当事人未按规定定期检查库存食品，未及时清理超过保质期的食品")
    elements = {"food": name, "quantity": f"{stock}{unit}（陈列待售，尚未售出）", "production_date": _cn(produced),
                "shelf_life": f"{shelf}（至{_cn(expiry)}）", "nonconformity": f"超过保质期{past}天",
                "goods_value": _yuan(value), "illegal_income": "0", "supplier": f"{supplier}（{_cn(bought)}购进）"}
    seen = f"货架上陈列待售的{name}共{stock}{unit}，标签标注生产日期{_cn(produced)}、保质期{shelf}，已超过保质期{past}天"
    return Found(facts, elements, {"goods_value": _yuan(value), "illegal_income": "0"}, seen)


def _food_125(party, act_day: date, found_on: date, rng: random.Random) -> Found:
    name, unit, price, lack = rng.choice(UNLABELLED)
    stock = rng.randrange(12, 90)
    value = round(stock * price, 2)
    supplier = rng.choice(SUPPLIERS)
    bought = act_day - timedelta(days=rng.randrange(5, 40))
    facts = (f"{_cn(found_on)}，本局执法人员在当事人位于{party.address}的经营场所检查时发现，当事人销售的{name}共{stock}{unit}，"
             f"{lack}，不符合《中华人民共和国食品安全法》第六十七条第一款的规定。经查，上述食品系当事人于{_cn(bought)}从{supplier}购进，"
             f"标价每{unit}{_yuan(price)}元，检查时尚未售出，货值金额{_yuan(value)}元，没有违法所得")
    elements = {"food": name, "quantity": f"{stock}{unit}（库存待售）", "production_date": "中文标签未标注（外包装喷码无法辨识为生产日期）",
                "label_defect": lack, "goods_value": _yuan(value), "illegal_income": "0", "supplier": f"{supplier}（{_cn(bought)}购进）"}
    return Found(facts, elements, {"goods_value": _yuan(value), "illegal_income": "0"}, f"当事人销售的{name}共{stock}{unit}，{lack}")


def _advertising(party, act_day: date, found_on: date, rng: random.Random) -> Found:
    suited = [a for a in ADVERTS if any(w in party.name for w in a[0])]
    _words, medium, product, words = rng.choice(suited or ADVERTS)
    medium = medium.format(name=party.name)
    cost = rng.choice([0, 800, 1500, 2600])
    paid = f"支付制作费用{cost}元（当事人在询问笔录中予以确认）" if cost else "由当事人自行制作发布，没有支付广告费用"
    facts = (f"当事人自{_cn(act_day)}起，在{medium}中为推销{product}使用{words}等用语，至{_cn(found_on)}本局执法人员检查时仍在发布。"
             f"该广告{paid}。当事人使用“最佳”“最高级”等绝对化用语发布广告，违反了《中华人民共和国广告法》第九条第（三）项的规定")
    elements = {"product": product, "medium": medium, "words": words, "period": f"{_cn(act_day)}至{_cn(found_on)}（检查时仍在发布）",
                "advertising_cost": str(cost)}
    return Found(facts, elements, {}, f"{medium}中使用{words}等用语推销{product}", f"立即停止发布，删除{medium}中{words}等用语")


def _fire(party, act_day: date, found_on: date, rng: random.Random) -> Found:
    boxes, width = rng.randrange(20, 80), rng.choice(["1.4", "1.6", "1.8"])
    facts = (f"{_cn(found_on)}，本局执法人员检查发现，当事人在其位于{party.address}的厂房一楼通往东侧安全出口的疏散通道内堆放纸箱包装的货物"
             f"约{boxes}箱，疏散通道宽度由{width}米减至不足0.5米，东侧安全出口被货物遮挡。经询问，当事人自{_cn(act_day)}起因仓库不足在通道内堆放货物")
    elements = {"venue": f"当事人的生产厂房（{party.address}）", "location": "一楼通往东侧安全出口的疏散通道和东侧安全出口",
                "conduct": f"堆放纸箱包装的货物约{boxes}箱，遮挡安全出口", "found_on": f"{_cn(found_on)}现场检查发现（现场笔录、照片）",
                "effect": f"疏散通道宽度由{width}米减至不足0.5米"}
    return Found(facts, elements, {}, f"厂房一楼通往东侧安全出口的疏散通道内堆放货物约{boxes}箱，安全出口被遮挡")


def _planning(party, act_day: date, found_on: date, rng: random.Random) -> Found:
    area = rng.randrange(400, 800)
    cost = area * 900
    facts = (f"当事人于{_cn(act_day)}起在{party.address}厂区内未取得建设工程规划许可证搭建一层钢结构厂房，建筑面积约{area}平方米，"
             f"高约8米，至{_cn(found_on)}检查时已完成主体结构。经核算，该工程造价为{cost}元（施工合同及结算单为证）。"
             "经规划主管部门认定，该建筑位于工业用地范围内，尚可采取补办规划许可手续等改正措施消除对规划实施的影响")
    elements = {"project": f"{party.address}厂区内的一层钢结构厂房", "scale": f"建筑面积约{area}平方米，一层，高约8米",
                "permit": "未取得建设工程规划许可证", "built_period": f"{_cn(act_day)}开工，至{_cn(found_on)}检查时已完成主体结构",
                "construction_cost": str(cost), "correction_measures": "限期补办建设工程规划许可手续（规划主管部门认定尚可改正）"}
    return Found(facts, elements, {"construction_cost": str(cost)}, f"厂区内在建一层钢结构厂房，建筑面积约{area}平方米，未能出示建设工程规划许可证")


def _training(party, act_day: date, found_on: date, rng: random.Random) -> Found:
    staff = rng.randrange(3, 12)
    facts = (f"{_cn(found_on)}，本局执法人员检查发现，当事人于{_cn(act_day)}起新招用的{staff}名生产线操作工未经岗前安全生产教育和培训即上岗作业，"
             "当事人未建立安全生产教育和培训档案，不能提供培训时间、内容、参加人员和考核结果的记录")
    elements = {"untrained": f"新招用的生产线操作工{staff}名，{_cn(act_day)}起陆续上岗", "training": "岗前安全生产教育和培训，及安全生产教育和培训档案",
                "found_on": f"{_cn(found_on)}现场检查发现（现场笔录、询问笔录）"}
    return Found(facts, elements, {}, f"{staff}名新招用的生产线操作工未经岗前安全生产教育和培训即上岗作业")


FINDINGS = {"food_safety_124_1": _food_124, "food_safety_125_1_2": _food_125, "advertising_57_1_advertiser": _advertising,
            "fire_protection_60_1_3": _fire, "urban_planning_64_correctable": _planning, "work_safety_97_3": _training}
"""How the investigation of a demo case of each cause comes out (a cause without one keeps its one-line facts)."""


def _found(cause: DemoCause, party, act_day: date, found_on: date, rng: random.Random) -> Found:
    make = FINDINGS.get(cause.entry)
    return make(party, act_day, found_on, rng) if make else Found(cause.facts, {}, dict(cause.bases), cause.facts)


def _proposal(services: Services, entry: str, bases: dict[str, str], party, act_day: date, on: date, target: str) -> dict:
    """The demo officer's proposal: the middle of the recommended range of the benchmark (its top for a
    case that goes to a hearing, after a repeat violation), so that every demo fine is lawful."""
    circumstances = {"hearing": ["repeat_within_year"], "no_penalty": ["first_violation_exemption"]}.get(target, [])
    facts = CaseFacts(party.kind, act_day, on, {BaseKind(k): parse_yuan(v) for k, v in bases.items()}, tuple(circumstances))
    assessment = assess(services.benchmarks(), entry, facts, services.policy_on(on))
    band = assessment.recommended_range or assessment.statutory_range
    fine = band.high if target == "hearing" else band.low + (band.high - band.low) // 2
    fine = max(band.low, fine - fine % 10_000)  # whole hundreds of yuan
    return {
        "fine_fen": fine,
        "benchmark": {"entry": entry, "bases": bases, "circumstances": circumstances},
        # as the decision states it: the benchmark applied and the grade found, not a suggestion
        "discretion": f"依据《{services.benchmark_set(assessment.benchmark_id, assessment.benchmark_version).name}》，"
                      + (f"本案属{assessment.grade.zh}情形，罚款在{band.describe()}的幅度内确定。" if assessment.grade.value != "no_penalty"
                         else "当事人初次违法且危害后果轻微并及时改正，本案属不予处罚情形。"),
        "hearing": assessment.hearing_right.applies,
    }


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "桂英"]
COMPANIES = ["惠州市仲恺鲜品超市有限公司", "惠州好味食品店", "惠州市陈江宏达五金厂", "惠州市沥林美家装饰工程有限公司",
             "惠州市潼湖新兴电子科技有限公司", "惠州仲恺高新区乐购便利店", "惠州市惠环大发广告有限公司", "惠州市东江湾餐饮管理有限公司",
             "惠州市仲恺瑞丰塑胶制品有限公司", "惠州市陈江百味烧腊店"]
STREETS = ["惠风东路", "和畅五路", "陈江大道", "潼湖大道", "沥林北路", "惠环街道", "东江高新科技产业园"]


def person_id(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
    first17 = f"441303{born:%Y%m%d}{rng.randrange(100, 999)}"
    return first17 + id_number_check_char(first17)


def company_uscc(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "91441300" + "".join(rng.choice(alphabet) for _ in range(9))
    return first17 + uscc_check_char(first17)


def _served(ids, officers, pair, payload: dict[str, Any], *, refused: bool = False) -> dict[str, Any]:
    """A 送达回证 served by the case's two officers: the recipient's signature and both 送达人's; ``refused``: the
    recipient would not sign, the document was left at the address (留置送达) before a witness."""
    names = (officers[pair[0]].name, officers[pair[1]].name)
    if not refused:
        return _signed("serve_document", {**payload, "officers": ids}, *names)
    witness = "物业管理处工作人员陈某"
    left = {**payload, "officers": ids, "method": "left_at_address", "witness": witness}
    moment = datetime.fromisoformat(f"{payload['on']}T10:00").replace(tzinfo=CHINA).isoformat()
    refusal = {"signer": "recipient", "name": payload["recipient"], "how": "refused", "at": moment,
               "reason": "受送达人拒绝签收，称对处罚有异议", "witness": witness}
    return {**left, "signatures": [refusal, *(handwritten_entry("serve_document", left, "officer", name, scribble(name, n), moment)
                                             for n, name in enumerate(names, 1))]}


def _signed(kind: str, payload: dict[str, Any], *officers: str) -> dict[str, Any]:
    """``payload`` with the signatures resources/law/signers.json asks of it, each a quick scrawl of the name
    (``officers``: the names of the officers it lists, in order)."""
    names = names_in(payload, lambda _id: "")
    names["officer"] = list(officers)
    at = str(payload.get("ended_at") or payload.get("at") or (str(payload.get("on", "")) + "T10:00"))
    moment = datetime.fromisoformat(at).replace(tzinfo=CHINA).isoformat()
    return {**payload, "signatures": [handwritten_entry(kind, payload, role, name, scribble(name, n), moment)
                                      for n, (role, name) in enumerate(usual_signers(kind, payload, names))]}


class _Timeline:
    """Moves the services' clock through a case's days, one working hour at a time."""

    def __init__(self, services: Services, start: date):
        self.services = services
        self.now = datetime.combine(start, time(9, 0), CHINA)
        services.clock = lambda: self.now

    def day(self, offset_days: int = 0, hour: int = 9) -> str:
        self.now = datetime.combine(self.now.date() + timedelta(days=offset_days), time(hour, 0), CHINA)
        return self.now.date().isoformat()

    def at(self, hour: int = 10) -> str:
        return datetime.combine(self.now.date(), time(hour, 0)).isoformat(timespec="minutes")


def build_demo(services: Services, *, cases: int = 48, seed: int = 20261126, today: date | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Fill an empty database; returns counts. Refuses a database that already has cases."""
    if services.has_cases():
        raise ValueError("数据库中已有案件，演示数据只能写入新数据库")
    real_clock = services.clock
    today = today or real_clock().date()
    rng = random.Random(seed)
    system = services.system_session()
    if services.agency() is None:
        system.set_agency({
            "name": AGENCY, "seal_name": AGENCY,
            "area": "惠州仲恺高新区", "case_no_prefix": "仲高新市监罚字",
            "reconsideration_body": "惠州仲恺高新技术产业开发区管理委员会", "litigation_court": "惠州市惠城区人民法院",
        })
        _adopt_as_the_agencys(system, services)
    cert = {"area": "惠州仲恺高新区", "source_of_power": "《中华人民共和国行政处罚法》、食品安全法等"}
    people = [
        ("系统管理员", "admin", ["admin"], None, False),
        ("张明", "zhangming", ["officer"], "44130020210001", False),
        ("李华", "lihua", ["officer"], "44130020210002", False),
        ("黄志强", "huangzq", ["officer"], "44130020220015", False),
        ("林晓燕", "linxy", ["officer"], "44130020230021", False),
        ("王建国", "wangjg", ["agency_head"], None, False),
        ("赵丽", "zhaoli", ["agency_head"], None, False),
        ("陈静", "chenjing", ["legal_reviewer"], "44130020190003", True),
        ("吴志远", "wuzy", ["evaluator"], None, False),
    ]
    officers = {}
    registrar = system
    for name, login, roles, cert_no, legal in people:
        existing = services.officer_by_login(login)
        if existing:
            officers[login] = existing
            continue
        certificates = [{**cert, "certificate_no": cert_no, "valid_from": "2021-01-01",
                         "valid_to": (today + timedelta(days=40 if login == "linxy" else 900)).isoformat()}] if cert_no else []
        # the system registers the first administrator; the administrator, signing, registers everyone else
        if login != "admin" and registrar is system:
            try:
                registrar = services.login("admin", DEMO_PASSWORD)
            except PermissionDenied:
                raise ValueError("演示数据只能写入新数据库（其管理员 admin 使用演示密码）") from None
        officers[login] = registrar.register_officer({"name": name, "login": login, "roles": roles, "legal_qualification": legal,
                                                      "certificates": certificates, "password": DEMO_PASSWORD})
    handler_pairs = [("zhangming", "lihua"), ("huangzq", "linxy"), ("lihua", "huangzq")]
    # each demo user logged in once, as they would: their password unlocks the key their sign-offs are signed with
    sessions = {login: services.login(login, DEMO_PASSWORD) for _name, login, *_rest in people}
    officer_session = sessions["zhangming"]
    parties = []
    for i in range(24):
        street = f"惠州市仲恺高新区{rng.choice(STREETS)}{rng.randrange(1, 300)}号"
        if i % 2:
            parties.append(officer_session.register_party({
                "kind": "person", "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_number": person_id(rng),
                "address": street, "phone": f"13{rng.randrange(100000000, 999999999)}"}))
        else:
            parties.append(officer_session.register_party({
                "kind": "organisation", "name": COMPANIES[(i // 2) % len(COMPANIES)], "uscc": company_uscc(rng),
                "legal_representative": rng.choice(SURNAMES) + rng.choice(GIVEN), "address": street,
                "phone": f"0752-{rng.randrange(2000000, 3999999)}"}))
    scratch = Path(tempfile.mkdtemp(prefix="demo-evidence-"))
    stages = ["simple", "lead", "filing", "investigation", "investigation_overdue", "deliberation", "in_review",
              "returned", "disapproved", "approved", "notice", "hearing", "decided", "execution", "closed",
              "archived", "no_penalty", "dismissal", "transfer", "not_filed"]
    counts: dict[str, int] = {}
    try:
        for n in range(cases):
            target = stages[n % len(stages)]
            party = parties[n % len(parties)]
            # a case that goes to a hearing needs a penalty that carries the right (Art. 63): the advertising cause
            cause = CAUSES[2] if target == "hearing" else CAUSES[n % len(CAUSES)]
            if target == "transfer":  # a food case, whose crime the transfer names (刑法第一百四十三条)
                cause = next((c for c in CAUSES if c.entry == "food_safety_124_1"), cause)
            if target == "no_penalty":  # 首违不罚 as the published lists have it: absolute words in an advertisement, put right at once
                cause = next((c for c in CAUSES if c.entry == "advertising_57_1_advertiser"), cause)
            pair = handler_pairs[n % len(handler_pairs)]
            start = today - timedelta(days=(200 if target == "investigation_overdue" else
                                            {"archived": 150, "closed": 110, "execution": 70}.get(target, 40)) + rng.randrange(0, 20))
            _demo_case(services, sessions, officers, party, cause, pair, target, start, rng, scratch, n, today)
            counts[target] = counts.get(target, 0) + 1
            if progress:
                progress(n + 1, cases)
    finally:
        services.clock = real_clock
        for f in scratch.iterdir():
            f.unlink()
        scratch.rmdir()
    return counts


EDUCATION = {
    "food_safety_124_1": "讲解《中华人民共和国食品安全法》第三十四条、第五十四条关于禁止经营超过保质期的食品、定期检查库存食品并及时清理的规定，"
                         "督促当事人建立临期食品检查台账",
    "food_safety_125_1_2": "讲解《中华人民共和国食品安全法》第六十七条、第九十七条关于预包装食品和进口食品中文标签的规定，督促当事人进货时查验标签",
    "advertising_57_1_advertiser": "讲解《中华人民共和国广告法》第九条关于禁止使用绝对化用语的规定，督促当事人发布广告前自行审核广告内容",
    "": "讲解当事人违反的法律规定及其法律责任，督促当事人依法经营",
}
"""What the head's education of a party not penalised covers (行政处罚法第三十三条第三款), by cause."""


CORRECTIONS = {
    "food_safety_124_1": "当事人当场将超过保质期的食品全部下架封存，次日在执法人员见证下销毁，并清查库存、建立临期食品检查台账",
    "food_safety_125_1_2": "当事人当场将无中文标签的食品全部下架，退回供货者，并建立进货查验记录",
    "advertising_57_1_advertiser": "当事人当即撤下、删除含有绝对化用语的广告内容",
    "fire_protection_60_1_3": "当事人当天清除疏散通道内堆放的货物，安全出口恢复畅通",
    "urban_planning_64_correctable": "当事人停止建设，并向规划主管部门申请补办建设工程规划许可手续",
    "work_safety_97_3": "当事人组织全部新入职员工参加岗前安全生产教育和培训并考核合格，建立了安全生产教育和培训档案",
}


def _corrected(officer, case_id: str, party, ids, officers, pair, cause: DemoCause, t: _Timeline) -> dict[str, Any]:
    """A first violation put right at once: the re-inspection (复查) that finds it corrected, and the conditions of
    行政处罚法第三十三条第一款 the report rests on, with that record as their evidence."""
    corrected = t.day(1)
    done = CORRECTIONS.get(cause.entry, "当事人已按要求改正违法行为")
    record = officer.perform(case_id, "record_inspection", _signed("record_inspection", {
        "started_at": t.at(10), "ended_at": f"{corrected}T10:40", "place": party.address, "officers": ids, "certificates_shown": True,
        "findings": f"复查发现：{done}。现场未再发现违法情形。", "present": party.legal_representative or party.name},
        officers[pair[0]].name, officers[pair[1]].name))
    return {"no_penalty_ground": "first_violation_exemption",
            "first_violation": "经查询国家企业信用信息公示系统和本局执法办案记录，当事人两年内没有因同类违法行为受到行政处罚，属初次违法",
            "harm": "违法行为持续时间短、影响范围小，没有造成人身、财产损害，没有接到相关投诉，危害后果轻微",
            "corrected_on": corrected, "correction": f"{done}，复查时已全部落实", "exemption_evidence": [record]}


def _close(officer, head, case_id: str, summary: str, t: _Timeline) -> None:
    """The handler's closing report one day, the head's approval (结案审批) the next."""
    on = t.day(2)
    officer.perform(case_id, "request_closing", {"summary": summary, "on": on, "proposed_on": on})
    head.perform(case_id, "approve_closing", {"opinion": "同意结案。", "on": t.day(1)})


def _identity(officer, case_id: str, party, ids, scratch: Path, n: int, t: _Timeline, rng: random.Random) -> None:
    """The party's business licence or identity card, copied when the case is opened (当事人身份证明)."""
    document, suffix, picture = specimens.party_identity(party, rng)
    path = scratch / f"identity-{n}{suffix}"
    path.write_bytes(picture)
    officer.add_evidence(case_id, path, {
        "kind": "identity", "description": f"{document}复印件（当事人签字确认与原件一致）", "source": "当事人提供",
        "collected_by": ids, "collected_at": t.at(11), "place": party.address,
        "identity_document": document, "identity_no": party.identity_no})


def _recording(officer, case_id: str, inquiry: str, ids, scratch: Path, n: int, t: _Timeline) -> None:
    """The sound recording of an inquiry (询问录音), a few seconds of a quiet room's hiss (a WAV of its own random
    generator, so that the rest of the demo stays as it was), registered as the 音像记录 of that inquiry."""
    path = scratch / f"inquiry-{n}.wav"
    noise = random.Random(n)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(0 if k % 2 else noise.randrange(40) for k in range(8000 * 2 * (4 + n % 5))))
    officer.add_evidence(case_id, path, {
        "kind": "audiovisual", "description": "询问过程录音", "source": "询问室录音设备录制", "collected_by": ids,
        "collected_at": t.at(16), "place": "仲恺高新区市场监督管理局询问室",
        "proves": "询问笔录的记载与询问过程一致", "av_record_of": [inquiry]})


AGENCY = "惠州仲恺高新技术产业开发区市场监督管理局"
TRANSFER = {"transfer_to": "惠州市公安局仲恺高新技术产业开发区分局",
            "reasons": "当事人明知食品超过保质期仍陈列销售，其行为涉嫌构成《中华人民共和国刑法》第一百四十三条规定的生产、销售不符合安全标准的食品罪，"
                       "依法需要追究刑事责任"}
ADOPTED_FROM = date(2025, 1, 1)  # the day the demo agency's own seal, benchmark and power list take effect


def _adopt_as_the_agencys(system, services: Services) -> None:
    """What a real agency does before its first case: its electronic seal, and the shipped benchmark set and
    power list adopted and published as its own (审定发布), so that its documents cite its own instruments
    rather than the program's defaults. Invented for the demo, marked so."""
    system.set_agency({"seal_png": base64.b64encode(specimens.seal(AGENCY)).decode()})
    shipped = json.loads(resource_path("benchmarks", "statutory_default-2021.1.json").read_text(encoding="utf-8"))
    own = {**shipped, "id": "zhongkai_market", "name": f"{AGENCY}行政处罚裁量基准", "issuing_body": f"{AGENCY}（演示数据）",
           "version": "2025.1", "effective_from": ADOPTED_FROM.isoformat(),
           "description": "演示数据：本局审定发布系统内置缺省基准作为本局裁量基准，各条目幅度与缺省基准相同。" + shipped.get("description", "")}
    with tempfile.TemporaryDirectory(prefix="demo-benchmark-") as folder:
        path = Path(folder) / "zhongkai_market-2025.1.json"
        path.write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
        system.import_benchmarks(path)
    powers = load_json("agency", "power_list.json")
    version = {**powers["versions"][0], "version": "zhongkai-2025", "effective_from": ADOPTED_FROM.isoformat(), "agency": AGENCY,
               "title": f"{AGENCY}行政处罚事项权责清单", "source": "演示数据：本局依法定职权编制的权责清单"}
    system.import_power_list({"format": powers["format"], "versions": [version]})


def _draft_decision(outcome: str, kinds, fine_fen: int, orders: str) -> str:
    """The 处理决定代拟稿 the reviewer reads: what the report proposes, as it proposes it."""
    if outcome == "no_penalty":
        return f"拟不予行政处罚，责令当事人{orders.removeprefix('责令')}，并对当事人进行教育"
    if outcome == "transfer":
        return "拟将本案移送公安机关"
    if outcome == "dismissal":
        return "拟撤销案件"
    others = "、".join(PENALTY_KIND_ZH[PenaltyKind(k)] for k in kinds if k != "fine")
    return f"拟{others + '，' if others else ''}罚款{fine_fen // 100:,}元，责令当事人{orders.removeprefix('责令')}"


def _demo_case(services, sessions, officers, party, cause, pair, target, start, rng, scratch, n, today) -> None:
    t = _Timeline(services, start)
    a, b = (sessions[login] for login in pair)
    ids = [officers[pair[0]].id, officers[pair[1]].id]
    head = sessions["wangjg" if n % 2 else "zhaoli"]
    cause_name, entry, violation, basis, facts, _bases, kinds, orders, basis_for_person = cause
    is_org = party.kind.value == "organisation"
    basis = basis if is_org else basis_for_person or basis  # the clause follows the party
    if target == "simple":
        case_id = a.record_simple_decision(_signed("record_simple_decision", {
            "at": t.at(10), "place": party.address, "cause": "预包装食品标签瑕疵经责令改正拒不改正", "cause_entry": SIMPLE_ENTRY,
            "facts": f"{party.name}销售的预包装食品标签存在瑕疵（生产者联系方式标注不全），不影响食品安全且不会对消费者造成误导，经责令改正后拒不改正",
            "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "form_no": f"No.{440000 + n}", "officers": ids, "certificates_shown": True,
            "party_id": party.id, "penalty_kinds": ["fine"], "fine_fen": 20000 if not is_org else 200000}))
        _identity(a, case_id, party, ids, scratch, n, t, rng)
        return
    act_day = start - timedelta(days=rng.randrange(3, 30))
    case_id = a.register_lead({
        "source": rng.choice(["complaint", "inspection", "referral", "report"]), "received_on": t.day(), "act_date": act_day.isoformat(),
        "cause": cause_name, "cause_entry": entry, "summary": f"{facts}（线索）", "party_id": party.id, "handlers": ids})
    _identity(a, case_id, party, ids, scratch, n, t, rng)
    if target == "lead":
        return
    a.perform(case_id, "request_filing", {"facts": facts, "violation": violation,
                                          "reason": f"当事人涉嫌违反{violation}的规定，依据{basis}应予行政处罚，属本机关管辖，符合立案条件", "on": t.day(1)})
    if target == "filing":
        return
    if target == "not_filed":
        head.perform(case_id, "refuse_filing", {"reason": "经核查，违法事实不存在", "on": t.day(1)})
        return
    head.perform(case_id, "approve_filing", {"opinion": "同意立案调查", "on": t.day(1)})
    found = _found(cause, party, act_day, date.fromisoformat(t.day(1)), rng)
    orders = found.orders or orders
    a.perform(case_id, "record_inspection", _signed("record_inspection", {
        "started_at": t.at(10), "ended_at": t.at(11), "place": party.address, "officers": ids, "certificates_shown": True,
        "findings": f"现场检查发现：{found.seen}。", "present": party.legal_representative or party.name}))
    for k in range(2 if n % 3 else 1):
        taken = datetime.combine(t.now.date(), time(10, 10 + 7 * k))
        path = scratch / f"photo-{n}-{k}.jpg"
        path.write_bytes(specimens.scene(entry, taken, n * 7 + k, party.address))
        a.add_evidence(case_id, path, {
            "kind": "photo", "description": f"现场照片{k + 1}", "source": "执法人员现场拍摄", "collected_by": ids,
            "collected_at": t.at(11), "place": party.address, "taken_at": taken.isoformat(timespec="minutes"),
            "taken_place": party.address, "taken_by": officers[pair[k % 2]].name,
            "witness": party.legal_representative or party.name,
            "proves": f"{found.seen}（现场{'全景' if k == 0 else '细节'}）"})
    inquiry = a.perform(case_id, "record_inquiry", _signed("record_inquiry", {
        "started_at": t.at(14), "ended_at": t.at(15), "place": "仲恺高新区市场监督管理局询问室", "officers": ids,
        "recorder": officers[pair[1]].name, "certificates_shown": True, "rights_notified": True,
        # the person questioned with their identity number, as the 询问笔录 must have it (a legal
        # representative's own, drawn apart so that the rest of the demo stays as it was)
        "person": {"name": party.legal_representative or party.name, "relation": "当事人" if not is_org else "法定代表人",
                   "id_number": party.id_number or person_id(random.Random(n))},
        "qa": [{"q": "我们是惠州仲恺高新区市场监督管理局执法人员，已出示执法证件，你是否看清？", "a": "看清了。"},
               {"q": "请说明相关情况。", "a": f"{found.seen}，我们认识到错误，愿意整改。"}]}, officers[pair[0]].name, officers[pair[1]].name))
    if n % 3 == 0:  # the inquiry recorded on the room's recorder, registered as its 音像记录
        _recording(a, case_id, inquiry, ids, scratch, n, t)
    if target.startswith("investigation"):
        return
    outcome = {"no_penalty": "no_penalty", "dismissal": "dismissal", "transfer": "transfer"}.get(target, "penalty")
    review_target = target in ("in_review", "returned", "disapproved", "approved", "hearing")
    exemption = _corrected(a, case_id, party, ids, officers, pair, cause, t) if outcome == "no_penalty" else {}
    on = t.day(3)
    plan = _proposal(services, entry, found.bases, party, act_day, date.fromisoformat(on), target)
    fine_now = plan["fine_fen"]
    # the default catalogue makes fines of 10,000 / 100,000 yuan and more major decisions; the cases meant
    # for legal review below that are flagged complex by their handler (also a catalogue item)
    major = review_target or fine_now >= (10_000_000 if is_org else 1_000_000)
    report = {"outcome": outcome, "facts": found.facts, "violation": violation, "basis": basis, "discretion": plan["discretion"], "on": on,
              "complex": review_target and fine_now < (10_000_000 if is_org else 1_000_000),
              "benchmark": plan["benchmark"], **exemption}
    if outcome in ("penalty", "no_penalty"):
        report["facts_elements"] = found.elements
    if outcome == "penalty":
        report.update({"penalty_kinds": list(kinds), "fine_fen": fine_now})
    a.perform(case_id, "submit_investigation_report", report)
    if target == "deliberation":
        return
    reviewer = sessions["chenjing"]
    if major or outcome == "transfer":
        a.perform(case_id, "submit_legal_review", {"summary": f"{found.seen}；违反{violation}，适用{basis}；执法人员{officers[pair[0]].name}、{officers[pair[1]].name}",
                                                   "draft_decision": _draft_decision(outcome, kinds, fine_now, orders), "on": t.day(1)})
        if target == "in_review":
            return
        outcome_review = {"returned": "return", "disapproved": "disapprove"}.get(target, "approve")
        checklist = {i: {"finding": "pass", "comment": ""} for i in CHECKLIST}
        if outcome_review != "approve":
            checklist["facts_and_evidence"] = {"finding": "issue", "comment": "货值金额认定依据不足，请补充进货单据"}
        reviewer.perform(case_id, "record_legal_review", {"outcome": outcome_review, "checklist": checklist, "on": t.day(3),
                                                          "opinion": "同意" if outcome_review == "approve" else "证据不足",
                                                          "corrections": "补充进货单据、销售记录" if outcome_review == "return" else ""})
        if target in ("returned", "disapproved"):
            return
    if outcome != "penalty":
        decided = t.day(2)
        education = {"orders": f"{orders}；今后定期自查，不得再犯", "educated_on": decided, "education": EDUCATION.get(entry, EDUCATION[""]),
                     "education_form": "在本局询问室当面约谈当事人（负责人），宣讲有关法律规定"}
        head.perform(case_id, "make_decision", {**report, "on": decided,
                                                 "evidence": [e["sha256"] for e in a.view(case_id).state.evidence] if outcome == "no_penalty" else [],
                                                 **(education if outcome == "no_penalty" else {}), **(TRANSFER if outcome == "transfer" else {})})
        if outcome == "no_penalty":
            a.perform(case_id, "serve_document", _served(ids, officers, pair, {"document": "decision", "method": "direct", "recipient": party.name, "on": t.day(1)}))
        _close(a, head, case_id, "依法处理完毕" if outcome != "transfer" else "涉嫌犯罪，已移送公安机关，依法结案", t)
        return
    t.day(1)
    a.perform(case_id, "issue_prior_notice", {"penalty_kinds": list(kinds),
                                             "fine_fen": fine_now, "facts": found.facts, "violation": violation, "basis": basis, "on": t.day()})
    a.perform(case_id, "serve_document", _served(ids, officers, pair, {"document": "prior_notice", "method": "direct", "recipient": party.name,
                                                                    "on": t.day()}, refused=n % 10 == 4))
    if target in ("notice", "approved"):
        return
    if target == "hearing":
        a.perform(case_id, "request_hearing", {"form": "written", "on": t.day(2)})
        a.perform(case_id, "give_hearing_notice", {"hearing_on": max(t.now.date() + timedelta(days=14), today + timedelta(days=10)).isoformat(), "place": "本局听证室",
                                                   "chair": officers["chenjing"].id, "on": t.day(1)})
        a.perform(case_id, "serve_document", _served(ids, officers, pair, {"document": "hearing_notice", "method": "direct", "recipient": party.name, "on": t.day()}))
        return
    a.perform(case_id, "record_statement", {"form": "written", "by": party.name, "content": "请求从轻处罚", "on": t.day(2)})
    a.perform(case_id, "record_reexamination", {"adopted": False, "conclusion": "当事人未提出新的事实和理由，不予采纳", "on": t.day(1)})
    t.day(15)  # past the statement and hearing windows, also across a public holiday week
    head.perform(case_id, "make_decision", {**report, "on": t.day(),
                                             "evidence": [e["sha256"] for e in a.view(case_id).state.evidence],
                                             "penalty_kinds": list(kinds), "fine_fen": fine_now, "orders": orders,
                                             "reasons": "当事人的违法事实清楚，证据确凿，依法应当给予行政处罚"})
    if target == "decided":
        return
    a.perform(case_id, "serve_document", _served(ids, officers, pair, {"document": "decision", "method": "direct", "recipient": party.name, "on": t.day(1)}))
    if target == "execution":
        return
    a.perform(case_id, "record_payment", {"amount_fen": fine_now, "channel": "bank", "receipt_no": f"4413{n:06d}", "on": t.day(5)})
    _close(a, head, case_id, "当事人已按期缴清罚款，违法行为已改正，处罚决定执行完毕，建议结案", t)
    if target == "archived":
        a.perform(case_id, "archive_case", {"archive_no": f"{t.now.year}{n:04d}", "retention": "30_years", "on": t.day(3)})
