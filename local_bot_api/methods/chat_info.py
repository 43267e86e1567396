"""Bot and chat information methods: getMe, getChat, sendChatAction, getFile."""

from __future__ import annotations

from ..context import CallContext
from ..errors import bad_request
from ..serialize import chat_full_info_json, file_json

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


async def get_me(ctx: CallContext) -> dict:
    """Handle getMe: the bot user derived from the token plus the capability flags."""
    return {
        **ctx.state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_chat(ctx: CallContext) -> dict:
    """Handle getChat for the private chats that exist."""
    return chat_full_info_json(ctx.state.require_chat(ctx.params["chat_id"]))


async def send_chat_action(ctx: CallContext) -> bool:
    """Handle sendChatAction; only Telegram's action names are accepted."""
    ctx.state.require_writable_chat(ctx.params["chat_id"])
    if ctx.params["action"] not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


async def get_file(ctx: CallContext) -> dict:
    """Handle getFile; bots may download files up to 20 MB."""
    record = ctx.state.files.get(ctx.params["file_id"])
    if record is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    if record.size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return file_json(record)
