"""Advisor replies relayed to Telegram (issue #9): every message fits 4,096 UTF-16 code units after escaping."""

from __future__ import annotations

import html

import pytest
from sqlmodel import select

from services.advisors import Advisor, AdvisorDirectory
from services.ticket_texts import telegram_reply_header
from services.tickets import AdvisorReply, NewTicket, TicketConfig, open_ticket, record_advisor_reply
from storage.tables import TelegramOutbox

CONFIG = TicketConfig(
    inbox_address="fachstelle@example.org", advisors=AdvisorDirectory((Advisor("Anna", "anna@example.org"),))
)
TELEGRAM_LIMIT = 4096


def utf16_units(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


async def _relay(sessions, text: str) -> tuple[list[str], str]:
    async with sessions() as session:
        ticket = await open_ticket(
            session, CONFIG, NewTicket(channel="telegram", question="Frage zu Bäumen", chat_id=4711)
        )
        await record_advisor_reply(session, CONFIG, ticket, AdvisorReply("anna@example.org", text, "<r@x>"))
        rows = (await session.exec(select(TelegramOutbox).order_by(TelegramOutbox.id))).all()
        header = telegram_reply_header(ticket) + "\n\n"
    assert [row.kind for row in rows] == ["text"] * (len(rows) - 1) + ["reply"]
    return [row.text for row in rows], header


def _unescaped_body(texts: list[str], header: str) -> str:
    assert texts[0].startswith(header)
    return "".join(html.unescape(text) for text in [texts[0][len(header) :], *texts[1:]])


def _squash(text: str) -> str:
    return "".join(text.split())


EMOJI_REPLY = "\n".join(
    f"Absatz {n}: 🌳🌲🌴 Bäume 😀👍🏽👩‍👩‍👧‍👦 " + "🌳" * (n * 37 % 300) for n in range(120)
)
ONE_EMOJI_LINE = "🌳😀" * 3000
ESCAPED_REPLY = ("a<b & c>d \"q\" 'x' " * 50 + "\n") * 60
ONE_ESCAPED_LINE = "<&>" * 5000


@pytest.mark.parametrize(
    "text",
    [EMOJI_REPLY, ONE_EMOJI_LINE, ESCAPED_REPLY, ONE_ESCAPED_LINE, "kurz"],
    ids=["emoji-paragraphs", "emoji-one-line", "escaped-paragraphs", "escaped-one-line", "short"],
)
async def test_every_relayed_part_fits_telegram_and_nothing_is_lost(sessions, text):
    texts, header = await _relay(sessions, text)
    assert all(utf16_units(part) <= TELEGRAM_LIMIT for part in texts), [utf16_units(t) for t in texts]
    # nothing is lost or doubled; only whitespace at the breaks may differ
    assert _squash(_unescaped_body(texts, header)) == _squash(text)
    for part in texts:
        body = part[len(header) :] if part.startswith(header) else part
        assert html.escape(html.unescape(body)) == body  # no entity cut in half
        part.encode("utf-8")  # no lone surrogate


async def test_a_long_reply_is_split_at_line_breaks_where_it_can(sessions):
    text = "\n".join(f"Zeile {n} 🌳 " + "x" * 60 for n in range(400))
    texts, header = await _relay(sessions, text)
    assert len(texts) > 1
    for part in texts:
        body = part[len(header) :] if part.startswith(header) else part
        assert body.startswith("Zeile ") and body.rstrip().endswith("x")


async def test_an_emoji_sequence_is_not_torn_apart(sessions):
    family = "👩\u200d👩\u200d👧\u200d👦"
    texts, header = await _relay(sessions, family * 1000)
    for part in texts:
        body = part[len(header) :] if part.startswith(header) else part
        assert body.startswith("👩") and body.endswith("👦")
