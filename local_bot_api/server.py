"""LocalBotApi: the aiohttp server on 127.0.0.1 plus the Python API of simulated users."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from aiohttp import web

from . import users
from .faults import FaultInjector, FaultRule
from .flood import FloodLimiter
from .http_params import MAX_REQUEST_BYTES
from .methods.commands import commands_key
from .models import BotMessage, CallbackAnswer, RequestRecord
from .pipeline import RequestPipeline
from .serialize import bot_user_json
from .spec import ApiSpec
from .state import BotState
from .views import to_bot_message

T = TypeVar("T")


def build_app(pipeline: RequestPipeline) -> web.Application:
    """Return the aiohttp application with Telegram's URL layout."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_route("*", "/bot{token}/{method}", pipeline.handle_method)
    app.router.add_route("*", "/file/bot{token}/{path:.+}", pipeline.handle_file)
    app.router.add_route("*", "/{tail:.*}", pipeline.handle_unknown)
    return app


class LocalBotApi:
    """A local Telegram Bot API server with simulated users, for e2e tests, benchmarks and the local chat.

    Point aiogram at it with
    `Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))`.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        spec_path: str | Path | None = None,
        flood_limit: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        bot_id: int | None = None,
        bot_name: str = "Klimabot (local)",
        bot_username: str = "klimabot_local_bot",
        max_updates: int = 10_000,
        max_messages_per_chat: int = 10_000,
        max_files: int = 10_000,
    ) -> None:
        self.host = host
        self.port = port
        self.spec_path = spec_path
        self.bot_id = bot_id if bot_id is not None else 7_000_000_000 + secrets.randbelow(999_999_999)
        self.bot_name = bot_name
        self.bot_username = bot_username
        self.state = BotState(
            bot_user=bot_user_json(self.bot_id, bot_name, bot_username),
            max_updates=max_updates,
            max_messages_per_chat=max_messages_per_chat,
            max_files=max_files,
        )
        self.faults = FaultInjector()
        self.flood = FloodLimiter(global_per_second, per_chat_per_second) if flood_limit else None
        self.requests: list[RequestRecord] = []
        self.spec: ApiSpec | None = None
        self.base_url: str | None = None
        self._runner: web.AppRunner | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> str:
        """Load api.json, bind host:port (0 = a free port) and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("LocalBotApi is already running")
        self.spec = ApiSpec.load(self.spec_path)
        pipeline = RequestPipeline(
            spec=self.spec,
            state=self.state,
            faults=self.faults,
            flood=self.flood,
            bot_name=self.bot_name,
            bot_username=self.bot_username,
            request_log=self.requests,
            bot_id=self.bot_id,
        )
        # Short shutdown: long polls are woken on stop, anything else may be cut off.
        runner = web.AppRunner(build_app(pipeline), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.state.closing = False
        bound_port = runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        """End pending long polls and shut the server down; safe to call twice."""
        if self._runner is None:
            return
        self.state.closing = True
        self.state.changes.notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def make_token(self) -> str:
        """Return a well-formed fake token for this bot (`<bot_id>:<35 url-safe characters>`)."""
        return f"{self.bot_id}:{secrets.token_urlsafe(27)[:35]}"

    # --- simulated users ---------------------------------------------------------------------

    def user_sends(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "de",
    ) -> int:
        """The user writes `text` to the bot (this creates the chat); return the user's message_id."""
        return users.user_sends(
            self.state, user_id, text, first_name=first_name, username=username, language_code=language_code
        )

    def user_sends_in_group(self, group_id: int, user_id: int, text: str, *, title: str = "Gruppe") -> int:
        """The user writes `text` in a group with the bot (negative `group_id`); return the message_id."""
        return users.user_sends_in_group(self.state, group_id, user_id, text, title=title)

    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        caption: str | None = None,
        *,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "de",
    ) -> int:
        """The user sends a document; return the user's message_id."""
        return users.user_sends_document(
            self.state,
            user_id,
            filename,
            data,
            caption,
            first_name=first_name,
            username=username,
            language_code=language_code,
        )

    def user_presses(self, user_id: int, message_id: int, callback_data: str) -> str:
        """Press the button with `callback_data` on bot message `message_id`; ValueError if absent."""
        return users.user_presses(self.state, user_id, message_id, callback_data)

    def user_presses_button(
        self, user_id: int, text_or_index: str | int, message_id: int | None = None
    ) -> str:
        """Press a button by label or row-major index; default: the latest bot message with buttons."""
        return users.user_presses_button(self.state, user_id, text_or_index, message_id)

    def user_blocks(self, user_id: int) -> None:
        """The user blocks the bot: sends to the chat answer 403 until the user writes again."""
        users.set_blocked(self.state, user_id, True)

    def user_unblocks(self, user_id: int) -> None:
        """The user unblocks the bot."""
        users.set_blocked(self.state, user_id, False)

    # --- inspection --------------------------------------------------------------------------

    def bot_messages(self, user_id: int) -> list[BotMessage]:
        """Return the bot's messages in the user's chat as currently shown (edits in, deletions out)."""
        chat = self.state.chats.get(user_id)
        if chat is None:
            return []
        return [to_bot_message(m) for m in chat.messages.values() if m.from_bot]

    def last_bot_message(self, user_id: int) -> BotMessage | None:
        """The bot's latest message in the user's chat as currently shown (cheap: only that one is built)."""
        chat = self.state.chats.get(user_id)
        if chat is None:
            return None
        latest = next((m for m in reversed(chat.messages.values()) if m.from_bot), None)
        return to_bot_message(latest) if latest is not None else None

    def bot_message_count(self, user_id: int) -> int:
        """How many of the bot's messages the user's chat shows."""
        chat = self.state.chats.get(user_id)
        return sum(1 for m in chat.messages.values() if m.from_bot) if chat is not None else 0

    # The `timeout` parameter name is part of the agreed test API, hence the noqa.
    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Return the first truthy `predicate()` result, re-checked on every change; TimeoutError otherwise."""
        return await self.state.changes.wait_until(predicate, timeout, "the condition")

    async def wait_for_messages(self, user_id: int, count: int, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait until the chat holds at least `count` bot messages and return all of them."""

        def enough() -> list[BotMessage] | None:
            messages = self.bot_messages(user_id)
            return messages if len(messages) >= count else None

        return await self.state.changes.wait_until(
            enough, timeout, f"{count} bot message(s) to user {user_id}"
        )

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Return the answerCallbackQuery calls made so far."""
        return self.state.callback_answers

    def my_commands(self, language_code: str = "") -> list[dict]:
        """Return the command list set for the default scope and `language_code`."""
        return list(self.state.commands.get(commands_key(None, language_code), []))

    @property
    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        return len(self.state.updates)

    # --- faults and limits -------------------------------------------------------------------

    def add_fault(self, rule: FaultRule) -> None:
        """Make the next `rule.count` matching calls fail as `rule.kind` says."""
        self.faults.add(rule)

    def clear_faults(self) -> None:
        """Drop all pending fault rules."""
        self.faults.clear()

    @property
    def flood_rejections(self) -> int:
        """Return how many calls the strict flood limit rejected with 429."""
        return self.flood.rejections if self.flood is not None else 0
