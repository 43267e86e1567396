"""In-memory store of uploaded files, addressed by file_id and by getFile path."""

from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass

# Telegram's file_id prefixes differ per kind; mimicking them keeps logs familiar.
_ID_PREFIX = {"document": "BQACAgIAAxkBAA", "photo": "AgACAgIAAxkBAA"}
_PATH_DIR = {"document": "documents", "photo": "photos"}


@dataclass(frozen=True)
class FileRecord:
    """One stored file with the metadata Telegram reports for it."""

    file_id: str
    file_unique_id: str
    kind: str
    filename: str | None
    data: bytes
    mime_type: str | None
    file_path: str
    width: int = 0
    height: int = 0
    from_url: bool = False

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)


class FileStore:
    """Bounded file registry; the oldest files are forgotten first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._by_id: dict[str, FileRecord] = {}
        self._by_path: dict[str, FileRecord] = {}
        self._counter = 0

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] = (0, 0),
        from_url: bool = False,
    ) -> FileRecord:
        """Store bytes and return the record with fresh file_id and file_path."""
        self._counter += 1
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        elif kind == "photo":
            suffix = ".jpg"
        if kind == "document":
            # Telegram derives the type from the file name; clients often just declare octet-stream.
            guessed = mimetypes.guess_type(filename)[0] if filename else None
            mime_type = guessed or (mime_type or "application/octet-stream").split(";")[0].strip()
        record = FileRecord(
            file_id=_ID_PREFIX.get(kind, "CQACAgIAAxkBAA") + secrets.token_urlsafe(30),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            kind=kind,
            filename=filename,
            data=data,
            mime_type=mime_type,
            file_path=f"{_PATH_DIR.get(kind, 'files')}/file_{self._counter}{suffix}",
            width=size[0],
            height=size[1],
            from_url=from_url,
        )
        self._by_id[record.file_id] = record
        self._by_path[record.file_path] = record
        while len(self._by_id) > self._capacity:
            oldest = next(iter(self._by_id.values()))
            del self._by_id[oldest.file_id]
            self._by_path.pop(oldest.file_path, None)
        return record

    def get(self, file_id: str) -> FileRecord | None:
        """Return the file for a file_id, or None."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> FileRecord | None:
        """Return the file for a getFile path, or None."""
        return self._by_path.get(file_path)
