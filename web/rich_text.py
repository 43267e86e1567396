"""A message's Telegram-HTML text as plain-text parts with formatting flags, for the browser to build safely.

The bot formats with Telegram's small HTML subset (<b>, <i>, <u>, <s>, <code>, <pre>, <a href>, <blockquote>,
<tg-spoiler>). The browser gets no HTML at all: only text runs with flags, which it puts into elements with
`textContent`, so nothing a user or an entry wrote can ever become markup in the page.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

FLAG_OF_TAG = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "quote",
    "tg-spoiler": "spoiler",
}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def safe_link(href: str | None) -> str | None:
    """The link if it is one a visitor may follow (no `javascript:` and the like)."""
    href = (href or "").strip()
    return href if href.lower().startswith(SAFE_SCHEMES) else None


class _Parts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[dict[str, Any]] = []
        self.open: list[tuple[str, str | None]] = []  # (flag, href) per open tag, innermost last

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.open.append(("href", safe_link(attributes.get("href"))))
        elif tag == "span" and "tg-spoiler" in (attributes.get("class") or ""):
            self.open.append(("spoiler", None))
        elif tag == "br":
            self.handle_data("\n")
        else:
            self.open.append((FLAG_OF_TAG.get(tag, ""), None))

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if not data:
            return
        part: dict[str, Any] = {"text": data}
        for flag, href in self.open:
            if flag == "href":
                if href:
                    part["href"] = href
            elif flag:
                part[flag] = True
        last = self.parts[-1] if self.parts else None
        if last is not None and {k: v for k, v in last.items() if k != "text"} == {
            k: v for k, v in part.items() if k != "text"
        }:
            last["text"] += data
        else:
            self.parts.append(part)


def html_parts(text: str) -> list[dict[str, Any]]:
    """Telegram HTML as text parts with flags (`b`, `i`, `u`, `s`, `code`, `pre`, `quote`, `spoiler`, `href`)."""
    parser = _Parts()
    parser.feed(text)
    parser.close()
    return parser.parts


def plain_parts(text: str) -> list[dict[str, Any]]:
    """Unformatted text as one part."""
    return [{"text": text}] if text else []


def plain_text(parts: list[dict[str, Any]]) -> str:
    """The text of the parts without their formatting."""
    return "".join(part["text"] for part in parts)
