"""`/healthz` and `/metrics` of a running bot, the probe's verdict on a dead database, and JSON log lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import aiohttp
import pytest

from bot.health import HealthProbe
from bot.log_format import JsonFormatter, log_handler
from bot.settings import Settings
from storage.database import create_engine, session_factory
from tests.bot.tcp_proxy import free_port
from tests.e2e.chat import wait_until_shown
from tests.e2e.conftest import running_bot

USER = 4242


@pytest.mark.slow  # starts the bot
async def test_a_running_bot_reports_health_and_counts_questions(tmp_path):
    listen = f"127.0.0.1:{free_port()}"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}", mail_sink_dir=tmp_path / "sink", http_listen=listen
    )
    async with running_bot(settings) as running, aiohttp.ClientSession() as http:
        async with http.get(f"http://{listen}/healthz") as response:
            assert response.status == 200
            health = await response.json()
        assert health["status"] == "ok" and health["database"]["ok"] is True
        assert {"mail-outbox", "telegram-relay", "telegram-updates", "scheduler"} <= set(health["workers"])
        assert health["workers"]["leader"] == {"alive": True, "leading": True}  # SQLite: the only process
        assert health["backlog"]["mail"] == {"pending": 0, "oldest_pending_seconds": None}

        async with http.get(f"http://{listen}/metrics") as response:
            before = await response.text()
        running.api.user_sends(USER, "Wie hoch ist der Fördersatz der Klimarichtlinie?")
        await wait_until_shown(running.api, USER, "Hilfreich")
        # the answer is shown while the update is still being handled: its time is noted a moment later
        after = await _metrics_once(
            http, listen, lambda text: _value(text, "klimabot_update_handling_seconds_count") >= 1
        )
    assert _value(after, 'klimabot_questions_total{outcome="answered"}') == (
        _value(before, 'klimabot_questions_total{outcome="answered"}') + 1
    )
    assert 'klimabot_backlog{queue="mail"}' in after


async def _metrics_once(http, listen: str, holds, seconds: float = 5) -> str:
    """`/metrics` as soon as `holds(text)`; fails after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with http.get(f"http://{listen}/metrics") as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            text = await response.text()
        if holds(text):
            return text
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the metrics did not show it within {seconds} s")
        await asyncio.sleep(0.05)


def _value(exposition: str, name: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{name} not in the metrics")


async def test_an_unreachable_database_or_a_dead_worker_makes_the_instance_unhealthy(sessions):
    engine = create_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    probe = HealthProbe(session_factory(engine))
    healthy, report = await probe.check()
    assert not healthy and report["status"] == "fail" and report["database"]["ok"] is False
    await engine.dispose()

    dead = asyncio.create_task(asyncio.sleep(0))
    await dead
    healthy, report = await HealthProbe(sessions, tasks={"imap-reader": dead}).check()
    assert report["database"]["ok"] is True and report["backlog"]["updates"]["pending"] == 0
    assert not healthy and report["workers"]["imap-reader"] == {"alive": False}


def test_json_log_lines_are_one_object_each_with_the_exception():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("klimabot.test.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("mail uid %s quarantined", 7)
        try:
            raise ValueError("kaputt")
        except ValueError:
            log.exception("update failed")
    finally:
        log.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().strip().splitlines()]
    assert lines[0]["message"] == "mail uid 7 quarantined" and lines[0]["level"] == "WARNING"
    assert lines[1]["exception"] == "ValueError" and "kaputt" in lines[1]["traceback"]


def test_the_log_format_setting_chooses_the_formatter():
    assert isinstance(log_handler("json").formatter, JsonFormatter)
    assert not isinstance(log_handler("text").formatter, JsonFormatter)
