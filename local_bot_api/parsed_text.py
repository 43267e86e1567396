"""Result type shared by the parse_mode parsers: plain text plus Telegram entities."""

from __future__ import annotations

from dataclasses import dataclass, field


class EntityParseError(ValueError):
    """Markup cannot be parsed; the message is Telegram's detail after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    """Text as the user sees it and its entities (offsets and lengths in UTF-16 code units)."""

    text: str
    entities: list[dict] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def byte_offset(source: str, index: int) -> int:
    """Return the UTF-8 byte offset of `source[index]`, the unit Telegram's parse errors report."""
    return len(source[:index].encode("utf-8"))


def sort_entities(entities: list[dict]) -> list[dict]:
    """Order entities like Telegram: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
