"""A private, throwaway Dovecot IMAP server on 127.0.0.1 for the transport tests."""

from __future__ import annotations

import contextlib
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
import weakref
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
GRACE = 1.5
CLIENT_TIMEOUT = 10.0
SPARE_USERS = 100

DEFAULT_USERS = {"fachstelle@example.org": "secret", "beratung@example.org": "geheim"}

CONFIG = """\
# Written by tests/imap/dovecot.py; see shared/dovecot/NOTES.md for why each line is here.
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password in a test should fail at once, not after the default 2 s penalty.
auth_failure_delay = 0
# No stats process clients: on shutdown a login process would wait 5 s for the stats handshake.
stats_writer_socket_path =
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
{capability_line}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={internal_user} gid={internal_group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  # No auth penalty: every test logs in from 127.0.0.1, and one wrong-password test would slow
  # all later logins down by seconds (Dovecot's documented way to switch the penalty off).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


@dataclass(frozen=True)
class MailUser:
    """A test account: its login name and password."""

    name: str
    password: str


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def port_open(port: int, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def greets(port: int, timeout: float = 1.0) -> bool:
    """Whether an IMAP server on 127.0.0.1:port sends its `* OK` greeting (RFC 3501 7.1.1)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as probe, probe.makefile("rb") as stream:
            return stream.readline(1024).startswith(b"* OK")
    except OSError:
        return False


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # The daemonised master is re-parented to PID 1, which may reap it late: a zombie is gone for us.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _children(pid: int) -> list[int]:
    """Live child processes of pid (from /proc)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(stat_file.parent.name))
    return found


def _stop_instance(pid_file: Path, timeout: float = STOP_TIMEOUT) -> None:
    """Stop the master of one private instance (and with it its children); idempotent."""
    pid = _read_pid(pid_file)
    if pid is None or not _pid_alive(pid):
        return
    # This is what `doveadm -c <conf> stop` does (SIGTERM to the master), minus its fixed 3 s wait for a
    # pid that stays a zombie here because PID 1 of this container reaps orphans late.
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    grace = time.monotonic() + GRACE
    while _pid_alive(pid) and time.monotonic() < deadline:
        if time.monotonic() > grace:
            # A login process caught mid-start waits 5 s for auth before it exits; the master waits for
            # it. Only this master's own children are killed, never processes found by name.
            for child in _children(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
        time.sleep(0.05)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _finalize(pid_file: Path, root: Path) -> None:
    with contextlib.suppress(Exception):
        _stop_instance(pid_file)
    shutil.rmtree(root, ignore_errors=True)


class DovecotServer:
    """One private Dovecot instance: its own config, port, users and Maildirs in a temp dir."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        imap_capability: str | None = None,
    ) -> None:
        """Write the config; `imap_capability` replaces the post-login CAPABILITY list (to hide IDLE/MOVE)."""
        if os.geteuid() != 0:
            raise PermissionError("the test Dovecot runs as root (its login processes drop privileges)")
        self.host = HOST
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="klimabot-dovecot-"))
        # The mail processes run as the internal user and must reach their Maildirs below root.
        self.root.chmod(0o755)
        self.config = self.root / "dovecot.conf"
        self.passwd = self.root / "passwd"
        self.log = self.root / "dovecot.log"
        self.pid_file = self.root / "run" / "master.pid"
        self._users: dict[str, str] = {}
        # The master runs as root and drops to these accounts, which the Debian package creates.
        internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
        (self.root / "mail").mkdir()
        shutil.chown(self.root / "mail", user=internal_user, group=internal_group)
        capability_line = f"imap_capability = {imap_capability}" if imap_capability else ""
        self.config.write_text(
            CONFIG.format(
                host=HOST,
                port=self.port,
                root=self.root,
                internal_user=internal_user,
                internal_group=internal_group,
                login_user=login_user,
                capability_line=capability_line,
            )
        )
        for name, password in (users if users is not None else DEFAULT_USERS).items():
            self._users[name] = password
        # Dovecot re-reads passwd-file at most once a second, so per-test accounts are made up front.
        self._spare = [f"user-{uuid.uuid4().hex[:12]}@example.org" for _ in range(SPARE_USERS)]
        for name in self._spare:
            self._users[name] = "secret"
        self._write_passwd()
        self._finalizer = weakref.finalize(self, _finalize, self.pid_file, self.root)

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether this instance's master process is alive."""
        pid = _read_pid(self.pid_file)
        return pid is not None and _pid_alive(pid)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the master and wait (bounded) until the IMAP port accepts connections."""
        if self.running:
            return
        startup_log = self.root / "startup.log"
        # Not a pipe: the daemonised master inherits it, and reading a pipe would wait for its exit.
        with startup_log.open("wb") as output:
            result = subprocess.run(
                ["dovecot", "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                timeout=timeout,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"dovecot did not start: {startup_log.read_text().strip()}\n{self.log_tail()}")
        deadline = time.monotonic() + timeout
        # The master writes its pid file just after forking (stop() needs it); the greeting comes once
        # imap-login has reached auth, so a quick stop() does not catch a login process mid-start.
        while not (self.running and greets(self.port)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot not listening on {HOST}:{self.port}\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the master (as `doveadm stop` would) and wait until the port is closed."""
        _stop_instance(self.pid_file, timeout)
        deadline = time.monotonic() + timeout
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        """Stop and start again on the same port: every client connection is dropped."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its temp dir."""
        self._finalizer()

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server log, for failure messages."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no dovecot log)"

    # -- accounts --------------------------------------------------------------------------------

    def add_user(self, name: str | None = None, password: str = "secret") -> MailUser:
        """A fresh account with an empty mailbox: a spare one, or a new one once Dovecot has read it."""
        if name is None and password == "secret" and self._spare:
            return MailUser(self._spare.pop(), password)
        name = name or f"user-{uuid.uuid4().hex[:12]}@example.org"
        self._users[name] = password
        self._write_passwd()
        if self.running:
            self._wait_for_login(MailUser(name, password))
        return MailUser(name, password)

    def _write_passwd(self) -> None:
        lines = "".join(f"{user}:{{PLAIN}}{secret}\n" for user, secret in self._users.items())
        tmp = self.passwd.with_suffix(".tmp")
        tmp.write_text(lines)
        tmp.chmod(0o644)
        tmp.replace(self.passwd)

    def _wait_for_login(self, user: MailUser, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client(user).logout()
                return
            except LoginError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def user(self, name: str) -> MailUser:
        """An existing account by name."""
        return MailUser(name, self._users[name])

    # -- a mail client's view --------------------------------------------------------------------

    def client(self, user: MailUser | str) -> IMAPClient:
        """A logged-in IMAPClient for the account (use it as a context manager)."""
        account = self.user(user) if isinstance(user, str) else user
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=CLIENT_TIMEOUT)
        try:
            client.login(account.name, account.password)
        except Exception:
            client.shutdown()
            raise
        return client

    def append(self, user: MailUser | str, raw: bytes, folder: str = "INBOX") -> int | None:
        """Deliver a message as a mail client would (IMAP APPEND); returns its UID (RFC 4315 APPENDUID)."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw)
        # b"[APPENDUID <uidvalidity> <uid>] Append completed."
        text = response.decode() if isinstance(response, bytes) else str(response)
        if text.startswith("[APPENDUID"):
            return int(text.split("]")[0].split()[2])
        return None

    def append_all(self, user: MailUser | str, messages: list[bytes], folder: str = "INBOX") -> None:
        """Deliver many messages over one connection (a login per message would cost most of the time)."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)

    def count(self, user: MailUser | str, folder: str = "INBOX") -> int:
        """How many messages the folder holds (0 if it does not exist)."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                return 0
            return int(client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"])

    def folders(self, user: MailUser | str) -> list[str]:
        """The account's folder names."""
        with self.client(user) as client:
            return sorted(name for _flags, _delimiter, name in client.list_folders())

    def total(self, user: MailUser | str) -> int:
        """Messages over all folders of the account."""
        with self.client(user) as client:
            return sum(
                int(client.folder_status(name, ["MESSAGES"])[b"MESSAGES"])
                for _flags, _delimiter, name in client.list_folders()
            )

    def uids(self, user: MailUser | str, folder: str = "INBOX") -> list[int]:
        """The UIDs in a folder, ascending."""
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            return sorted(client.search(["ALL"]))

    def uidvalidity(self, user: MailUser | str, folder: str = "INBOX") -> int:
        """The folder's current UIDVALIDITY."""
        with self.client(user) as client:
            return int(client.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"])

    def bodies(self, user: MailUser | str, folder: str = "INBOX") -> list[bytes]:
        """The raw messages of a folder in UID order (read-only, nothing marked seen)."""
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search(["ALL"]))
            data = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [data[uid][b"BODY[]"] for uid in uids]

    def create_folder(self, user: MailUser | str, folder: str) -> None:
        """Create a folder as another mail client would."""
        with self.client(user) as client:
            client.create_folder(folder)

    def delete_folder(self, user: MailUser | str, folder: str) -> None:
        """Delete a folder (and its messages) as another mail client would."""
        with self.client(user) as client:
            client.delete_folder(folder)

    def set_uidvalidity(self, user: MailUser | str, folder: str, uidvalidity: int) -> None:
        """Give a folder a new UIDVALIDITY, as a server migration or index rebuild would."""
        name = user if isinstance(user, str) else user.name
        self._doveadm("mailbox", "update", "-u", name, "--uid-validity", str(uidvalidity), folder)

    def flag(self, user: MailUser | str, uid: int, flag: bytes, folder: str = "INBOX") -> None:
        """Set a flag on one message, as another mail client would."""
        with self.client(user) as client:
            client.select_folder(folder)
            client.add_flags([uid], [flag])

    def flags(self, user: MailUser | str, folder: str) -> list[tuple[bytes, ...]]:
        """The flags of every message in a folder, in UID order."""
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            data = client.fetch(uids, ["FLAGS"]) if uids else {}
            return [tuple(data[uid][b"FLAGS"]) for uid in sorted(data)]

    # -- faults ----------------------------------------------------------------------------------

    def kill_connections(self, user: MailUser | str | None = None) -> None:
        """Drop live IMAP connections (all from 127.0.0.1, or one account's), as a network fault would."""
        target = HOST if user is None else (user if isinstance(user, str) else user.name)
        self._doveadm("kick", target)

    def connections(self, user: MailUser | str | None = None) -> int:
        """How many IMAP sessions are logged in (all, or one account's), per `doveadm who`."""
        args = ["who", "-1"]
        if user is not None:
            args.append(user if isinstance(user, str) else user.name)
        lines = self._doveadm(*args).splitlines()
        return sum(1 for line in lines[1:] if " imap " in f" {line} ")

    def _doveadm(self, *args: str) -> str:
        result = subprocess.run(
            ["doveadm", "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=STOP_TIMEOUT,
            check=False,
        )
        if result.returncode not in (0, 68):  # 68 (EX_NOUSER): nobody to kick or list
            raise RuntimeError(f"doveadm {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout


def make_message(subject: str, *, sender: str = "buergermeister@gemeinde.example", body: str = "") -> bytes:
    """A small RFC 5322 message as a municipality's mail client would send it (RFC 2047 headers, CRLF)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = "fachstelle@example.org"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@gemeinde.example>"
    message["Date"] = "Tue, 25 Nov 2025 10:00:00 +0100"
    message.set_content(body or "Guten Tag, wir haben eine Frage zum Klimaschutzplan.")
    return message.as_bytes()
