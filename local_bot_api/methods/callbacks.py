"""answerCallbackQuery: one answer per query, Telegram's text limit."""

from __future__ import annotations

from ..context import CallContext
from ..errors import bad_request
from ..models import CallbackAnswer

MAX_ANSWER_TEXT = 200


async def answer_callback_query(ctx: CallContext) -> bool:
    """Handle answerCallbackQuery; unknown or already answered queries fail like in Telegram."""
    p = ctx.params
    pending = ctx.state.callbacks.get(p["callback_query_id"])
    if pending is None or pending.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get("text")
    if text is not None and len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
    pending.answered = True
    ctx.state.record_answer(
        CallbackAnswer(
            query_id=pending.query_id,
            user_id=pending.user_id,
            message_id=pending.message_id,
            data=pending.data,
            text=text,
            show_alert=bool(p.get("show_alert", False)),
        )
    )
    ctx.state.changes.notify()
    return True
