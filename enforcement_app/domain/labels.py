"""The Chinese names of the procedure's codes, in one place for forms, documents, inboxes and the client.

The procedure takes its codes from these tables (``procedure.CASE_SOURCES`` is ``tuple(CASE_SOURCE_ZH)`` …), so a
code and its name are declared once and a form offers exactly what the procedure accepts. The other
tables of names sit beside their types: ``STAGE_ZH`` and ``OUTCOME_ZH`` (case), ``PENALTY_KIND_ZH``
(penalties), ``ROLE_ZH`` (officers), ``Grade.zh`` and ``BASE_ZH`` (discretion); an action's name is its
declared title (``procedure.title_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CASE_SOURCE_ZH = {"complaint": "投诉举报", "inspection": "监督检查", "referral": "其他部门移送", "report": "上级交办",
             "assigned": "指定管辖", "other": "其他"}
EVIDENCE_KIND_ZH = {"documentary": "书证", "physical": "物证", "audiovisual": "视听资料", "electronic_data": "电子数据",
                    "witness_testimony": "证人证言", "party_statement": "当事人的陈述", "expert_opinion": "鉴定意见",
                    "inspection_record": "勘验笔录、现场笔录", "photo": "照片", "identity": "当事人身份证明"}
"""photo: a picture taken of the facts, with when, where and by whom it was taken and what it proves; identity: the
copy of the party's identity card or business licence (主体资格证明), filed as its own document."""
SERVICE_METHOD_ZH = {"direct": "直接送达", "left_at_address": "留置送达", "post": "邮寄送达", "electronic": "电子送达",
                     "entrusted": "委托送达", "forwarded": "转交送达", "public_notice": "公告送达"}
SERVED_DOCUMENT_ZH = {"prior_notice": "行政处罚告知书", "hearing_notice": "听证通知书", "decision": "行政处罚决定书", "reminder": "催告书",
                      "transfer_letter": "涉嫌犯罪案件移送书"}
DECISION_TITLE_ZH = {"penalty": "行政处罚决定书", "no_penalty": "不予行政处罚决定书", "dismissal": "撤销案件决定书",
                     "transfer": "涉嫌犯罪案件移送书"}
"""The document a decision is, by its outcome: what a 送达回证 of the decision names."""


def served_document_zh(document: str, issued: Mapping[str, Any] | None = None) -> str:
    """The name of the document served: the decision by its outcome (a 不予行政处罚决定书 is not a 行政处罚决定书);
    ``issued``: the document as issued (the decision's payload), if known."""
    if document == "decision" and issued:
        return DECISION_TITLE_ZH.get(str(issued.get("outcome") or "penalty"), SERVED_DOCUMENT_ZH["decision"])
    return SERVED_DOCUMENT_ZH.get(document, document)


NO_PENALTY_GROUND_ZH = {"minor_under_14": "不满十四周岁的未成年人有违法行为",
                        "mental_incapacity": "精神病人、智力残疾人在不能辨认或者不能控制自己行为时有违法行为",
                        "minor_and_corrected": "违法行为轻微并及时改正，没有造成危害后果",
                        "first_violation_exemption": "初次违法且危害后果轻微并及时改正",
                        "no_subjective_fault": "当事人有证据足以证明没有主观过错",
                        "other": "法律、法规规定的其他不予行政处罚情形"}
"""Why no penalty is given: the bars of 行政处罚法第三十条 and 第三十一条, the three grounds of 第三十三条 (named as
the circumstances of the benchmark catalogue that stand for them), or another statute's, cited in the decision."""
NO_PENALTY_GROUND_BASIS = {"minor_under_14": "《中华人民共和国行政处罚法》第三十条",
                           "mental_incapacity": "《中华人民共和国行政处罚法》第三十一条",
                           "minor_and_corrected": "《中华人民共和国行政处罚法》第三十三条第一款",
                           "first_violation_exemption": "《中华人民共和国行政处罚法》第三十三条第一款",
                           "no_subjective_fault": "《中华人民共和国行政处罚法》第三十三条第二款"}
REVIEW_CHECKLIST_ZH = {"agency_competence": "执法主体、管辖权", "officer_qualification": "执法人员资格", "procedure": "程序是否合法",
                       "facts_and_evidence": "事实是否清楚、证据是否确凿", "law_applied": "适用法律是否准确",
                       "discretion_benchmark": "裁量基准适用是否适当", "within_powers": "是否超越职权", "documents": "文书是否规范",
                       "suspected_crime": "是否涉嫌犯罪需要移送"}
REVIEW_OUTCOME_ZH = {"approve": "同意", "return": "退回补正", "disapprove": "不同意"}
APPROVAL_MATTER_ZH = {"extension": "延长办案期限", "evidence_preservation": "先行登记保存证据", "payment_deferral": "暂缓缴纳罚款",
                      "instalments": "分期缴纳罚款"}
REMEDY_KIND_ZH = {"reconsideration": "申请行政复议", "litigation": "提起行政诉讼"}
REMEDY_OUTCOME_ZH = {"upheld": "维持", "changed": "变更", "revoked": "撤销", "confirmed_illegal": "确认违法"}
PAYMENT_CHANNEL_ZH = {"bank": "银行缴款", "electronic": "电子缴款", "on_spot": "当场收缴"}
ON_SPOT_GROUND_ZH = {"small_fine": "依法给予一百元以下罚款（第六十八条第（一）项）", "hard_to_collect": "不当场收缴事后难以执行（第六十八条第（二）项）",
                     "remote_area": "边远、水上、交通不便地区，当事人到银行或者通过电子支付系统缴纳确有困难并提出（第六十九条）"}
STATEMENT_FORM_ZH = {"written": "书面", "oral": "口头"}
ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照", "hk_macao_permit": "港澳居民来往内地通行证",
              "taiwan_permit": "台湾居民来往大陆通行证", "foreign_permanent_id": "外国人永久居留身份证", "other": "其他身份证件"}
"""The identity document a person questioned shows (a number without its kind, in records before: the 居民身份证)."""
SEX_ZH = {"male": "男", "female": "女"}
RELATION_SUGGESTIONS = ("当事人", "当事人的法定代表人（负责人）", "当事人的工作人员", "证人", "其他知情人")
"""What the person questioned is to the case, as the form offers it (anything else may be written)."""
CLOSING_GROUND_ZH = {"executed": "行政处罚决定执行完毕", "court_enforcement": "已申请人民法院强制执行", "no_penalty": "作出不予行政处罚决定",
                     "dismissal": "违法事实不能成立，撤销案件", "transfer": "涉嫌犯罪，已移送司法机关"}
RETENTION_ZH = {"30_years": "30年", "permanent": "永久"}
PRESERVATION_DISPOSAL_ZH = {"release": "解除先行登记保存", "technical_inspection": "技术检测", "seize": "查封扣押", "confiscate": "没收",
                            "transfer": "移送"}
RECUSAL_DECISION_ZH = {"granted": "准予回避", "refused": "驳回"}
HEARING_ABSENCE_ZH = {"absent_without_reason": "无正当理由拒不出席", "left_without_permission": "未经许可中途退出"}
