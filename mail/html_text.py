"""Render an HTML mail body as readable plain text (links kept, blocks as lines, quotes as '> ')."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"})
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "blockquote", "hr", "address"}
)
_LINE = frozenset(
    {
        "br",
        "div",
        "li",
        "tr",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "center",
        "form",
        "caption",
    }
)
_CELL = frozenset({"td", "th"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"})
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_MAX_QUOTE_DEPTH = 20


@dataclass
class _Line:
    depth: int
    text: str = ""
    pre: bool = False


@dataclass
class _State:
    lines: list[_Line] = field(default_factory=lambda: [_Line(0)])
    skip_depth: int = 0
    pre_depth: int = 0
    quote_depth: int = 0
    links: list[tuple[str, int, int]] = field(default_factory=list)


def html_to_text(html: str) -> str:
    """Plain text of an HTML document: block elements become line breaks, links 'text (url)'."""
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError, IndexError):  # HTMLParser gives up on some malformed markup
        pass
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.state = _State()

    # -- building the output ------------------------------------------------------------------------
    def _newline(self, blank: bool = False) -> None:
        lines = self.state.lines
        if lines[-1].text.strip():
            lines.append(_Line(self.state.quote_depth))
        else:
            lines[-1].depth = self.state.quote_depth
        if blank and len(lines) > 1 and lines[-2].text.strip():
            lines.insert(len(lines) - 1, _Line(lines[-2].depth))

    def _write(self, text: str) -> None:
        if self.state.skip_depth:
            return
        current = self.state.lines[-1]
        if self.state.pre_depth:
            first, *rest = text.split("\n")
            current.text += first
            current.pre = True
            for chunk in rest:
                self.state.lines.append(_Line(self.state.quote_depth, chunk, pre=True))
            return
        collapsed = _SPACES.sub(" ", text)
        if not current.text or current.text.endswith(" "):
            collapsed = collapsed.lstrip(" ")
        current.text += collapsed

    def text(self) -> str:
        lines = self.state.lines
        bodies = [line.text.rstrip() if line.pre else line.text.strip() for line in lines]
        depths = [line.depth for line in lines]
        # A blank line takes the shallower quote level of its neighbours, so leaving a quote is visible.
        for index, body in enumerate(bodies):
            if not body:
                before = next((depths[i] for i in range(index - 1, -1, -1) if bodies[i]), 0)
                after = next((depths[i] for i in range(index + 1, len(bodies)) if bodies[i]), 0)
                depths[index] = min(before, after)
        rendered = [(("> " * depth) + body).rstrip() for depth, body in zip(depths, bodies, strict=True)]
        joined = "\n".join(rendered).strip("\n")
        return re.sub(r"\n{3,}", "\n\n", joined)

    # -- HTMLParser callbacks -----------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            if tag not in _VOID:
                self.state.skip_depth += 1
            return
        if self.state.skip_depth:
            return
        if tag == "blockquote":
            self._newline(blank=True)
            self.state.quote_depth = min(self.state.quote_depth + 1, _MAX_QUOTE_DEPTH)
            self._newline()
        elif tag in _PARAGRAPH:
            self._newline(blank=True)
        elif tag in _LINE:
            self._newline()
        elif (
            tag in _CELL and not self.state.lines[-1].text.endswith((" ", "\t")) and self.state.lines[-1].text
        ):
            self._write(" ")
        if tag == "pre":
            self.state.pre_depth += 1
        elif tag == "li":
            self._write("- ")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.state.links.append((href, len(self.state.lines) - 1, len(self.state.lines[-1].text)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._write(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            if tag not in _VOID:
                self.state.skip_depth = max(0, self.state.skip_depth - 1)
            return
        if self.state.skip_depth:
            return
        if tag == "a" and self.state.links:
            self._close_link()
        if tag == "pre":
            self.state.pre_depth = max(0, self.state.pre_depth - 1)
        if tag == "blockquote":
            self._newline()
            self.state.quote_depth = max(0, self.state.quote_depth - 1)
            self._newline(blank=True)
        elif tag in _PARAGRAPH:
            self._newline(blank=True)
        elif tag in _LINE and tag != "br":
            self._newline()

    def handle_data(self, data: str) -> None:
        self._write(data)

    def _close_link(self) -> None:
        href, line_index, start = self.state.links.pop()
        if line_index == len(self.state.lines) - 1:
            label = self.state.lines[-1].text[start:].strip()
        else:  # the link text spans lines (a block inside <a>): it has a label, whatever it is
            label = "..."
        if not href or href.startswith(("#", "javascript:", "cid:")):
            return
        target = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
        shown = label.strip("<>")
        # A bare URL or address as label needs no repetition; otherwise keep where the link goes.
        if not label:
            self._write(target)
        elif shown != target and shown.rstrip("/") != target.rstrip("/"):
            self._write(f" ({target})")
