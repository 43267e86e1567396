"""Text message methods: sendMessage, editMessageText/Caption/ReplyMarkup, deleteMessage."""

from __future__ import annotations

import time

from ..context import CallContext
from ..errors import bad_request
from ..formatting import caption_text, message_text
from ..keyboards import check_reply_markup
from ..parsed_text import ParsedText
from ..serialize import message_json
from ..state import Chat, StoredMessage

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def resolve_reply(chat: Chat, reply_parameters: dict | None) -> int | None:
    """Return the message_id replied to, or raise Telegram's error if it does not exist."""
    if not reply_parameters:
        return None
    target = reply_parameters["message_id"]
    if target in chat.messages:
        return target
    if reply_parameters.get("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


async def send_message(ctx: CallContext) -> dict:
    """Handle sendMessage."""
    p = ctx.params
    chat = ctx.state.require_writable_chat(p["chat_id"])
    parsed = message_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
    markup = check_reply_markup(p.get("reply_markup"), ctx.spec)
    reply_to = resolve_reply(chat, p.get("reply_parameters"))
    message = chat.add(
        from_bot=True,
        raw=p["text"],
        parse_mode=p.get("parse_mode"),
        parsed=parsed,
        reply_markup=markup,
        reply_to=reply_to,
    )
    ctx.state.changes.notify()
    return message_json(chat, message, ctx.state.bot_user)


def _target(ctx: CallContext) -> tuple[Chat, StoredMessage]:
    p = ctx.params
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")  # no inline messages exist on this server
    if "chat_id" not in p:
        raise bad_request("chat_id is empty")
    if "message_id" not in p:
        raise bad_request("message identifier is not specified")
    chat = ctx.state.require_writable_chat(p["chat_id"])
    message = chat.messages.get(p["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _same_markup(a: dict | None, b: dict | None) -> bool:
    # No markup and an empty inline keyboard look identical to the user.
    return ((a or {}).get("inline_keyboard") or None) == ((b or {}).get("inline_keyboard") or None)


def _same_text(a: ParsedText | None, b: ParsedText | None) -> bool:
    a_text, a_ent = (a.text, a.entities) if a else ("", [])
    b_text, b_ent = (b.text, b.entities) if b else ("", [])
    return a_text == b_text and a_ent == b_ent


def _apply_edit(
    ctx: CallContext, chat: Chat, message: StoredMessage, parsed: ParsedText | None, markup: dict | None
) -> dict:
    if _same_text(parsed, message.parsed) and _same_markup(markup, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    message.parsed = parsed
    message.reply_markup = markup
    message.edit_date = int(time.time())
    ctx.state.changes.notify()
    return message_json(chat, message, ctx.state.bot_user)


async def edit_message_text(ctx: CallContext) -> dict:
    """Handle editMessageText; omitting reply_markup removes the keyboard, as in Telegram."""
    p = ctx.params
    chat, message = _target(ctx)
    if message.file is not None:
        raise bad_request("there is no text in the message to edit")
    parsed = message_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
    markup = check_reply_markup(p.get("reply_markup"), ctx.spec, inline_only=True)
    result = _apply_edit(ctx, chat, message, parsed, markup)
    message.raw, message.parse_mode = p["text"], p.get("parse_mode")
    return result


async def edit_message_caption(ctx: CallContext) -> dict:
    """Handle editMessageCaption; omitting caption removes it."""
    p = ctx.params
    chat, message = _target(ctx)
    if message.file is None:
        raise bad_request("there is no caption in the message to edit")
    parsed = caption_text(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
    markup = check_reply_markup(p.get("reply_markup"), ctx.spec, inline_only=True)
    result = _apply_edit(ctx, chat, message, parsed, markup)
    message.raw, message.parse_mode = p.get("caption"), p.get("parse_mode")
    return result


async def edit_message_reply_markup(ctx: CallContext) -> dict:
    """Handle editMessageReplyMarkup; omitting reply_markup removes the keyboard."""
    chat, message = _target(ctx)
    markup = check_reply_markup(ctx.params.get("reply_markup"), ctx.spec, inline_only=True)
    return _apply_edit(ctx, chat, message, message.parsed, markup)


async def delete_message(ctx: CallContext) -> bool:
    """Handle deleteMessage (bots may delete incoming messages in private chats too)."""
    chat = ctx.state.require_chat(ctx.params["chat_id"])
    if chat.messages.pop(ctx.params["message_id"], None) is None:
        raise bad_request("message to delete not found")
    ctx.state.changes.notify()
    return True
