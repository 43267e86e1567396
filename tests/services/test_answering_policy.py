"""The answering policy: overdue entries warn, consult entries offer an advisor, ids resolve."""

import datetime as dt

from bot.app import build_answering
from bot.settings import Settings
from services.answering import AnsweringService, AnswerKind
from services.presenting import render_html, render_plain

CONTACT = "klimakommunen@lea-hessen.de"


def _service(today: dt.date) -> AnsweringService:
    service = build_answering(Settings())
    return AnsweringService(service.entries, service.trained, today=lambda: today, index=service.index)


def test_an_entry_past_review_by_is_answered_with_a_warning_and_the_advisor_offer():
    service = _service(dt.date(2030, 1, 1))
    answer = service.answer("Wie lange haben wir nach dem Beitritt Zeit für den Aktionsplan?")
    assert answer.kind is AnswerKind.ANSWER and answer.overdue and answer.offer_advisor
    assert "Regeln können sich inzwischen geändert haben" in render_html(answer, contact=CONTACT)


def test_a_current_answer_shows_sources_with_their_date_and_no_warning():
    service = _service(dt.date(2026, 11, 25))
    answer = service.answer("Wie lange haben wir nach dem Beitritt Zeit für den Aktionsplan?")
    text = render_plain(answer, contact=CONTACT)
    assert not answer.overdue
    assert "Quelle:" in text and "Stand:" in text and "https://" in text


def test_related_questions_are_at_most_three_and_never_the_entry_itself():
    service = _service(dt.date(2026, 11, 25))
    for entry in service.entries:
        related = service.related(entry)
        assert len(related) <= 3 and entry not in related
        # the curated follow-ups first, the nearest entries of the example index after them
        curated = [service.by_id[i] for i in entry.related if i in service.by_id and i != entry.id]
        assert list(related[: len(curated)]) == curated[:3]
        assert len(related) == 3


def test_choosing_an_unknown_entry_returns_nothing():
    assert _service(dt.date(2026, 11, 25)).answer_entry("gibt-es-nicht") is None


def test_very_long_input_is_handled():
    answer = _service(dt.date(2026, 11, 25)).answer("Förderung " * 5000)
    assert answer.kind in (AnswerKind.ANSWER, AnswerKind.SUGGEST, AnswerKind.ESCALATE)
