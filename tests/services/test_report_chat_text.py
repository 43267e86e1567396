"""Report texts for Telegram: long answers full of HTML specials and emoji always fit and always parse."""

from decimal import Decimal

import pytest

from local_bot_api.html_check import parse_html
from services.report_fields import SKIPPED, YearMonth
from services.reports import Draft
from services.reports.chat_text import (
    TELEGRAM_TEXT_LIMIT,
    html_messages,
    measure_summary_messages,
    review_messages,
    utf16_len,
)

SPECIALS = '&<>"😀'
DESCRIPTION = SPECIALS * 200  # 1000 characters: the longest description the parser accepts


def longest_measure(number: int = 1) -> dict:
    """A measure whose every text answer is as long as allowed and made of characters that need escaping."""
    return {
        "title": ("&<" * 75)[: -len(str(number))] + str(number),
        "area": "klimaschutz",
        "action_field": "gebaeude",
        "status": "geplant",
        "start": YearMonth(2025, 3),
        "end": SKIPPED,
        "cost": Decimal("999999999.99"),
        "funding": "andere",
        "funding_other": '"' * 200,
        "funding_amount": Decimal("1.00"),
        "co2_saving": Decimal("12.5"),
        "description": DESCRIPTION,
        "link": "https://example.org/?" + "a=1&" * 119,
        "attachment": SKIPPED,
    }


def _check(messages: list[str]) -> str:
    """Every message fits Telegram and parses as its HTML; returns the visible text of all of them."""
    assert messages
    visible = []
    for text in messages:
        assert utf16_len(text) <= TELEGRAM_TEXT_LIMIT
        parsed = parse_html(text)
        assert parsed.text.strip()
        visible.append(parsed.text)
    return "".join(visible)


def test_a_measure_full_of_specials_and_emoji_at_the_limit_is_shown_whole():
    shown = _check(measure_summary_messages(longest_measure()))
    assert DESCRIPTION in shown and '"' * 200 in shown and "a=1&" * 119 in shown


def test_a_review_of_many_long_measures_is_split_into_valid_messages():
    draft = Draft(
        report_id=1,
        ags="06440025",
        municipality_name="Wöllstadt <&>",
        year=2025,
        state="draft",
        version_count=0,
        reporter={"reporter_name": "&" * 100, "reporter_email": "a@b.de", "reporter_role": "<" * 100},
        measures=[longest_measure(n) for n in range(1, 13)],
    )
    messages = review_messages(draft)
    shown = _check(messages)
    assert len(messages) > 3
    assert shown.count(DESCRIPTION) == 12 and "Maßnahme 12" in shown and "Wöllstadt <&>" in shown


@pytest.mark.parametrize("limit", [7, 10, 64, 4096])
def test_a_line_is_cut_between_characters_never_inside_an_entity(limit):
    text = SPECIALS * 1500 + "x"
    messages = html_messages([[(text, "")]], limit=limit)
    assert "".join(parse_html(m).text for m in messages) == text
    assert all(utf16_len(m) <= limit for m in messages)


def test_bold_parts_are_closed_in_every_piece():
    messages = html_messages([[("Überschrift ", "b"), ("&" * 30, "")], [("Ende", "i")]], limit=40)
    assert all(parse_html(m) for m in messages)
    shown = "".join(parse_html(m).text for m in messages).replace("\n", "")
    assert shown == "Überschrift " + "&" * 30 + "Ende"
    assert messages[0].startswith("<b>Überschrift </b>")


def test_short_lines_share_a_message_and_a_long_text_prefers_to_break_at_a_space():
    assert html_messages([[("a", "")], [("b", "b")]]) == ["a\n<b>b</b>"]
    words = " ".join(["Wort"] * 30)
    first, *_ = html_messages([[(words, "")]], limit=50)
    assert first.endswith("Wort ") and utf16_len(first) <= 50
