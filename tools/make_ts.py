"""Write resources/i18n/enforcement_zh_CN.ts from tools/zh_CN.py (run after adding interface strings)."""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from zh_CN import ZH_CN  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", '<TS version="2.1" language="zh_CN">']
    for context in sorted(ZH_CN):
        lines += ["<context>", f"    <name>{context}</name>"]
        for source, translation in ZH_CN[context].items():
            numerus = "%n" in source
            lines.append('    <message numerus="yes">' if numerus else "    <message>")
            lines.append(f"        <source>{escape(source)}</source>")
            if numerus:
                lines.append(f"        <translation><numerusform>{escape(translation)}</numerusform></translation>")
            else:
                lines.append(f"        <translation>{escape(translation)}</translation>")
            lines.append("    </message>")
        lines.append("</context>")
    lines.append("</TS>")
    (ROOT / "resources" / "i18n" / "enforcement_zh_CN.ts").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
