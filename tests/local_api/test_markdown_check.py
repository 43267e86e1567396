"""MarkdownV2 and legacy Markdown parsing: entities, escapes and Telegram's errors."""

from __future__ import annotations

import pytest

from local_bot_api.markdown_check import parse_markdown, parse_markdown_v2
from local_bot_api.parsed_text import EntityParseError


def test_markdown_v2_entities():
    parsed = parse_markdown_v2("*fett* _kursiv_ __unter__ ~weg~ ||geheim|| `code` [Link](https://klima.de)")
    assert parsed.text == "fett kursiv unter weg geheim code Link"
    kinds = [e["type"] for e in parsed.entities]
    assert kinds == ["bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link"]
    assert parsed.entities[-1]["url"] == "https://klima.de"


def test_markdown_v2_escapes_reserved_characters():
    parsed = parse_markdown_v2(r"Preis: 5\.00 \- \(inkl\. MwSt\)\!")
    assert parsed.text == "Preis: 5.00 - (inkl. MwSt)!"
    assert parsed.entities == []


@pytest.mark.parametrize("char", list(".!-=+#{}()|>"))
def test_markdown_v2_unescaped_reserved_character_is_rejected(char):
    with pytest.raises(EntityParseError, match=f"Character '\\{char}' is reserved"):
        parse_markdown_v2(f"a{char}b" if char != ">" else f"a{char}b")


def test_markdown_v2_unclosed_entity():
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*fett")


def test_markdown_v2_pre_with_language_and_code_escapes():
    parsed = parse_markdown_v2("```python\nprint('a.b')\n```")
    assert parsed.text == "print('a.b')\n"
    assert parsed.entities[0]["type"] == "pre"
    assert parsed.entities[0]["language"] == "python"
    assert parse_markdown_v2(r"`a\`b`").text == "a`b"


def test_markdown_v2_blockquote():
    parsed = parse_markdown_v2(">Zitat\n>weiter\nEnde")
    assert parsed.text == "Zitat\nweiter\nEnde"
    assert parsed.entities == [{"type": "blockquote", "offset": 0, "length": 12}]


def test_legacy_markdown():
    parsed = parse_markdown("*fett* _kursiv_ `code` [Link](https://klima.de) a.b-c!")
    assert parsed.text == "fett kursiv code Link a.b-c!"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte offset 0"):
        parse_markdown("*offen")
