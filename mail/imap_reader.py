"""IMAP transport: reads the advisory inbox by UID, hands each raw message to a handler, files it away."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from imapclient import DELETED, IMAPClient
from imapclient import exceptions as imap_exceptions

logger = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "ssl"]
_TLS_MODES = ("none", "starttls", "ssl")
# One IDLE check per second, so a stop request reaches the IDLE thread within about a second.
_IDLE_CHECK_SECONDS = 1.0
# Socket timeout for DONE/LOGOUT on the way out: shutdown must not wait a full read timeout.
_GOODBYE_SECONDS = 2.0
_WATCHER_STOP_SECONDS = 3.0
_BACKOFF_BASE_SECONDS = 1.0
_POLLRDHUP = getattr(select, "POLLRDHUP", 0)


@dataclass(frozen=True)
class ImapSettings:
    """Where and how to read the advisory inbox."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    tls: TlsMode = "ssl"
    mailbox: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    poll_interval: float = 30.0
    # RFC 2177: servers may drop a client idling 30 min, so re-issue IDLE well before (every 5 min).
    idle_timeout: float = 300.0
    connect_timeout: float = 15.0
    max_backoff: float = 300.0

    def __post_init__(self) -> None:
        if self.tls not in _TLS_MODES:
            raise ValueError(f"tls must be one of {_TLS_MODES}, not {self.tls!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port out of range: {self.port}")
        for name in ("poll_interval", "idle_timeout", "connect_timeout", "max_backoff"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        folders = {self.mailbox, self.processed_folder, self.quarantine_folder}
        if len(folders) != 3:
            raise ValueError("mailbox, processed_folder and quarantine_folder must differ")


class Outcome(enum.StrEnum):
    """Where a handled message is filed."""

    PROCESSED = "processed"
    QUARANTINE = "quarantine"


@dataclass(frozen=True)
class HandleResult:
    """The handler's verdict on one message; `reason` is logged (required reading for quarantine)."""

    outcome: Outcome
    reason: str = ""

    def __post_init__(self) -> None:
        # A typo such as "quarantined" must fail loudly, not file a suspicious message as processed.
        object.__setattr__(self, "outcome", Outcome(self.outcome))


Handler = Callable[[int, bytes], Awaitable[HandleResult]]


class Checkpoint(Protocol):
    """Durable memory of how far the mailbox has been read (RFC 3501 2.3.1.1: UIDs + UIDVALIDITY)."""

    async def load(self) -> tuple[int | None, int]:
        """The stored (uidvalidity, last_uid); (None, 0) before the first save."""
        ...

    async def save(self, uidvalidity: int, last_uid: int) -> None:
        """Remember that every UID up to last_uid under uidvalidity is done."""
        ...


class MemoryCheckpoint:
    """A checkpoint kept in memory, for tests and one-off runs."""

    def __init__(self, uidvalidity: int | None = None, last_uid: int = 0) -> None:
        self.uidvalidity = uidvalidity
        self.last_uid = last_uid
        self.saves = 0

    async def load(self) -> tuple[int | None, int]:
        """The stored (uidvalidity, last_uid)."""
        return self.uidvalidity, self.last_uid

    async def save(self, uidvalidity: int, last_uid: int) -> None:
        """Store (uidvalidity, last_uid)."""
        self.uidvalidity, self.last_uid = uidvalidity, last_uid
        self.saves += 1


class ImapError(Exception):
    """Base of everything the IMAP transport raises."""


class ImapConnectionError(ImapError):
    """The server could not be reached, or the connection dropped or timed out."""


class ImapAuthError(ImapError):
    """The server refused the login."""


class ImapProtocolError(ImapError):
    """The server refused a command or answered something unexpected."""


class ImapHandlerError(ImapError):
    """The handler raised: a system fault, so the message stays in the mailbox for a later pass."""

    def __init__(self, uid: int, cause: BaseException) -> None:
        super().__init__(f"handler failed on UID {uid}: {cause!r}")
        self.uid = uid


@dataclass(frozen=True)
class ImapStatus:
    """A snapshot of the reader's health; processed_count counts every filed message, quarantined or not."""

    connected: bool
    idle_supported: bool | None
    idling: bool
    last_error: str | None
    processed_count: int
    quarantined_count: int
    last_pass_at: float | None


@contextlib.contextmanager
def _imap_errors(action: str) -> Iterator[None]:
    """Translate imapclient/socket exceptions into the typed errors above."""
    try:
        yield
    except ImapError:
        raise
    except imap_exceptions.LoginError as exc:
        # imapclient reports a connection dropped during LOGIN as a LoginError too.
        if isinstance(exc.__context__, imap_exceptions.IMAPClientAbortError | OSError):
            raise ImapConnectionError(f"{action}: connection lost: {exc}") from exc
        raise ImapAuthError(f"{action}: login refused: {exc}") from exc
    # abort is a subclass of IMAPClientError, so it has to come first.
    except (imap_exceptions.IMAPClientAbortError, OSError, EOFError) as exc:
        raise ImapConnectionError(f"{action}: {exc!r}") from exc
    except imap_exceptions.IMAPClientError as exc:
        raise ImapProtocolError(f"{action}: {exc}") from exc


class _Backoff:
    """Exponential backoff with jitter, capped, so readers do not all reconnect in the same second."""

    def __init__(self, cap: float, rng: random.Random | None = None) -> None:
        self._cap = cap
        self._attempts = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        """The next wait in seconds: half the ceiling plus a random half."""
        ceiling = min(self._cap, _BACKOFF_BASE_SECONDS * 2 ** min(self._attempts, 30))
        self._attempts += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        """Start again from the shortest wait."""
        self._attempts = 0


# -- blocking helpers: they only ever run in worker threads --------------------------------------


def _login(settings: ImapSettings) -> IMAPClient:
    context = ssl.create_default_context() if settings.tls != "none" else None
    with _imap_errors(f"connect to {settings.host}:{settings.port}"):
        client = IMAPClient(
            settings.host,
            port=settings.port,
            use_uid=True,
            ssl=settings.tls == "ssl",
            ssl_context=context,
            timeout=settings.connect_timeout,
        )
    try:
        with _imap_errors(f"log in as {settings.user}"):
            if settings.tls == "starttls":
                client.starttls(context)
            client.login(settings.user, settings.password)
    except BaseException:
        _hang_up(client)
        raise
    return client


def _hang_up(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):
        client.shutdown()


def _hang_up_when_done(login: asyncio.Future[IMAPClient]) -> None:
    if not login.cancelled() and login.exception() is None:
        _hang_up(login.result())


def _log_out(client: IMAPClient) -> None:
    """LOGOUT politely (RFC 3501 6.1.3) within a short timeout; a dead connection is just closed."""
    try:
        client.socket().settimeout(_GOODBYE_SECONDS)
        client.logout()
    except Exception:
        _hang_up(client)


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if client.folder_exists(folder):
        return
    try:
        client.create_folder(folder)
    except imap_exceptions.IMAPClientError:
        # Another reader may have won the race: CREATE of an existing name fails (RFC 3501 6.3.3).
        if not client.folder_exists(folder):
            raise
    # Mail clients of the office list subscribed folders only (RFC 3501 6.3.6).
    with contextlib.suppress(imap_exceptions.IMAPClientError):
        client.subscribe_folder(folder)


def _open_mailbox(client: IMAPClient, settings: ImapSettings) -> tuple[int, frozenset[bytes]]:
    capabilities = frozenset(client.capabilities())
    _ensure_folder(client, settings.processed_folder)
    _ensure_folder(client, settings.quarantine_folder)
    # Read-write SELECT: MOVE and EXPUNGE need it (RFC 3501 6.3.1).
    info = client.select_folder(settings.mailbox)
    return int(info[b"UIDVALIDITY"]), capabilities


def _search_new(client: IMAPClient, last_uid: int) -> list[int]:
    uids = client.search(["UID", f"{last_uid + 1}:*"])
    # RFC 3501 6.4.8/9: "n:*" also matches the highest UID when n is beyond it, so filter here.
    return sorted(uid for uid in uids if uid > last_uid)


def _fetch_raw(client: IMAPClient, uid: int) -> bytes | None:
    # BODY.PEEK[] leaves \Seen alone (RFC 3501 6.4.5): nothing is marked before it is handled.
    data = client.fetch([uid], ["BODY.PEEK[]"])
    item = data.get(uid)
    return None if item is None else item.get(b"BODY[]")


def _file_message(client: IMAPClient, uid: int, folder: str, capabilities: frozenset[bytes]) -> str:
    if b"MOVE" in capabilities:
        client.move([uid], folder)  # RFC 6851 UID MOVE: atomic, nothing left behind
        return "moved"
    client.copy([uid], folder)
    if b"UIDPLUS" in capabilities:
        # RFC 4315 UID EXPUNGE removes this UID only, never other mail someone marked \Deleted.
        client.add_flags([uid], [DELETED])
        client.uid_expunge([uid])
        return "copied and expunged"
    # Without UIDPLUS only a mailbox-wide EXPUNGE exists, which could delete others' mail: keep it.
    return "copied (original kept: server has neither MOVE nor UIDPLUS)"


def _peer_closed(sock: Any) -> bool:
    """Whether the server hung up: imapclient's idle_check reports EOF as an empty list."""
    if not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | _POLLRDHUP)
    return any(mask & (_POLLRDHUP | select.POLLHUP | select.POLLERR) for _fd, mask in poller.poll(0))


class _Session:
    """One logged-in worker connection; its blocking calls run in threads, one at a time."""

    def __init__(self, client: IMAPClient) -> None:
        self._client = client
        self._lock = threading.Lock()

    async def call(self, action: str, function: Callable[..., Any], *args: Any) -> Any:
        """Run function(client, *args) in a worker thread with typed errors."""
        return await asyncio.to_thread(self._locked, action, function, *args)

    def _locked(self, action: str, function: Callable[..., Any], *args: Any) -> Any:
        with self._lock, _imap_errors(action):
            return function(self._client, *args)

    async def close(self) -> None:
        """Log out; a call still running after a cancel has its socket cut first so it returns."""
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        if not self._lock.acquire(timeout=_GOODBYE_SECONDS):
            with contextlib.suppress(Exception):
                self._client.socket().shutdown(socket.SHUT_RDWR)
            if not self._lock.acquire(timeout=_GOODBYE_SECONDS):
                return
        try:
            _log_out(self._client)
        finally:
            self._lock.release()


class _IdleWatcher:
    """One IDLE connection (RFC 2177) in its own thread; it only listens and wakes the loop on new mail."""

    def __init__(
        self, settings: ImapSettings, clock: Callable[[], float], notify: Callable[[], None]
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._notify = notify
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"imap-idle-{settings.user}", daemon=True)
        self.connected = False
        self.idling = False
        self.idle_supported: bool | None = None
        self.error: ImapError | None = None
        self.finished = False

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to leave IDLE and log out; it notices within about a second."""
        self._stop.set()

    def join(self, timeout: float) -> None:
        """Wait (blocking, bounded) for the thread to end."""
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread.is_alive()

    def _run(self) -> None:
        client = None
        try:
            client = _login(self._settings)
            self.connected = True
            with _imap_errors("IDLE"):
                self.idle_supported = client.has_capability("IDLE")
                if not self.idle_supported:
                    return
                # EXAMINE: the watcher never changes flags or \Recent (RFC 3501 6.3.2).
                client.select_folder(self._settings.mailbox, readonly=True)
                while not self._stop.is_set():
                    self._idle_once(client)
        except ImapError as exc:
            self.error = exc
        except Exception as exc:  # a thread must report, not die silently
            self.error = ImapProtocolError(f"IDLE watcher: {exc!r}")
        finally:
            self.idling = False
            if client is not None:
                _log_out(client)
            self.connected = False
            self.finished = True
            self._notify()

    def _idle_once(self, client: IMAPClient) -> None:
        client.idle()
        self.idling = True
        self._notify()
        started = self._clock()
        while not self._stop.is_set() and self._clock() - started < self._settings.idle_timeout:
            responses = client.idle_check(timeout=_IDLE_CHECK_SECONDS)
            self._inspect(responses)
            if not responses and _peer_closed(client.socket()):
                raise ImapConnectionError("server closed the IDLE connection")
        self.idling = False
        if self._stop.is_set():
            client.socket().settimeout(_GOODBYE_SECONDS)
        # DONE ends IDLE; the loop re-issues it, well within RFC 2177's 29 minutes.
        _text, responses = client.idle_done()
        self._inspect(responses)

    def _inspect(self, responses: list[tuple[Any, ...]]) -> None:
        if any(len(response) > 1 and response[1] == b"EXISTS" for response in responses):
            self._notify()
        for response in responses:
            if response and response[0] == b"BYE":
                text = b" ".join(part for part in response[1:] if isinstance(part, bytes))
                raise ImapConnectionError(f"server ended the IDLE session: {text.decode(errors='replace')}")


class ImapReader:
    """Reads new messages in UID order, calls the handler, moves each to Processed or Quarantine."""

    def __init__(
        self,
        settings: ImapSettings,
        *,
        checkpoint: Checkpoint,
        handler: Handler,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Set up the reader; nothing connects before run() or process_pending()."""
        self._settings = settings
        self._checkpoint = checkpoint
        self._handler = handler
        self._clock = clock or time.monotonic
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watcher: _IdleWatcher | None = None
        self._worker_connected = False
        self._idle_supported: bool | None = None
        self._last_error: str | None = None
        self._processed = 0
        self._quarantined = 0
        self._last_pass_at: float | None = None
        # run() and a direct process_pending() call must not handle the same UID twice at once.
        self._pass_lock = asyncio.Lock()

    @property
    def status(self) -> ImapStatus:
        """Connection state, IDLE support, last error and counters."""
        watcher = self._watcher
        return ImapStatus(
            connected=self._worker_connected or bool(watcher and watcher.connected),
            idle_supported=self._idle_supported,
            idling=bool(watcher and watcher.idling),
            last_error=self._last_error,
            processed_count=self._processed,
            quarantined_count=self._quarantined,
            last_pass_at=self._last_pass_at,
        )

    async def run(self) -> None:
        """Process new mail until cancelled: IDLE when offered, else poll; reconnect with backoff."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        backoff = _Backoff(self._settings.max_backoff)
        try:
            while True:
                try:
                    if self._watcher is None and self._idle_supported is not False:
                        await self._start_watcher()
                    # Cleared before the pass: mail arriving during the pass triggers another one.
                    self._wake.clear()
                    await self.process_pending()
                    backoff.reset()
                    await self._wait_for_mail()
                    await self._check_watcher()
                except ImapError as exc:
                    await self._after_failure(exc, backoff)
                except Exception as exc:  # e.g. the checkpoint store is down: keep the transport alive
                    logger.exception("IMAP reader: unexpected failure")
                    await self._after_failure(exc, backoff)
        finally:
            await self._stop_watcher()
            self._wake = None
            self._loop = None

    async def process_pending(self) -> int:
        """One pass: connect, handle and file every new message in UID order, disconnect; returns the count."""
        async with self._pass_lock:
            session = await self._connect()
            self._worker_connected = True
            try:
                uidvalidity, capabilities = await session.call("select", _open_mailbox, self._settings)
                self._idle_supported = b"IDLE" in capabilities
                last_uid = await self._sync_checkpoint(uidvalidity)
                uids = await session.call("search", _search_new, last_uid)
                handled = 0
                for uid in uids:
                    handled += await self._process_one(session, uidvalidity, capabilities, uid)
                self._last_error = None
                self._last_pass_at = self._clock()
                return handled
            finally:
                self._worker_connected = False
                await session.close()

    async def _connect(self) -> _Session:
        login = asyncio.ensure_future(asyncio.to_thread(_login, self._settings))
        try:
            return _Session(await asyncio.shield(login))
        except asyncio.CancelledError:
            # The thread still completes its login; hang up that connection once it has.
            login.add_done_callback(_hang_up_when_done)
            raise

    async def _sync_checkpoint(self, uidvalidity: int) -> int:
        stored, last_uid = await self._checkpoint.load()
        if stored == uidvalidity:
            return last_uid
        if stored is not None:
            # RFC 3501 2.3.1.1: a new UIDVALIDITY means old UIDs no longer name the same messages.
            logger.warning(
                "UIDVALIDITY of %s changed from %s to %s: rescanning from the first message",
                self._settings.mailbox,
                stored,
                uidvalidity,
            )
            last_uid = 0
        await self._checkpoint.save(uidvalidity, last_uid)
        return last_uid

    async def _process_one(
        self, session: _Session, uidvalidity: int, capabilities: frozenset[bytes], uid: int
    ) -> int:
        raw = await session.call(f"fetch UID {uid}", _fetch_raw, uid)
        if raw is None:
            logger.info("UID %s vanished before it was fetched (moved by another client)", uid)
            await self._checkpoint.save(uidvalidity, uid)
            return 0
        try:
            result = await self._handler(uid, raw)
        except Exception as exc:  # any handler fault: the message stays where it is
            raise ImapHandlerError(uid, exc) from exc
        if not isinstance(result, HandleResult):
            raise ImapHandlerError(uid, TypeError(f"handler returned {result!r}, not HandleResult"))
        quarantined = result.outcome is Outcome.QUARANTINE
        folder = self._settings.quarantine_folder if quarantined else self._settings.processed_folder
        how = await session.call(f"file UID {uid}", _file_message, uid, folder, capabilities)
        # Saved after the move: a crash in between re-handles the message (the handler dedupes by
        # Message-ID) instead of losing it.
        await self._checkpoint.save(uidvalidity, uid)
        self._processed += 1
        if quarantined:
            self._quarantined += 1
            logger.warning("UID %s quarantined (%s): %s", uid, how, result.reason or "no reason given")
        else:
            logger.info("UID %s processed (%s)%s", uid, how, f": {result.reason}" if result.reason else "")
        return 1

    def _notify_threadsafe(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed while the thread said goodbye
            loop.call_soon_threadsafe(wake.set)

    async def _start_watcher(self) -> None:
        assert self._wake is not None
        watcher = _IdleWatcher(self._settings, self._clock, self._notify_threadsafe)
        self._watcher = watcher
        watcher.start()
        try:
            async with asyncio.timeout(2 * self._settings.connect_timeout + 5):
                while not (watcher.idling or watcher.finished):
                    await self._wake.wait()
                    self._wake.clear()
        except TimeoutError:
            raise ImapConnectionError("IDLE connection was not ready in time") from None
        if watcher.idling:
            self._idle_supported = True
        if watcher.finished:
            await self._check_watcher()

    async def _check_watcher(self) -> None:
        watcher = self._watcher
        if watcher is None or not watcher.finished:
            return
        await self._stop_watcher()
        if watcher.error is not None:
            raise watcher.error
        if watcher.idle_supported is False:
            self._idle_supported = False
            logger.info("server does not offer IDLE: polling every %s s", self._settings.poll_interval)
            return
        raise ImapConnectionError("IDLE connection ended")

    async def _wait_for_mail(self) -> None:
        assert self._wake is not None
        # With IDLE the pass after each re-IDLE is a safety net; without it this is the poll interval.
        idling = self._watcher is not None
        timeout = self._settings.idle_timeout if idling else self._settings.poll_interval
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    async def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is None:
            return
        watcher.stop()
        await asyncio.to_thread(watcher.join, _WATCHER_STOP_SECONDS)
        if watcher.is_alive():
            logger.warning(
                "IDLE thread did not stop within %s s; it is a daemon thread", _WATCHER_STOP_SECONDS
            )

    async def _after_failure(self, exc: Exception, backoff: _Backoff) -> None:
        self._last_error = f"{type(exc).__name__}: {exc}"
        if self._watcher is not None and (self._watcher.finished or not isinstance(exc, ImapHandlerError)):
            await self._stop_watcher()
        if isinstance(exc, ImapConnectionError | ImapAuthError):
            # A new connection may find a server with different capabilities.
            self._idle_supported = None
        delay = backoff.next_delay()
        if isinstance(exc, ImapHandlerError):
            logger.error("%s; message left in %s, retry in %.1f s", exc, self._settings.mailbox, delay)
        elif isinstance(exc, ImapError):
            logger.warning("IMAP %s; retry in %.1f s", self._last_error, delay)
        await asyncio.sleep(delay)
