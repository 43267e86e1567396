"""The pure mail modules stay a parsing/composition layer: no transports, no I/O, no import-time state."""

from __future__ import annotations

import ast
from pathlib import Path

MAIL = Path(__file__).resolve().parents[2] / "mail"
# Transports and anything that touches the network or the file system belong to later layers.
FORBIDDEN = {
    "aiogram", "imapclient", "aiosmtplib", "aiohttp", "smtplib", "imaplib", "socket", "ssl", "urllib",
    "http", "requests", "httpx", "os", "pathlib", "shutil", "subprocess", "sqlalchemy", "sqlmodel",
}  # fmt: skip


# The parsing/composition layer; transports (IMAP reader, SMTP outbox) live beside it and call it.
PURE_MODULES = (
    "__init__", "addresses", "authentication", "auto_reply", "bounces", "charsets", "compose", "html_text",
    "loop_guard", "message_parser", "mime_body", "parsing", "reply_text",
)  # fmt: skip


def _modules() -> list[Path]:
    return [MAIL / f"{name}.py" for name in PURE_MODULES]


def _imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_mail_modules_import_no_transport_network_or_file_library():
    offenders = {
        path.name: sorted(_imports(ast.parse(path.read_text(encoding="utf-8"))) & FORBIDDEN)
        for path in _modules()
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_mail_modules_call_nothing_at_import_time_but_compile_patterns_and_build_constants():
    allowed_calls = {
        "re.compile",
        "frozenset",
        "dict",
        "set",
        "tuple",
        "sorted",
        "join",
        "replace",
        "escape",
        "items",
    }
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for statement in tree.body:
            if not isinstance(statement, ast.Assign | ast.AnnAssign):
                continue
            for node in ast.walk(statement):
                if isinstance(node, ast.Call):
                    name = ast.unparse(node.func)
                    assert name in allowed_calls or name.split(".")[-1] in allowed_calls, (
                        f"{path.name}: {name}"
                    )


def test_every_module_and_public_function_has_a_docstring():
    missing = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(path.name)
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.ClassDef) or node.name.startswith("_"):
                continue
            if not ast.get_docstring(node):
                missing.append(f"{path.name}:{node.name}")
            if isinstance(node, ast.ClassDef):
                missing += [
                    f"{path.name}:{node.name}.{item.name}"
                    for item in node.body
                    if isinstance(item, ast.FunctionDef)
                    and not item.name.startswith("_")
                    and not ast.get_docstring(item)
                ]
    assert missing == []
