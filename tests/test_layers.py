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


# service functions that hand out a table row on purpose: used only inside services (queueing a mail,
# loading a report or the overdue tickets for the step that changes them), never by a channel or the CLI
ROW_RETURNING_INTERNALS = {"queue_mail", "mark_bounced", "get_report", "load_report", "overdue_tickets"}


def _table_names() -> set[str]:
    from sqlmodel import SQLModel

    import storage.tables as tables

    return {
        name
        for name, value in vars(tables).items()
        if isinstance(value, type) and issubclass(value, SQLModel) and hasattr(value, "__table__")
    }


def test_services_hand_out_dataclasses_not_table_rows():
    """Channels and the CLI get plain values: a row would tie them to the session it came from."""
    tables, offenders = _table_names(), []
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.returns is None:
                continue
            returned = {n.id for n in ast.walk(node.returns) if isinstance(n, ast.Name)}
            if node.name.startswith("_") or node.name in ROW_RETURNING_INTERNALS or not returned & tables:
                continue
            offenders.append(f"{path.relative_to(ROOT)}: {node.name} -> {ast.unparse(node.returns)}")
    assert offenders == []
    channels = [ROOT / name for name in ("bot", "handlers", "mail", "web")]
    users = [
        f"{path.relative_to(ROOT)}: {name}"
        for folder in channels
        for path in folder.rglob("*.py")
        for name in ROW_RETURNING_INTERNALS
        if f"import {name}" in path.read_text(encoding="utf-8")
        or f" {name}," in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_chat_handlers_never_commit_the_session_middleware_does():
    offenders = []
    for path in (ROOT / "handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"commit", "rollback"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []
