"""Where the rule data (``resources/``) and the schema migrations (``db/``) live.

In a source checkout or an editable install they are the top-level folders beside the package; a built
wheel carries them inside the package as ``_resources`` and ``_db``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _locate(bundled: str, top_level: str) -> Path:
    inside = _PACKAGE / bundled
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / top_level


def resources_dir() -> Path:
    return _locate("_resources", "resources")


def migrations_dir() -> Path:
    return _locate("_db", "db")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


@cache
def load_json(*parts: str) -> Any:
    """Parse a JSON resource once per process. Callers must not mutate the result."""
    with resource_path(*parts).open(encoding="utf-8") as fh:
        return json.load(fh)
