"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records envelopes and answers with chosen failures."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
# Default texts carry RFC 3463 enhanced status codes, as real servers do.
_DEFAULT_TEXTS = {
    421: "4.3.2 Service not available, closing transmission channel",
    450: "4.2.1 Mailbox temporarily unavailable",
    451: "4.3.0 Local error in processing",
    452: "4.2.2 Insufficient system storage",
    530: "5.7.0 Authentication required",
    550: "5.1.1 Mailbox unavailable",
    552: "5.3.4 Message too big",
    553: "5.1.3 Mailbox name not allowed",
    554: "5.6.0 Transaction failed",
}


@dataclass(frozen=True)
class ReceivedMessage:
    """One accepted transaction: the envelope, the bytes after DATA as sent, and those bytes parsed."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage


def free_port(host: str = HOST) -> int:
    """A TCP port on `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def reply(code: int, text: str | None = None) -> str:
    """An SMTP reply line for `code`, with a standard text unless one is given."""
    return f"{code} {text or _DEFAULT_TEXTS.get(code, 'Refused by the test server')}"


class TestSmtpServer:
    """aiosmtpd in a background thread on a fixed port, so it can be stopped and started again."""

    # Not a test class, even when imported into a test module.
    __test__ = False

    def __init__(self, *, host: str = HOST, port: int | None = None, auth: tuple[str, str] | None = None):
        self.host = host
        self.port = port or free_port(host)
        self.auth = auth
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._refused_recipients: dict[str, str] = {}
        self._sender_reply: str | None = None
        self._data_reply: str | None = None
        self._controller: Controller | None = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """Whether the server is listening."""
        return self._controller is not None

    def start(self) -> TestSmtpServer:
        """Listen on `self.port` (the same port after a stop), keeping messages and faults."""
        if self._controller is not None:
            raise RuntimeError("the test SMTP server is already running")
        extra: dict[str, object] = {}
        if self.auth is not None:
            # AUTH is advertised without TLS only because this is loopback; handle_MAIL enforces it
            # (aiosmtpd's own auth_required would warn about exactly that).
            extra = {"authenticator": self._authenticate, "auth_require_tls": False}
        controller = Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            # A fixed name keeps aiosmtpd from calling socket.getfqdn(), which can hang on DNS.
            server_hostname="smtp.klimabot.test",
            ready_timeout=5.0,
            **extra,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Stop listening and drop open sessions; start() binds the same port again."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> TestSmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- faults ----------------------------------------------------------------------------------

    def refuse_recipient(self, address: str, code: int, text: str | None = None) -> None:
        """Answer RCPT TO for `address` with `code` (e.g. 450 or 550)."""
        with self._lock:
            self._refused_recipients[address.lower()] = reply(code, text)

    def refuse_sender(self, code: int, text: str | None = None) -> None:
        """Answer every MAIL FROM with `code` (e.g. 451 or 553)."""
        with self._lock:
            self._sender_reply = reply(code, text)

    def fail_data(self, code: int, text: str | None = None) -> None:
        """Answer the end of DATA with `code` (e.g. 451 or 554) and keep nothing."""
        with self._lock:
            self._data_reply = reply(code, text)

    def clear_faults(self) -> None:
        """Accept everything again."""
        with self._lock:
            self._refused_recipients.clear()
            self._sender_reply = None
            self._data_reply = None

    # -- what arrived ----------------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        """The accepted messages so far, oldest first (a copy)."""
        with self._lock:
            return list(self._messages)

    def clear_messages(self) -> None:
        """Forget the messages received so far."""
        with self._lock:
            self._messages.clear()

    # The timeout is the point of this helper (every wait in the suite is bounded), so the parameter
    # stays despite ASYNC109; callers need not wrap each call in asyncio.timeout themselves.
    async def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:  # noqa: ASYNC109
        """The messages once at least `count` have arrived; TimeoutError after `timeout` seconds."""
        arrived = asyncio.Event()
        waiter = (asyncio.get_running_loop(), arrived)
        with self._lock:
            self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                while len(self.messages) < count:
                    await arrived.wait()
                    arrived.clear()
        except TimeoutError:
            got = len(self.messages)
            raise TimeoutError(f"expected {count} message(s) within {timeout}s, got {got}") from None
        finally:
            with self._lock:
                self._waiters.remove(waiter)
        return self.messages

    # -- called by the handler in the server thread ----------------------------------------------

    def _record(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
        # SMTP carries CRLF (RFC 5321 §2.3.8); a mailbox stores "\n", and so does the parsed copy, so that
        # get_content() compares equal to the text the test composed.
        parsed = BytesParser(policy=policy.default).parsebytes(raw.replace(b"\r\n", b"\n"))
        with self._lock:
            self._messages.append(ReceivedMessage(mail_from, tuple(rcpt_tos), raw, parsed))
            waiters = list(self._waiters)
        # The handler runs in the server's own thread and loop; waiters live in the test's loop.
        for loop, arrived in waiters:
            try:
                loop.call_soon_threadsafe(arrived.set)
            except RuntimeError:
                pass  # that test's loop is already closed; nobody is waiting any more

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        expected_user, expected_password = self.auth or ("", "")
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == expected_user
            and auth_data.password.decode() == expected_password
        )
        # A failed result without a message makes aiosmtpd answer 535 5.7.8 (RFC 4954 §6).
        return AuthResult(success=ok, handled=False)


class _Handler:
    """aiosmtpd hooks that consult the owning TestSmtpServer for faults and record what arrives."""

    def __init__(self, owner: TestSmtpServer) -> None:
        self._owner = owner

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        owner = self._owner
        if owner.auth is not None and not session.authenticated:
            return reply(530)  # RFC 4954 §6: authentication required
        with owner._lock:
            refusal = owner._sender_reply
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        with self._owner._lock:
            refusal = self._owner._refused_recipients.get(address.lower())
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._owner._lock:
            refusal = self._owner._data_reply
        if refusal:
            return refusal
        self._owner._record(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        return "250 2.0.0 Message accepted for delivery"
