"""Telegram's MarkdownV2 and legacy Markdown parse modes: validate and return plain text and entities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parsed_text import EntityParseError, ParsedText, byte_offset, sort_entities, utf16_len

_RESERVED_V2 = set("_*[]()~`>#+-=|{}.!")
_ENTITY_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_CUSTOM_EMOJI_URL_RE = re.compile(r"^tg://emoji\?id=(\d+)$")


@dataclass
class _Open:
    kind: str
    start: int  # UTF-16 offset in the plain text
    index: int  # index in the source, for error offsets
    language: str | None = None


class _MarkdownV2Parser:
    """Single-use MarkdownV2 parser following the rules of the Bot API "formatting options"."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.out: list[str] = []
        self.pos16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict] = []
        self.quote: _Open | None = None

    def run(self) -> ParsedText:
        i = 0
        while i < len(self.src):
            top = self.stack[-1] if self.stack else None
            if top is not None and top.kind in ("code", "pre"):
                i = self._code_char(i, top)
            else:
                i = self._char(i)
        self._close_quote()
        if self.stack:
            top = self.stack[-1]
            raise EntityParseError(
                f"Can't find end of {_ENTITY_NAMES[top.kind]} entity at byte offset {byte_offset(self.src, top.index)}"
            )
        return ParsedText("".join(self.out), sort_entities(self.entities))

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.pos16 += utf16_len(text)

    def _reserved(self, i: int) -> EntityParseError:
        return EntityParseError(
            f"Character '{self.src[i]}' is reserved and must be escaped with the preceding '\\'"
        )

    def _add(self, kind: str, start: int, **extra: object) -> None:
        if self.pos16 > start:
            self.entities.append({"type": kind, "offset": start, "length": self.pos16 - start, **extra})

    def _code_char(self, i: int, top: _Open) -> int:
        src = self.src
        ch = src[i]
        if ch == "\\" and i + 1 < len(src) and src[i + 1] in "`\\":
            self._emit(src[i + 1])
            return i + 2
        if top.kind == "pre" and src.startswith("```", i):
            self.stack.pop()
            self._add("pre", top.start, **({"language": top.language} if top.language else {}))
            return i + 3
        if ch == "`":
            if top.kind == "pre":
                raise self._reserved(i)
            self.stack.pop()
            self._add("code", top.start)
            return i + 1
        self._emit(ch)
        return i + 1

    def _char(self, i: int) -> int:
        src = self.src
        ch = src[i]
        at_line_start = i == 0 or src[i - 1] == "\n"
        if at_line_start and (quote_end := self._quote_start(i)) is not None:
            return quote_end
        if ch == "\\" and i + 1 < len(src) and 0 < ord(src[i + 1]) <= 126:
            self._emit(src[i + 1])
            return i + 2
        if ch == "\n":
            if self.quote is not None and not src.startswith(">", i + 1) and not self.stack:
                self._close_quote()
            self._emit(ch)
            return i + 1
        if ch not in _RESERVED_V2:
            self._emit(ch)
            return i + 1
        return self._marker(i)

    def _quote_start(self, i: int) -> int | None:
        src = self.src
        if src.startswith("**>", i) and self.quote is None and not self.stack:
            self.quote = _Open("expandable_blockquote", self.pos16, i)
            return i + 3
        if src.startswith(">", i) and not self.stack:
            if self.quote is None:
                self.quote = _Open("blockquote", self.pos16, i)
            return i + 1
        return None

    def _close_quote(self) -> None:
        if self.quote is not None:
            self._add(self.quote.kind, self.quote.start)
            self.quote = None

    def _marker(self, i: int) -> int:
        src = self.src
        ch = src[i]
        if ch == "`":
            if src.startswith("```", i):
                return self._open_pre(i)
            self.stack.append(_Open("code", self.pos16, i))
            return i + 1
        if ch == "|" and src.startswith("||", i):
            if (
                self.quote is not None
                and self.quote.kind == "expandable_blockquote"
                and not self._is_open("spoiler")
            ):
                if i + 2 == len(src) or src[i + 2] == "\n":
                    return i + 2  # "||" closing an expandable block quotation
            return self._toggle("spoiler", i, 2)
        if ch == "_":
            if src.startswith("__", i):
                return self._toggle("underline", i, 2)
            return self._toggle("italic", i, 1)
        if ch == "*":
            return self._toggle("bold", i, 1)
        if ch == "~":
            return self._toggle("strikethrough", i, 1)
        if ch == "[":
            return self._open_link("text_link", i, 1)
        if ch == "!" and src.startswith("![", i):
            return self._open_link("custom_emoji", i, 2)
        if ch == "]" and self.stack and self.stack[-1].kind in ("text_link", "custom_emoji"):
            return self._close_link(i)
        raise self._reserved(i)

    def _is_open(self, kind: str) -> bool:
        return any(o.kind == kind for o in self.stack)

    def _toggle(self, kind: str, i: int, width: int) -> int:
        if self.stack and self.stack[-1].kind == kind:
            top = self.stack.pop()
            self._add(kind, top.start)
            return i + width
        if self._is_open(kind):
            top = self.stack[-1]
            raise EntityParseError(
                f"Can't find end of {_ENTITY_NAMES[top.kind]} entity at byte offset {byte_offset(self.src, top.index)}"
            )
        self.stack.append(_Open(kind, self.pos16, i))
        return i + width

    def _open_pre(self, i: int) -> int:
        src = self.src
        start = i + 3
        newline = src.find("\n", start)
        language = None
        if newline >= 0:
            head = src[start:newline]
            # A first line without blanks or backticks names the language, as in Telegram.
            if head and not any(c.isspace() or c == "`" for c in head):
                language = head
            if head == "" or language is not None:
                start = newline + 1
        self.stack.append(_Open("pre", self.pos16, i, language))
        return start

    def _open_link(self, kind: str, i: int, width: int) -> int:
        if self._is_open("text_link") or self._is_open("custom_emoji"):
            raise self._reserved(i)
        self.stack.append(_Open(kind, self.pos16, i))
        return i + width

    def _close_link(self, i: int) -> int:
        src = self.src
        top = self.stack.pop()
        if not src.startswith("(", i + 1):
            if top.kind == "custom_emoji":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            return i + 1  # "[text]" without a URL keeps the text and creates no link
        j = i + 2
        url: list[str] = []
        while j < len(src) and src[j] != ")":
            if src[j] == "\\" and j + 1 < len(src) and src[j + 1] in ")\\":
                j += 1
            url.append(src[j])
            j += 1
        if j >= len(src):
            raise EntityParseError(f"Can't find end of a URL at byte offset {byte_offset(self.src, i + 1)}")
        target = "".join(url)
        if top.kind == "custom_emoji":
            match = _CUSTOM_EMOJI_URL_RE.match(target)
            if match is None:
                raise EntityParseError("Custom emoji URL must have an emoji identifier")
            self._add("custom_emoji", top.start, custom_emoji_id=match.group(1))
        elif target:
            self._add("text_link", top.start, url=target)
        return j + 1


def parse_markdown_v2(source: str) -> ParsedText:
    """Parse MarkdownV2; raise EntityParseError with Telegram's wording (e.g. unescaped '.')."""
    return _MarkdownV2Parser(source).run()


_LEGACY_KINDS = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(source: str) -> ParsedText:
    """Parse legacy Markdown (*bold*, _italic_, `code`, ```pre```, [text](url))."""
    out: list[str] = []
    entities: list[dict] = []
    pos16 = 0
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source) and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            pos16 += 1
            i += 2
            continue
        if ch not in "_*`[":
            out.append(ch)
            pos16 += utf16_len(ch)
            i += 1
            continue
        unclosed = EntityParseError(
            f"Can't find end of the entity starting at byte offset {byte_offset(source, i)}"
        )
        if ch == "[":
            end = source.find("]", i + 1)
            if end < 0:
                raise unclosed
            inner = source[i + 1 : end]
            url = ""
            next_i = end + 1
            if source.startswith("(", end + 1):
                close = source.find(")", end + 2)
                if close < 0:
                    raise unclosed
                url = source[end + 2 : close]
                next_i = close + 1
            kind, extra = "text_link", {"url": url}
        elif source.startswith("```", i):
            end = source.find("```", i + 3)
            if end < 0:
                raise unclosed
            inner = source[i + 3 : end]
            kind, extra, next_i = "pre", {}, end + 3
            first, sep, rest = inner.partition("\n")
            if sep and first and not any(c.isspace() for c in first):
                inner, extra = rest, {"language": first}
        else:
            end = source.find(ch, i + 1)
            if end < 0:
                raise unclosed
            inner = source[i + 1 : end]
            kind, extra, next_i = _LEGACY_KINDS[ch], {}, end + 1
        length = utf16_len(inner)
        if length and (kind != "text_link" or extra.get("url")):
            entities.append({"type": kind, "offset": pos16, "length": length, **extra})
        out.append(inner)
        pos16 += length
        i = next_i
    return ParsedText("".join(out), sort_entities(entities))
