"""Domain layers stay free of channel libraries, so every channel can call them."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"aiogram", "imapclient", "aiosmtplib", "aiohttp"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_services_storage_and_knowledge_import_no_channel_library():
    offenders = []
    for package in ("services", "storage", "knowledge"):
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) & FORBIDDEN
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_knowledge_and_storage_import_nothing_of_ours():
    ours = {"bot", "handlers", "services", "mail"}
    offenders = []
    for package, allowed in (("knowledge", set()), ("storage", set())):
        for path in (ROOT / package).rglob("*.py"):
            bad = (_imports(path) & ours) - allowed
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []
