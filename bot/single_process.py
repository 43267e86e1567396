"""SQLite is the one-process default: a second bot process on the same SQLite file is refused at start-up.

Two processes on one SQLite file would both poll Telegram, read the inbox and run the jobs; several
instances need PostgreSQL. The guard is an exclusive `flock` on `<database>.lock`, released by the
operating system when the process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.startup import StartupError


@contextlib.contextmanager
def only_process_on_sqlite(database_url: str):
    """Hold the SQLite file's lock while the block runs; PostgreSQL and in-memory databases need none."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        yield
        return
    lock_path = Path(parsed.database).expanduser().with_name(Path(parsed.database).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StartupError(
                f"Die SQLite-Datenbank {parsed.database} wird schon von einem anderen klimabot-Prozess benutzt. "
                "SQLite erlaubt nur einen Prozess – für mehrere Instanzen KLIMABOT_DATABASE_URL auf PostgreSQL "
                "setzen."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
