"""Building blocks for walking cases through the services, shared by the procedure tests."""

from __future__ import annotations


def rules_of(exc) -> set[str]:
    """The rule ids a refusal carries."""
    return {r.rule for r in exc.refusals}


def lead(world, party, *, act_date="2025-02-20", received_on=None, cause="销售超过保质期的食品", life_health_finance=False):
    s = world.as_(world.officer_a)
    return s.register_lead(
        {
            "source": "complaint",
            "received_on": received_on or world.clock().date().isoformat(),
            "act_date": act_date,
            "cause": cause,
            "cause_entry": "food_safety_124_1",
            "summary": "群众投诉该店销售过期酸奶",
            "party_id": party.id,
            "handlers": [world.officer_a.id, world.officer_b.id],
            "life_health_finance": life_health_finance,
        }
    )


FIRE_AGENCY = {"name": "惠州仲恺高新区消防救援大队", "seal_name": "惠州仲恺高新区消防救援大队", "area": "惠州仲恺高新区",
               "case_no_prefix": "仲高新消行罚决字", "reconsideration_body": "惠州市消防救援支队", "litigation_court": "惠州市惠城区人民法院"}
FIRE_POWER_LIST = {"format": "power-list/1", "versions": [{
    "version": "fire-2025", "effective_from": "2025-01-01", "effective_to": None, "agency": FIRE_AGENCY["name"],
    "title": "消防救援大队行政处罚权责清单（测试）",
    "powers": [{"id": "fire_protection", "name": "《消防法》规定的行政处罚", "provisions": [{"law": "消防法"}],
                "source": {"kind": "statutory", "basis": {"law": "消防法", "article": "第七十条"},
                           "text": "由住房和城乡建设主管部门、消防救援机构按照各自职权决定"}}]}]}


def as_fire_agency(world):
    """The world's agency made a fire and rescue agency (消防法第七十条), with a power list of the fire law."""
    admin = world.as_(world.admin)
    admin.set_agency(FIRE_AGENCY)
    admin.import_power_list(FIRE_POWER_LIST)


FOOD_VIOLATION = "《中华人民共和国食品安全法》第三十四条第（十）项"  # one of food_safety_124_1's violation bases


def request_filing(world, case_id, on=None, violation=None):
    """The filing request, naming the provision broken: ``violation``, or the first of the case's entry."""
    state = world.as_(world.officer_a).view(case_id).state
    if violation is None:
        entry = world.services.benchmarks().entry(state.cause_entry) if state.cause_entry else None
        violation = entry.violation_basis[0].cite() if entry is not None else FOOD_VIOLATION
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "投诉反映销售过期食品", "violation": violation,
                                                                  "reason": "涉嫌违反食品安全法第三十四条", "on": on})


def file(world, case_id, on=None):
    request_filing(world, case_id, on)
    world.as_(world.head).perform(case_id, "approve_filing", {"opinion": "同意立案", "on": on})


def inspect(world, case_id, at="2025-03-04T10:00", officers=None):
    return world.as_(world.officer_a).perform(
        case_id,
        "record_inspection",
        {
            "started_at": at,
            "ended_at": at[:11] + "11:00",
            "place": "惠州市仲恺高新区惠风路1号店内",
            "officers": officers or [world.officer_a.id, world.officer_b.id],
            "certificates_shown": True,
            "findings": "货架上有超过保质期的酸奶12盒",
            "present": "刘某",
        },
    )


def inquire(world, case_id, at="2025-03-05T09:30"):
    return world.as_(world.officer_a).perform(
        case_id,
        "record_inquiry",
        {
            "started_at": at,
            "ended_at": at[:11] + "10:30",
            "place": "仲恺高新区市场监督管理局询问室",
            "officers": [world.officer_a.id, world.officer_b.id],
            "recorder": "李华",
            "certificates_shown": True,
            "rights_notified": True,
            "person": {"name": "刘某", "id_number": "11010519491231002X", "relation": "当事人"},
            "qa": [{"q": "货架上的酸奶是否过期？", "a": "是的，忘记下架了。"}],
        },
    )


FACTS = "当事人销售超过保质期的酸奶12盒，货值金额120元"
ELEMENTS = {  # the facts of FACTS as the elements 食品安全法第一百二十四条 (food_safety_124_1) needs
    "food": "“鲜乐”原味酸奶（200克/盒，预包装）", "quantity": "12盒（陈列于货架，未售出）", "production_date": "2025年1月10日",
    "shelf_life": "21天（至2025年1月31日）", "nonconformity": "超过保质期20天", "goods_value": "120", "illegal_income": "0",
    "supplier": "惠州市鲜乐乳品经销有限公司（2025年1月15日进货单）",
}
ADVERT_ELEMENTS = {  # an advertiser's advertisement under 广告法第五十七条第（一）项 with 第九条第（三）项
    "product": "当事人自产的“惠鲜”牌压榨花生油", "medium": "当事人网店的商品详情页面",
    "words": "“全网最佳花生油”“最高级压榨工艺”", "period": "2025年1月5日至检查时（2025年3月4日）仍在发布", "advertising_cost": "0",
}
EDUCATION = {"education": "讲解食品安全法第三十四条、第五十四条关于定期检查库存食品、及时清理超过保质期食品的规定",
             "educated_on": "2025-03-05", "education_form": "在询问室当面约谈当事人，并发放《食品经营者食品安全主体责任告知书》"}


def exemption(world, case_id, **changes) -> dict:
    """The conditions of 行政处罚法第三十三条第一款 (初次违法且危害后果轻微并及时改正) as the case's record establishes
    them, the correction proved by its last 现场笔录."""
    inspections = [s.hash for s in world.services.current_state(case_id).steps if s.kind == "record_inspection"]
    return {"no_penalty_ground": "first_violation_exemption",
            "first_violation": "经查询国家企业信用信息公示系统和本局执法记录，当事人两年内无同类违法记录",
            "harm": "涉案酸奶12盒均未售出，没有消费者购买食用", "corrected_on": "2025-03-04",
            "correction": "当事人当场下架、销毁超过保质期的酸奶12盒，并建立临期食品检查台账", "exemption_evidence": inspections[-1:],
            **changes}


def report(world, case_id, *, fine_yuan=50000, kinds=("fine", "confiscate_illegal_property"), outcome="penalty", complex_=False, deviation=False,
           **extra):
    payload = {
        "outcome": outcome,
        "facts": FACTS, "facts_elements": ELEMENTS,
        "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "discretion": "货值不足一万元，按一般阶次处以罚款",
        "complex": complex_,
        "benchmark_deviation": deviation,
        "deviation_reason": "当事人主动消除危害后果" if deviation else "",
    }
    if outcome == "penalty":
        payload.update({"penalty_kinds": list(kinds), "fine_fen": fine_yuan * 100})
    if outcome == "no_penalty":
        payload.update(exemption(world, case_id))
    return world.as_(world.officer_a).perform(case_id, "submit_investigation_report", {**payload, **extra})


def notice(world, case_id, *, fine_yuan=50000, on=None, kinds=("fine", "confiscate_illegal_property")):
    s = world.as_(world.officer_a)
    s.perform(
        case_id,
        "issue_prior_notice",
        {
            "penalty_kinds": list(kinds),
            "fine_fen": fine_yuan * 100,
            "facts": FACTS,
            "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
            "on": on,
        },
    )
    s.perform(case_id, "serve_document", {"document": "prior_notice", "method": "direct", "recipient": "刘某", "on": on})


def review(world, case_id, outcome="approve", reviewer=None, corrections=""):
    checklist = {
        item: {"finding": "pass", "comment": ""}
        for item in (
            "agency_competence", "officer_qualification", "procedure", "facts_and_evidence", "law_applied",
            "discretion_benchmark", "within_powers", "documents", "suspected_crime",
        )
    }
    if outcome != "approve":
        checklist["facts_and_evidence"] = {"finding": "issue", "comment": "货值金额的证据不足"}
    return world.as_(reviewer or world.reviewer).perform(
        case_id, "record_legal_review", {"outcome": outcome, "checklist": checklist, "opinion": "审核意见", "corrections": corrections}
    )


def notified_and_waived(world, case_id, *, fine_yuan=50000, kinds=("fine", "confiscate_illegal_property")):
    """Reported, notified and the party's written waiver of statement and hearing: ready to be decided."""
    report(world, case_id, fine_yuan=fine_yuan, kinds=kinds)
    notice(world, case_id, fine_yuan=fine_yuan, kinds=kinds)
    world.as_(world.officer_a).perform(case_id, "waive_rights", {"written": True, "statement": "放弃"})


def submit_review(world, case_id, corrections_made=""):
    return world.as_(world.officer_a).perform(
        case_id,
        "submit_legal_review",
        {"summary": "事实清楚，证据确凿", "draft_decision": "拟罚款", "corrections_made": corrections_made},
    )


def records(world, case_id) -> list[str]:
    """The case's 笔录 (inspection, questioning), which a decision may cite as its evidence (Art. 46)."""
    return [s.hash for s in world.services.current_state(case_id).steps if s.kind in ("record_inspection", "record_inquiry")]


def decide(world, case_id, *, fine_yuan=50000, kinds=("fine", "confiscate_illegal_property"), outcome="penalty", **extra):
    payload = {
        "outcome": outcome,
        "facts": FACTS, "facts_elements": ELEMENTS,
        "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "discretion": "货值不足一万元，按一般阶次处以罚款",
        "orders": "立即停止销售超过保质期的食品，并于本决定书送达之日起十五日内清查库存、建立临期食品检查制度",
        "evidence": records(world, case_id),
        **({**exemption(world, case_id), **EDUCATION} if outcome == "no_penalty" else {}),
        **extra,
    }
    if outcome == "penalty":
        payload.update({"penalty_kinds": list(kinds), "fine_fen": fine_yuan * 100})
    return world.as_(world.head).perform(case_id, "make_decision", payload)


def investigated(world, party=None, *, inquire_too: bool = True):
    """A case filed on 3 March 2025, inspected (and questioned) by 5 March: the start of most walks."""
    case_id = lead(world, party or world.company)
    file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    inspect(world, case_id)
    if inquire_too:
        inquire(world, case_id)
    return case_id


def closed_case(world, tmp_path, *, archive=True):
    """A penalty case walked to its close (and archive) with two photos as evidence: a file without a flaw
    the record can see. Returns the case id and the photos' hashes."""
    case_id, hashes = paid_case(world, tmp_path)
    close(world, case_id, "罚款已缴清，结案")
    if archive:
        world.as_(world.officer_a).perform(case_id, "archive_case", {"archive_no": "20250001", "retention": "30_years"})
    return case_id, hashes


def paid_case(world, tmp_path):
    """:func:`closed_case` up to the payment in full: ready to be closed. Returns the case id and the photos' hashes."""
    case_id = lead(world, world.company)
    file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    inspect(world, case_id)
    s = world.as_(world.officer_a)
    hashes = []
    for n in range(2):
        photo = tmp_path / f"photo{n}.png"
        png(photo, n * 50)
        hashes.append(s.add_evidence(case_id, photo, photo_details(world, n)))
    identity(world, case_id, tmp_path)
    inquire(world, case_id)
    world.clock.set("2025-03-10T09:00")
    report(world, case_id, fine_yuan=50000)
    notice(world, case_id, fine_yuan=50000)
    world.clock.set("2025-03-18T09:00")
    decide(world, case_id, fine_yuan=50000, evidence=hashes)
    s.perform(case_id, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    s.perform(case_id, "record_payment", {"amount_fen": 5_000_000, "channel": "bank", "receipt_no": "NO.0001"})
    return case_id, hashes


def photo_details(world, n: int = 0) -> dict:
    """The particulars of an on-site photo (kind ``photo``): when, where and by whom it was taken, the witness
    and what it proves."""
    return {"kind": "photo", "description": f"现场照片{n + 1}", "source": "现场拍摄",
            "collected_by": [world.officer_a.id, world.officer_b.id], "collected_at": "2025-03-04T10:30", "place": "店内",
            "taken_at": f"2025-03-04T10:{10 + n:02d}", "taken_place": "惠州市仲恺高新区惠风路1号店内货架", "taken_by": "张明",
            "witness": "刘某", "proves": f"货架上陈列超过保质期的酸奶（第{n + 1}组）"}


def identity(world, case_id, tmp_path, party=None) -> str:
    """The copy of the party's business licence (or identity card) filed as its identity proof."""
    party = party or world.company
    scan = tmp_path / f"licence-{party.id[:8]}.png"
    png(scan, 200, 96, 64)
    organisation = party.kind.value == "organisation"
    return world.as_(world.officer_a).add_evidence(case_id, scan, {
        "kind": "identity", "description": "营业执照复印件（当事人签字确认与原件一致）" if organisation else "居民身份证复印件",
        "source": "当事人提供", "collected_by": [world.officer_a.id, world.officer_b.id], "collected_at": "2025-03-04T11:00",
        "place": "店内", "identity_document": "营业执照" if organisation else "居民身份证", "identity_no": party.identity_no})


def close(world, case_id, summary="罚款已缴清，结案", *, officer=None, head=None, on=None):
    """The handling officer asks for closing (结案审批表) and a head who did not handle the case approves it:
    the case is closed on the approval. Returns the approval's event hash."""
    world.as_(officer or world.officer_a).perform(case_id, "request_closing", {"summary": summary, "on": on, "proposed_on": on})
    return world.as_(head or world.head).perform(case_id, "approve_closing", {"opinion": "同意结案", "on": on})


def png(path, seed: int = 0, width: int = 64, height: int = 48) -> None:
    """A small valid PNG (a colour gradient) for evidence photos."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes((x * 4 + seed) % 256 for x in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def seal_as_the_device(db) -> None:
    """Seal what a test appended to the store directly, as the services do at the end of every write."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from enforcement_app.store import seals
    from enforcement_app.store.database import device_key_name, meta
    from enforcement_app.store.keystore import default_keystore

    device = meta(db, "device_id")
    key = Ed25519PrivateKey.from_private_bytes(default_keystore().get(device_key_name(device)))
    last = seals.last(db)
    with db.atomic():
        seals.seal(db, key, device, last.seq if last else 0)


# --- signatures on the 笔录, as the client's signature pad captures them --------------------------------------

def handwritten(kind: str, payload: dict, signer: str, name: str, at: str = "2025-03-04T11:00:00+08:00") -> dict:
    """One signer's drawn signature over the text of ``payload`` (as the pad binds it)."""
    from enforcement_app.domain.handwriting import handwritten_entry, scribble

    return handwritten_entry(kind, payload, signer, name, scribble(name), at)


def autosigned(kind: str, payload, officer_names):
    """``payload`` with the drawn signatures of the people it names, as resources/law/signers.json asks for
    them, unless it says who signed (``signatures``)."""
    from enforcement_app.domain.handwriting import names_in, usual_signers

    if not isinstance(payload, dict) or "signatures" in payload:
        return payload
    signers = usual_signers(kind, payload, names_in(payload, officer_names))
    if not signers:
        return payload
    return {**payload, "signatures": [handwritten(kind, payload, role, name) for role, name in signers]}
