"""The web chat in a real browser: the bot with only its web channel, and Debian's Chromium driven by Playwright.

Playwright never downloads a browser here (`playwright install` is impossible and not needed): it drives
/usr/bin/chromium (scripts/install-browser.sh). Without Playwright or Chromium the browser tests are skipped
on a laptop and fail in CI (`CI` set), so a CI machine without a browser cannot pass them silently.

Every wait is one of Playwright's auto-waiting expectations, bounded by EXPECT_MS (the advisor's reply by
mail: 20 s); there are no fixed sleeps – the one wait of our own is the Retry-After the server names when it
refuses a visitor's click as too many (429), which a person would wait out too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.bot.tcp_proxy import free_port
from tests.mail_servers import ADVISORS_WITH_HOURS, mail_servers, mail_settings
from tests.web.conftest import running_web_bot

try:
    from playwright.async_api import async_playwright, expect
except ImportError as exc:  # the module still loads, so the tests can say why they do not run
    async_playwright = expect = None
    PLAYWRIGHT_MISSING: str | None = f"Playwright for Python is not installed ({exc}): pip install playwright"
else:
    PLAYWRIGHT_MISSING = None

CHROMIUM = Path("/usr/bin/chromium")
# we run as root in containers, where Chromium's sandbox cannot start; /dev/shm is small in containers
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
EXPECT_MS = 15_000  # the longest any one expectation or action waits (the bot answers in well under a second)
INBOX = "fachstelle@example.org"
RETRIES_AFTER_429 = 10
MAX_RETRY_AFTER = 5.0  # seconds; a longer Retry-After would make the test slower than its time limit allows

if expect is not None:
    expect.set_options(timeout=EXPECT_MS)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if PLAYWRIGHT_MISSING:
        return PLAYWRIGHT_MISSING
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (bash scripts/install-browser.sh)"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine that lacks a tool; in CI (`CI` set) the test fails instead."""
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(autouse=True)
def _browser_available():
    """Skip every browser test on a machine without Playwright or Chromium – but fail in CI."""
    reason = browser_missing()
    if reason is not None:
        skip_or_fail(reason)


# ---------------------------------------------------------------------------------------------------------
# the bot, web channel only


@dataclass
class WebChat:
    """The running bot (no Telegram token: only the web channel) and the address of its chat page."""

    settings: Settings
    url: str
    task: asyncio.Task


@contextlib.asynccontextmanager
async def running_web_chat(settings: Settings):
    """Start the bot without a Telegram token on a free loopback port (pacing lifted unless the test set
    its own); stop it afterwards."""
    changes: dict = {"telegram_token": None, "http_listen": f"127.0.0.1:{free_port()}"}
    if not {"flood_global_per_second", "flood_per_chat_per_second"} & settings.model_fields_set:
        changes |= {"flood_global_per_second": 1000.0, "flood_per_chat_per_second": 100.0}
    async with running_web_bot(settings.model_copy(update=changes)) as running:
        yield WebChat(running.settings, f"{running.base_url}/chat", running.task)


@pytest.fixture
def advisors_file(tmp_path) -> Path:
    path = tmp_path / "advisors.yaml"
    path.write_text(ADVISORS_WITH_HOURS, encoding="utf-8")
    return path


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    """A fresh, migrated SQLite database (a copy of the session's template)."""
    path = tmp_path / "klimabot.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def web_settings(database_url: str, tmp_path: Path, advisors_file: Path, **changes) -> Settings:
    """No token; an advisor with consultation hours; the bot's mail goes to the sink folder."""
    return Settings(
        database_url=database_url,
        mail_sink_dir=tmp_path / "mail",
        advisors_file=advisors_file,
        inbox_address=INBOX,
        **changes,
    )


@pytest.fixture
async def web_chat(sqlite_url, tmp_path, advisors_file):
    """The bot serving /chat on a fresh SQLite database."""
    async with running_web_chat(web_settings(sqlite_url, tmp_path, advisors_file)) as running:
        yield running


@dataclass
class MailWebChat:
    """The bot with the advisory mailbox: Dovecot (IMAP) for the replies, an SMTP server for what it sends."""

    chat: WebChat
    dovecot: object
    inbox: object
    smtp: object


@pytest.fixture
async def mail_web_chat(sqlite_url, tmp_path, advisors_file):
    """The bot serving /chat with a real Dovecot inbox and SMTP server (skipped where Dovecot is missing)."""
    with mail_servers(INBOX) as (dovecot, inbox, smtp):
        settings = web_settings(
            sqlite_url,
            tmp_path,
            advisors_file,
            **mail_settings(dovecot, inbox, smtp),
        )
        async with running_web_chat(settings) as running:
            yield MailWebChat(running, dovecot, inbox, smtp)


# ---------------------------------------------------------------------------------------------------------
# the browser


@dataclass
class Watched:
    """What went wrong inside one page: uncaught script errors, console errors, failed API calls."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"uncaught error: {e}" for e in self.page_errors]
        lines += [f"console error: {e}" for e in self.console_errors]
        lines += [f"failed request: {e}" for e in self.failed_requests]
        return "\n".join(lines)


class Visitors:
    """Opens pages in the one browser; each in its own context, so each is its own visitor (own cookie)."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.contexts: list = []
        self.watched: dict[int, Watched] = {}

    async def open(self, **context_options):
        options = {
            "locale": "de-DE",
            "timezone_id": "Europe/Berlin",
            "viewport": {"width": 1280, "height": 800},
        }
        context = await self.browser.new_context(**(options | context_options))
        context.set_default_timeout(EXPECT_MS)
        self.contexts.append(context)
        page = await context.new_page()
        watched = self.watched[id(page)] = Watched()
        page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                watched.console_errors.append(f"{message.text} ({message.location.get('url')})")
                if message.type == "error"
                else None
            ),
        )

        def on_response(response) -> None:
            if "/chat/api/" in response.url and response.status >= 400:
                watched.failed_requests.append(
                    f"{response.request.method} {response.url} → {response.status}"
                )

        page.on("response", on_response)
        return page

    def problems(self, page) -> Watched:
        return self.watched[id(page)]

    async def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                await context.close()


@pytest.fixture
async def browser():
    """Debian's Chromium, headless, started by Playwright (never a downloaded browser)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def visitors(browser):
    opened = Visitors(browser)
    try:
        yield opened
    finally:
        for index, watched in enumerate(opened.watched.values()):
            if watched.summary():  # shown with the test's output when it failed: what the page itself saw
                print(f"--- page {index + 1}:\n{watched.summary()}")
        await opened.close()


@pytest.fixture
async def page(visitors):
    """A desktop-sized page of a new visitor (nothing opened yet)."""
    return await visitors.open()


# ---------------------------------------------------------------------------------------------------------
# what a visitor sees and does


def chat_log(page):
    return page.locator("#log")


def bot_messages(page):
    return page.locator("#log .message.bot")


def user_messages(page):
    return page.locator("#log .message.user")


def last_bot(page):
    """The bot's newest message (its text and its buttons)."""
    return bot_messages(page).last


def message_field(page):
    return page.get_by_label("Nachricht", exact=True)


def send_button(page):
    return page.get_by_role("button", name="Senden", exact=True)


async def open_chat(page, chat: WebChat) -> None:
    """Open /chat and wait for the /start greeting with its main menu."""
    await page.goto(chat.url)
    greeting = bot_messages(page).first
    await expect(greeting).to_contain_text("digitale Assistent")
    await expect(greeting.get_by_role("button", name="👤 Fachstelle kontaktieren")).to_be_visible()


async def _until_accepted(page, endpoint: str, act) -> None:
    """Do `act` (a click or a key press that posts to /chat/api/`endpoint`); when the server says "too many"
    (429), wait as long as its Retry-After asks – what a person does who reads the page's notice – and do it
    again. The web chat allows a visitor a burst of actions and then one every few seconds; the tests click
    faster than people."""
    for _ in range(RETRIES_AFTER_429 + 1):
        async with page.expect_response(lambda r: r.url.endswith(f"/chat/api/{endpoint}")) as answered:
            await act()
        response = await answered.value
        if response.status != 429:
            assert response.status < 400, (
                f"POST /chat/api/{endpoint} → {response.status}: {await response.text()}"
            )
            return
        # the page tells the visitor in its status line or an alert
        notice = page.get_by_role("status").or_(page.get_by_role("alert")).filter(has_text=re.compile(r"\w"))
        await expect(notice.first).to_be_visible()
        await asyncio.sleep(min(float(response.headers.get("retry-after") or 1), MAX_RETRY_AFTER))
    raise AssertionError(f"POST /chat/api/{endpoint} was still refused (429) after {RETRIES_AFTER_429} waits")


async def send(page, text: str) -> None:
    """Type into the message field and press Senden; the own message shows in the log."""
    before = await user_messages(page).count()

    async def type_and_send() -> None:
        await message_field(page).fill(text)
        await send_button(page).click()

    await _until_accepted(page, "send", type_and_send)
    await expect(user_messages(page)).to_have_count(before + 1)
    await expect(user_messages(page).last).to_contain_text(text)
    await expect(message_field(page)).to_have_value("")


async def until(page, text: str, wait_ms: int = EXPECT_MS) -> None:
    """Wait until the bot's newest message shows `text` (in its text or on one of its buttons)."""
    await expect(last_bot(page)).to_contain_text(text, timeout=wait_ms)


async def press(page, name: str | re.Pattern) -> None:
    """Press a button of the bot's newest message: a string names it exactly, a pattern takes the first match."""
    if isinstance(name, str):
        button = last_bot(page).get_by_role("button", name=name, exact=True)
    else:
        button = last_bot(page).get_by_role("button", name=name).first
    await _until_accepted(page, "press", button.click)


async def pinned(page, message):
    """The same message by its data-message-id, so it stays that message while newer ones arrive."""
    message_id = await message.get_attribute("data-message-id")
    if not message_id:
        return message
    return page.locator(f'#log .message[data-message-id="{message_id}"]')


def assert_no_page_errors(visitors: Visitors, page) -> None:
    """The page's own script raised nothing uncaught."""
    errors = visitors.problems(page).page_errors
    assert not errors, "the page's script failed:\n" + "\n".join(errors)
