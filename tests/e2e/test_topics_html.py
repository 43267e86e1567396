"""The topic browser through the real bot: topic names and entry titles with "&" and "<" reach Telegram intact."""

import shutil

import pytest

from bot.settings import Settings
from knowledge.model import ENTRIES_DIR
from knowledge.trained import calibration_file
from tests.e2e.chat import last_message, wait_until_shown
from tests.e2e.conftest import running_bot

USER = 7501
TITLE = "Mitglied werden & bleiben: <Ihre> Schritte"


@pytest.fixture
async def topics_bot(tmp_path):
    knowledge = tmp_path / "knowledge" / "entries"
    shutil.copytree(ENTRIES_DIR, knowledge)
    shutil.copy(calibration_file(ENTRIES_DIR), calibration_file(knowledge))
    entry = next(path for path in sorted(knowledge.glob("*.yaml")) if "topic: buendnis" in path.read_text())
    text = entry.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    entry.write_text(text.replace(title_line, f'title: "{TITLE}"', 1), encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        knowledge_dir=knowledge,
        model_file=tmp_path / "model.npz",
        mail_sink_dir=tmp_path / "sink",
    )
    async with running_bot(settings) as running:
        yield running


async def test_a_topic_and_an_entry_with_ampersand_and_angle_brackets_are_shown(topics_bot):
    api = topics_bot.api
    api.user_sends(USER, "/start")
    await wait_until_shown(api, USER, "📚 Themen durchstöbern")
    api.user_presses_button(USER, "📚 Themen durchstöbern")
    await wait_until_shown(api, USER, "Bündnis & Mitgliedschaft")
    api.user_presses_button(USER, "Bündnis & Mitgliedschaft")
    await wait_until_shown(api, USER, "wählen Sie eine Frage")
    assert last_message(api, USER).text.startswith("Bündnis & Mitgliedschaft")
    label = next(
        label for label in last_message(api, USER).button_labels() if label.startswith("Mitglied werden")
    )
    api.user_presses_button(USER, label)
    await api.wait_for(lambda: last_message(api, USER).text.startswith(TITLE))
