"""Parties (当事人): a person identified by citizen ID number or an organisation by USCC."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .forms import Form
from .identity import InvalidIdentityNumber, validate_id_number, validate_uscc
from .penalties import PartyKind
from .refusals import InvalidInput, Refusal


@dataclass(frozen=True)
class Party:
    id: str
    kind: PartyKind
    name: str
    id_number: str = ""  # person
    uscc: str = ""  # organisation
    legal_representative: str = ""
    address: str = ""
    phone: str = ""

    @property
    def identity_no(self) -> str:
        return self.id_number if self.kind == PartyKind.PERSON else self.uscc

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_party(party_id: str, data: Mapping[str, Any], more: Iterable[Refusal] = ()) -> Party:
    """Validate a party form; collects every problem, followed by ``more`` (those found outside the
    domain, such as an id that cannot name a record), so the form can mark each field at once. Text fields
    must be text (a list or an object where a name is wanted is refused, not written out as its repr)."""
    if not isinstance(data, Mapping):
        raise InvalidInput.at("kind", "当事人信息应为 JSON 对象")
    form = Form(data)
    form.problems.extend(more)
    kind = _kind(form)
    name = form.text("name", "当事人名称", required=False, max_len=200)
    if not name and not any(r.field == "name" for r in form.problems):
        form.problem("name", "当事人名称不能为空")
    id_number = uscc = ""
    numbers = {key: form.text(key, label, required=False, max_len=40) for key, label in (("id_number", "公民身份号码"), ("uscc", "统一社会信用代码"))}
    key = "id_number" if kind == PartyKind.PERSON else "uscc"
    number = numbers[key]
    try:
        if kind == PartyKind.PERSON:
            id_number = validate_id_number(number)
        elif kind == PartyKind.ORGANISATION:
            uscc = validate_uscc(number)
    except InvalidIdentityNumber as exc:
        if not any(r.field == key for r in form.problems):
            form.problem(exc.field, exc.message)
    legal_representative = form.text("legal_representative", "法定代表人", required=False, max_len=200)
    if kind == PartyKind.ORGANISATION and not legal_representative and not any(r.field == "legal_representative" for r in form.problems):
        form.problem("legal_representative", "单位当事人须填写法定代表人或负责人")
    address = form.text("address", "住所（地址）", required=False, max_len=500)
    phone = form.text("phone", "联系电话", required=False, max_len=40)
    if phone and not all(c.isdigit() or c in "+- " for c in phone):
        form.problem("phone", f"联系电话只能包含数字、空格、+ 和 -：{phone!r}")
    if form.problems or kind is None:
        raise InvalidInput(form.problems)
    return Party(
        id=party_id,
        kind=kind,
        name=name,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
        address=address,
        phone=phone,
    )


def _kind(form: Form) -> PartyKind | None:
    """The party's kind; None (and a problem noted) when the form gives none that is known."""
    raw = form.text("kind", "当事人类型", required=False)
    try:
        return PartyKind(raw)
    except ValueError:
        if not any(r.field == "kind" for r in form.problems):
            form.problem("kind", f"当事人类型应为 person（公民）或 organisation（法人或其他组织），实际为 {raw!r}")
        return None
