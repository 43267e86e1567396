"""The small Telegram-HTML subset answers may use: validation and conversion to plain text."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "s", "code", "a"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed (allowed: {', '.join(sorted(ALLOWED_TAGS))})")
        if tag == "a" and not any(name == "href" and value for name, value in attrs):
            self.problems.append("<a> needs an href")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open tag")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def html_problems(html: str) -> list[str]:
    """What Telegram would reject in `html` (unknown tags, bad nesting, unescaped < or &)."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed tag(s): {', '.join(checker.stack)}")
    problems.extend(_bare_specials(html))
    return problems


def visible_text(html: str) -> str:
    """The text a reader sees once Telegram has rendered `html`."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return "".join(checker.text)


def _bare_specials(html: str) -> list[str]:
    problems = []
    index = html.find("&")
    while index != -1:
        end = html.find(";", index)
        entity = html[index + 1 : end] if end != -1 else ""
        if end == -1 or not (entity in {"lt", "gt", "amp", "quot"} or entity.startswith("#")):
            problems.append(f"unescaped '&' at position {index} (write &amp;)")
        index = html.find("&", index + 1)
    return problems
