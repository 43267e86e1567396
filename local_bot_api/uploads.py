"""A file part received in a multipart request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upload:
    """Bytes of an uploaded file together with the name and type the client gave."""

    filename: str
    data: bytes
    content_type: str | None = None
