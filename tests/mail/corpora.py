"""Which files of the shared e-mail corpora are messages, bare reply texts or documentation."""

from __future__ import annotations

import mailbox
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
SISIMAI = CORPORA / "sisimai-set-of-emails"
MIKEL = CORPORA / "mikel-mail" / "spec" / "fixtures" / "emails"
SYNTHETIC = CORPORA / "synthetic-de-reply-headers"
# Plain-text reply bodies without headers: they exercise extract_reply, not the MIME parser.
REPLY_TEXT_FOLDERS = (
    "crisp-oss-email-reply-parser",
    "zapier-email-reply-parser",
    "synthetic-de-reply-headers",
)
DOCUMENT_NAMES = {"README.md", "LICENSE", "MIT-LICENSE", "expected_assertions.json", "expected.json"}
MBOX_FILES = {"mbox-0", "mbox-1"}


def all_files() -> list[Path]:
    """Every file under the corpora folder."""
    return sorted(path for path in CORPORA.rglob("*") if path.is_file())


def is_reply_text(path: Path) -> bool:
    """A bare reply body (no headers) from one of the reply-parser corpora."""
    top = path.relative_to(CORPORA).parts[0]
    return top in REPLY_TEXT_FOLDERS and path.suffix == ".txt"


def is_document(path: Path) -> bool:
    """README, licence and expected-output files: data about the corpora, not messages."""
    return path.name in DOCUMENT_NAMES


def message_files() -> list[Path]:
    """Every message file (.eml, maildir entries, mbox files)."""
    return [path for path in all_files() if not is_reply_text(path) and not is_document(path)]


def reply_text_files() -> list[Path]:
    """Every bare reply text."""
    return [path for path in all_files() if is_reply_text(path)]


def mbox_messages(path: Path) -> list[bytes]:
    """The single messages of an mbox file."""
    box = mailbox.mbox(path, create=False)
    try:
        return [box.get_bytes(key) for key in box.keys()]
    finally:
        box.close()


def raw_messages() -> list[tuple[str, bytes]]:
    """(name, bytes) of every message, mbox files both whole and split into their messages."""
    found = []
    for path in message_files():
        name = str(path.relative_to(CORPORA))
        data = path.read_bytes()
        found.append((name, data))
        if path.name in MBOX_FILES:
            found += [(f"{name}#{index}", raw) for index, raw in enumerate(mbox_messages(path))]
    return found
