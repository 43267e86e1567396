"""The HTML parse_mode validator accepts Telegram's tags and rejects what Telegram rejects."""

from __future__ import annotations

import pytest

from local_bot_api.html_check import parse_html
from local_bot_api.parsed_text import EntityParseError, utf16_len


def test_plain_text_and_entities_of_allowed_tags():
    parsed = parse_html('<b>fett</b> <i>kursiv</i> <a href="https://klima.de/?a=1&amp;b=2">Link</a>')
    assert parsed.text == "fett kursiv Link"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 5, "length": 6},
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://klima.de/?a=1&b=2"},
    ]


@pytest.mark.parametrize(
    "html",
    [
        "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>",
        '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<code>x</code><pre>y</pre>",
        "<blockquote>q</blockquote><blockquote expandable>long</blockquote>",
        "<B>upper case tags</B>",
        "a &gt; b &lt; c &amp; d &quot;e&quot; &#228; &#x1F600;",
        "bare > is fine",
    ],
)
def test_valid_markup_is_accepted(html):
    parse_html(html)


def test_pre_with_code_language_becomes_one_pre_entity():
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert parsed.text == "print(1)"
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 8, "language": "python"}]


def test_entities_decode_to_characters():
    assert parse_html("&lt;b&gt; &amp; &#228;&#xE4;").text == "<b> & ää"


def test_expandable_blockquote_entity_type():
    assert parse_html("<blockquote expandable>x</blockquote>").entities[0]["type"] == "expandable_blockquote"


def test_offsets_are_utf16():
    parsed = parse_html("😀<b>x</b>")
    assert parsed.entities == [{"type": "bold", "offset": 2, "length": 1}]
    assert utf16_len(parsed.text) == 3


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Q&A", 'Character "&" at byte offset 1 is not an HTML entity'),
        ("&nbsp;", 'Character "&" at byte offset 0'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier"),
        ('<a href="x"', "Unclosed start tag"),
        ("<b>x</b", "Unclosed end tag"),
        ("ä<i>", "Can't find end tag"),
    ],
)
def test_invalid_markup_is_rejected(html, fragment):
    with pytest.raises(EntityParseError) as err:
        parse_html(html)
    assert fragment in str(err.value)


def test_error_offsets_are_utf8_bytes():
    with pytest.raises(EntityParseError, match="byte offset 2"):
        parse_html("ä<x>")
