"""The role × action matrix: the procedure's declared actions plus the others in ``resources/permissions.json``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..resources import load_json
from .officers import ROLE_ZH, Officer, Role
from .refusals import PermissionDenied, Refusal


@dataclass(frozen=True)
class ActionPermission:
    action: str
    title: str
    roles: frozenset[Role]
    handler_only: bool


class Permissions:
    def __init__(self, document: Mapping[str, Any], declared: Iterable[ActionPermission] = ()):
        if document.get("format") != "permissions/1":
            raise ValueError("permissions: format 应为 permissions/1")
        self._actions = {p.action: p for p in declared}
        for name, spec in document["actions"].items():
            if name in self._actions:
                raise ValueError(f"permissions: {name} 由程序声明，不应在 permissions.json 中重复")
            self._actions[name] = ActionPermission(
                name, str(spec["title"]), frozenset(Role(r) for r in spec["roles"]), bool(spec.get("handler_only"))
            )

    @classmethod
    def default(cls) -> Permissions:
        # imported here: the procedure's engine judges actions with a Permissions, so it sits above this module
        from .procedure import ACTIONS

        declared = (ActionPermission(a.kind.value, a.title, a.roles, a.handler_only) for a in ACTIONS.values())
        return cls(load_json("permissions.json"), declared)

    def __getitem__(self, action: str) -> ActionPermission:
        return self._actions[action]

    def __iter__(self):
        return iter(self._actions.values())

    def title(self, action: str) -> str:
        return self._actions[action].title if action in self._actions else action

    def refusals(self, actor: Officer, action: str, handlers: tuple[str, ...] = ()) -> list[Refusal]:
        spec = self._actions.get(action)
        if spec is None:
            return [Refusal("unknown_action", f"未知的操作：{action}")]
        if not actor.active:
            return [Refusal("inactive_user", f"用户 {actor.name} 已停用")]
        if not any(actor.has_role(r) for r in spec.roles):
            needed = "、".join(ROLE_ZH[r] for r in sorted(spec.roles))
            return [Refusal("role", f"“{spec.title}”须由{needed}办理，{actor.name}没有相应角色")]
        if spec.handler_only and handlers and actor.id not in handlers:
            return [Refusal("handler_only", f"“{spec.title}”只能由本案承办人员办理")]
        return []

    def check(self, actor: Officer, action: str, handlers: tuple[str, ...] = ()) -> None:
        refusals = self.refusals(actor, action, handlers)
        if refusals:
            raise PermissionDenied(refusals)
