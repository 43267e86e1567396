"""Telegram's HTML parse_mode: reject what Telegram rejects, return plain text and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parsed_text import EntityParseError, ParsedText, byte_offset, sort_entities, utf16_len

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7}));")
_NAME_RE = re.compile(r"[A-Za-z0-9-]*")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s>]*")
_WS = " \t\r\n"


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the plain text
    byte_pos: int
    language: str | None = None


def _decode_entity(match: re.Match[str]) -> str | None:
    named, dec, hexa = match.groups()
    if named:
        return _NAMED_ENTITIES[named]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _decode_attribute(raw: str) -> str:
    # Inside attribute values Telegram decodes known entities and keeps any other '&' literally;
    # being lenient here keeps hrefs like "?a=1&b=2" working as they do in production.
    return _ENTITY_RE.sub(lambda m: _decode_entity(m) or m.group(0), raw)


def _skip_ws(source: str, j: int) -> int:
    while j < len(source) and source[j] in _WS:
        j += 1
    return j


class _HtmlParser:
    """Single-use parser; keeps the cursor and the open-tag stack of one text."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.out: list[str] = []
        self.pos16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def run(self) -> ParsedText:
        i = 0
        src = self.src
        while i < len(src):
            ch = src[i]
            if ch == "&":
                i = self._entity(i)
            elif ch == "<":
                i = self._end_tag(i) if src.startswith("</", i) else self._start_tag(i)
            else:
                self._emit(ch)
                i += 1
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        return ParsedText("".join(self.out), sort_entities(self.entities))

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.pos16 += utf16_len(text)

    def _error(self, message: str, index: int) -> EntityParseError:
        return EntityParseError(f"{message} at byte offset {byte_offset(self.src, index)}")

    def _entity(self, i: int) -> int:
        match = _ENTITY_RE.match(self.src, i)
        decoded = _decode_entity(match) if match else None
        if match is None or decoded is None:
            # The Bot API docs require '&' to be escaped; production is laxer, this server is not.
            offset = byte_offset(self.src, i)
            raise EntityParseError(
                f'Character "&" at byte offset {offset} is not an HTML entity; escape it as "&amp;"'
            )
        self._emit(decoded)
        return match.end()

    def _start_tag(self, i: int) -> int:
        src = self.src
        name_match = _NAME_RE.match(src, i + 1)
        name = name_match.group().lower()
        if name not in _TAG_ENTITY:
            raise self._error(f'Unsupported start tag "{name}"', i)
        j = name_match.end()
        attrs: dict[str, str] = {}
        while True:
            j = _skip_ws(src, j)
            if j >= len(src):
                raise self._error("Unclosed start tag", i)
            if src[j] == ">":
                j += 1
                break
            attr_match = _NAME_RE.match(src, j)
            attr = attr_match.group().lower()
            if not attr:
                raise self._error(f'Empty attribute name in the tag "{name}"', i)
            j = _skip_ws(src, attr_match.end())
            value = ""
            if j < len(src) and src[j] == "=":
                j, value = self._attr_value(_skip_ws(src, j + 1), i)
            attrs[attr] = value
        self._check_attrs(name, attrs, i)
        self.stack.append(_OpenTag(name, attrs, self.pos16, byte_offset(src, i)))
        return j

    def _attr_value(self, j: int, tag_index: int) -> tuple[int, str]:
        src = self.src
        if j >= len(src):
            raise self._error("Unclosed start tag", tag_index)
        if src[j] in "\"'":
            end = src.find(src[j], j + 1)
            if end < 0:
                raise self._error("Unclosed start tag", tag_index)
            return end + 1, _decode_attribute(src[j + 1 : end])
        match = _UNQUOTED_VALUE_RE.match(src, j)
        return match.end(), _decode_attribute(match.group())

    def _check_attrs(self, name: str, attrs: dict[str, str], i: int) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self._error('Tag "span" must have class "tg-spoiler"', i)
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self._error("Invalid custom emoji identifier specified", i)
        if name == "tg-time" and not attrs.get("unix", "").isdigit():
            raise self._error("Invalid Unix time specified", i)

    def _end_tag(self, i: int) -> int:
        src = self.src
        name_match = _NAME_RE.match(src, i + 2)
        name = name_match.group().lower()
        j = _skip_ws(src, name_match.end())
        if j >= len(src) or src[j] != ">":
            raise self._error("Unclosed end tag", i)
        if not self.stack:
            raise self._error("Unexpected end tag", i)
        top = self.stack[-1]
        if top.name != name:
            offset = byte_offset(src, i)
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self._close(top)
        return j + 1

    def _close(self, tag: _OpenTag) -> None:
        parent = self.stack[-1] if self.stack else None
        language = tag.attrs.get("class", "").removeprefix("language-") if tag.name == "code" else ""
        if tag.name == "code" and language and parent is not None and parent.name == "pre":
            # <pre><code class="language-x"> is one pre entity with a language, as in Telegram.
            parent.language = language
            return
        length = self.pos16 - tag.start
        if length <= 0:
            return  # Telegram drops empty entities instead of failing
        entity: dict = {"type": _TAG_ENTITY[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a":
            if not tag.attrs.get("href"):
                return
            entity["url"] = tag.attrs["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif tag.name == "tg-time":
            entity["unix_time"] = int(tag.attrs["unix"])
            if tag.attrs.get("format"):
                entity["date_time_format"] = tag.attrs["format"]
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raise EntityParseError with Telegram's wording on bad markup."""
    return _HtmlParser(source).run()
