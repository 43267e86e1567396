"""A visitor of the web chat speaking its browser protocol (`web/PROTOCOL.md`) with aiohttp."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable

import aiohttp


class WebVisitor:
    """One browser: its own cookie jar; sends like the page does and reads the history or the live stream."""

    def __init__(self, base_url: str, *, origin: str | None = None) -> None:
        self.base_url = base_url
        self.origin = origin or base_url
        # the cookie is `Secure`; browsers send it to loopback over plain HTTP, aiohttp only when told so
        jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base_url])
        self.http = aiohttp.ClientSession(cookie_jar=jar)

    async def close(self) -> None:
        await self.http.close()

    async def open_page(self) -> aiohttp.ClientResponse:
        async with self.http.get(f"{self.base_url}/chat") as response:
            await response.read()
            return response

    async def post(self, path: str, data: dict, **headers: str) -> tuple[int, dict]:
        sent = {"Origin": self.origin, "Content-Type": "application/json", **headers}
        async with self.http.post(f"{self.base_url}{path}", data=json.dumps(data), headers=sent) as response:
            return response.status, await response.json()

    async def say(self, text: str) -> tuple[int, dict]:
        return await self.post("/chat/api/send", {"text": text})

    async def press(self, message_id: int, data: str) -> tuple[int, dict]:
        return await self.post("/chat/api/press", {"message_id": message_id, "data": data})

    async def history(self, after: int = 0) -> list[dict]:
        async with self.http.get(f"{self.base_url}/chat/api/history", params={"after": after}) as response:
            assert response.status == 200, await response.text()
            return (await response.json())["events"]

    async def bot_messages(self) -> list[dict]:
        """The bot's messages as the page shows them now (edits applied, deletions gone), oldest first."""
        shown: dict[int, dict] = {}
        for event in await self.history():
            if event["type"] in ("message", "edit"):
                shown[event["message_id"]] = event
            elif event["type"] == "delete":
                shown.pop(event["message_id"], None)
        return [event for event in shown.values() if event["from"] == "bot"]

    async def wait_for(self, found: Callable[[list[dict]], object], *, within: float = 15.0):
        """Poll the bot's messages until `found(messages)` is truthy; return that value."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            messages = await self.bot_messages()
            result = found(messages)
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"not found within {within} s; the bot showed: {[text(m) for m in messages]}"
                )
            await asyncio.sleep(0.1)

    async def reply_to(self, text_sent: str, *, within: float = 15.0) -> dict:
        """Send a text and return the first new bot message."""
        before = len(await self.bot_messages())
        status, _ = await self.say(text_sent)
        assert status == 202
        return await self.wait_for(
            lambda messages: len(messages) > before and messages[before], within=within
        )

    @contextlib.asynccontextmanager
    async def stream(self, after: int = 0):
        """The live event stream; yields a queue of decoded events."""
        queue: asyncio.Queue[dict] = asyncio.Queue()
        response = await self.http.get(f"{self.base_url}/chat/api/events", params={"after": after})
        assert response.status == 200

        async def read() -> None:
            data = []
            async for raw in response.content:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    data.append(line[6:])
                elif not line and data:
                    await queue.put(json.loads("\n".join(data)))
                    data = []

        reader = asyncio.create_task(read())
        try:
            yield queue
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
                await reader
            response.close()


def text(message: dict) -> str:
    """The plain text of a message event."""
    return "".join(part["text"] for part in message.get("parts") or [])


def buttons(message: dict) -> dict[str, str]:
    """Label → callback data of a message's buttons."""
    return {b["text"]: b["data"] for row in message.get("buttons") or [] for b in row if "data" in b}
