"""The hub's receipts checked (issue #16, :mod:`..domain.witness`): each must be signed by a hub key that a CA
this device joined vouches for, and every event it names must still be in the record with its stream. A record
cut back, rewritten or swapped for an older copy no longer holds what the hub confirmed receiving from it.

The CAs are the ones kept in the network folder beside the database (``ca.pem``, and ``ca-*.pem`` of hubs left).
Receipts that no CA here can check are a problem, not a note: deleting the CA must not quietly disarm them.
"""

from __future__ import annotations

from ..domain import witness
from ..store import cases as case_store
from ..store import events as event_store
from ..store import receipts as receipt_store
from ..store.database import network_dir
from ..store.integrity import Problem


def receipt_problems(services) -> list[Problem]:
    """The problems of the receipts ``services`` (a :class:`.core.ServicesCore`) holds; none without receipts."""
    db = services.db
    rows = receipt_store.all_receipts(db)
    if not rows:
        return []
    cas = [p.read_bytes() for p in sorted(network_dir(services.path).glob("ca*.pem"))]
    if not cas:
        return [Problem("receipt_unverifiable", f"本机保存有汇聚节点的 {len(rows)} 份回执，但加入机构网络时的汇聚节点证书不见了："
                                                "回执无法核对（证书被删除，或数据库被挪到了别处）")]
    problems: list[Problem] = []
    carried: dict[tuple[str, str], str] = {}
    for body, signature, received_at in rows:
        receipt, why = None, ""
        for ca in cas:
            try:
                receipt = witness.check(body, signature, ca, services.device_id)
                break
            except witness.ReceiptError as exc:
                why = str(exc)
        if receipt is None:
            problems.append(Problem("receipt_invalid", f"{received_at[:19].replace('T', ' ')} 收到的汇聚节点回执无效：{why}"))
            continue
        for event in receipt.events:
            carried.setdefault(event, receipt.at)
    present = event_store.known_in_streams(db, list(carried))
    names = case_store.case_numbers(db, {s for s, _h in carried})
    problems += [Problem("witness_missing", f"汇聚节点于 {at[:19].replace('T', ' ')} 确认收到的记录 {h[:12]}… 已不在本数据库中："
                                            "此后记录被删改、截断，或数据库被换成了较早的副本", names.get(s, s), hash=h, file="hub_receipt")
                 for (s, h), at in carried.items() if (s, h) not in present]
    return problems
