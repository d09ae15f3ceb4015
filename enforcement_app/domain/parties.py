"""Parties (当事人): a person identified by citizen ID number or an organisation by USCC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

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


def build_party(party_id: str, data: Mapping[str, Any]) -> Party:
    """Validate a party form; collects every problem so the form can mark each field at once."""
    problems: list[Refusal] = []
    raw_kind = str(data.get("kind", "")).strip()
    try:
        kind = PartyKind(raw_kind)
    except ValueError:
        raise InvalidInput.at("kind", f"当事人类型应为 person（公民）或 organisation（法人或其他组织），实际为 {raw_kind!r}") from None
    name = str(data.get("name", "")).strip()
    if not name:
        problems.append(Refusal("invalid_input", "当事人名称不能为空", field="name"))
    id_number = uscc = ""
    try:
        if kind == PartyKind.PERSON:
            id_number = validate_id_number(str(data.get("id_number", "")))
        else:
            uscc = validate_uscc(str(data.get("uscc", "")))
    except InvalidIdentityNumber as exc:
        problems.append(Refusal("invalid_input", exc.message, field=exc.field))
    legal_representative = str(data.get("legal_representative", "")).strip()
    if kind == PartyKind.ORGANISATION and not legal_representative:
        problems.append(Refusal("invalid_input", "单位当事人须填写法定代表人或负责人", field="legal_representative"))
    phone = str(data.get("phone", "")).strip()
    if phone and not all(c.isdigit() or c in "+- " for c in phone):
        problems.append(Refusal("invalid_input", f"联系电话只能包含数字、空格、+ 和 -：{phone!r}", field="phone"))
    if problems:
        raise InvalidInput(problems)
    return Party(
        id=party_id,
        kind=kind,
        name=name,
        id_number=id_number,
        uscc=uscc,
        legal_representative=legal_representative,
        address=str(data.get("address", "")).strip(),
        phone=phone,
    )
