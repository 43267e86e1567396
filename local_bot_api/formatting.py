"""Apply parse_mode to message texts and captions and enforce Telegram's length limits."""

from __future__ import annotations

from collections.abc import Callable

from .errors import bad_request
from .html_check import parse_html
from .markdown_check import parse_markdown, parse_markdown_v2
from .parsed_text import EntityParseError, ParsedText, utf16_len

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_PARSERS: dict[str, Callable[[str], ParsedText]] = {
    "html": parse_html,
    "markdownv2": parse_markdown_v2,
    "markdown": parse_markdown,
}


def parse_text(text: str, parse_mode: str | None, entities: list[dict] | None) -> ParsedText:
    """Return the plain text and entities for `text` under `parse_mode` (case-insensitive, as Telegram)."""
    if not parse_mode:
        return ParsedText(text, list(entities or []))
    parser = _PARSERS.get(parse_mode.lower())
    if parser is None:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}; use HTML, MarkdownV2 or Markdown")
    try:
        return parser(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None


def message_text(text: str | None, parse_mode: str | None, entities: list[dict] | None) -> ParsedText:
    """Parse a message text; 1-4096 characters after entity parsing, like Telegram."""
    parsed = parse_text(text or "", parse_mode, entities)
    # Telegram trims surrounding whitespace, so a blank text counts as empty.
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return parsed


def caption_text(
    caption: str | None, parse_mode: str | None, entities: list[dict] | None
) -> ParsedText | None:
    """Parse an optional media caption; at most 1024 characters after entity parsing."""
    if caption is None:
        return None
    parsed = parse_text(caption, parse_mode, entities)
    if utf16_len(parsed.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return parsed
