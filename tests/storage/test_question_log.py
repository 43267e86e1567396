"""Questions, feedback and the curators' gap list on SQLite and PostgreSQL."""

import pytest
from sqlmodel import select

from knowledge.model import Entry
from services.answering import Answer, AnswerKind
from services.question_log import (
    NotYourQuestion,
    UnknownQuestion,
    list_gaps,
    record_feedback,
    record_question,
)
from storage.tables import Feedback

ENTRY = Entry.model_validate(
    {
        "id": "demo-entry",
        "title": "Demo-Eintrag",
        "topic": "buendnis",
        "questions": ["a?", "b?", "c?"],
        "answer": "Eine Antwort mit genug Text.",
        "sources": [{"url": "https://example.org", "as_of": "2025"}],
        "reviewed": "2026-01-01",
        "review_by": "2027-01-01",
    }
)


async def _ask(session, text, kind=AnswerKind.ESCALATE, reason="no_match"):
    await record_question(session, channel="telegram", user_ref="tg:1", answer=Answer(text, kind, reason))


async def test_similar_unanswered_questions_are_grouped_newest_first(sessions):
    async with sessions() as session:
        await _ask(session, "Wie hoch ist die Hundesteuer?")
        await _ask(session, "Parkausweis?", AnswerKind.SUGGEST, "unsure")
        await _ask(session, "wie hoch ist eigentlich die hundesteuer")
        gaps = await list_gaps(session)
    assert [(g.kind, g.question, g.count) for g in gaps] == [
        ("unanswered", "wie hoch ist eigentlich die hundesteuer", 2),
        ("unanswered", "Parkausweis?", 1),
    ]
    assert gaps[0].variants == ("Wie hoch ist die Hundesteuer?",)
    assert gaps[0].first_seen <= gaps[0].last_seen


async def test_small_talk_wishes_for_a_human_and_concrete_cases_are_no_gaps(sessions):
    async with sessions() as session:
        await _ask(session, "hallo", AnswerKind.HELP, "smalltalk")
        await _ask(session, "Ich möchte einen Menschen sprechen", AnswerKind.ESCALATE, "human")
        await _ask(session, "Ist unser Antrag bewilligt?", AnswerKind.ESCALATE, "case_specific")
        await _ask(session, "Wer wird Meister?", AnswerKind.ESCALATE, "offtopic")
        assert await list_gaps(session) == []


async def test_feedback_is_stored_once_per_answer_and_the_latest_vote_wins(sessions):
    async with sessions() as session:
        answer = Answer("Frage", AnswerKind.ANSWER, "confident", entry=ENTRY, score=0.9)
        question_id = await record_question(session, channel="telegram", user_ref="tg:7", answer=answer)
        await record_feedback(session, question_id=question_id, user_ref="tg:7", vote=1)
        await record_feedback(session, question_id=question_id, user_ref="tg:7", vote=-1)
        votes = (await session.exec(select(Feedback))).all()
        gaps = await list_gaps(session)
    assert [(v.vote, v.entry_id) for v in votes] == [(-1, "demo-entry")]
    assert [(g.kind, g.entry_id, g.question) for g in gaps] == [("downvoted", "demo-entry", "Frage")]


async def test_feedback_on_an_unknown_question_is_refused(sessions):
    async with sessions() as session:
        with pytest.raises(UnknownQuestion):
            await record_feedback(session, question_id=999, user_ref="tg:7", vote=1)


async def test_only_the_asker_can_vote_on_an_answer(sessions):
    async with sessions() as session:
        answer = Answer("Frage", AnswerKind.ANSWER, "confident", entry=ENTRY, score=0.9)
        question_id = await record_question(session, channel="telegram", user_ref="tg:7", answer=answer)
        with pytest.raises(NotYourQuestion):
            await record_feedback(session, question_id=question_id, user_ref="tg:8", vote=-1)
        assert (await session.exec(select(Feedback))).all() == []
