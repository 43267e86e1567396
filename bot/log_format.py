"""Log output: readable lines by default, one JSON object per line with `KLIMABOT_LOG_FORMAT=json`."""

from __future__ import annotations

import datetime as dt
import json
import logging

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message"}` and, for an exception, its type and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_handler(log_format: str) -> logging.Handler:
    """A handler writing to stderr in the chosen format (`text` or `json`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(level: str, log_format: str) -> None:
    """The root logger writes to stderr in the chosen format (unless a host such as pytest has set up
    logging already); alembic's chatter only at DEBUG."""
    logging.basicConfig(level=level, handlers=[log_handler(log_format)])
    if level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter on every command
