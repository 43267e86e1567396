"""All SQLModel tables. Schema changes go through Alembic migrations in storage/migrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class AskedQuestion(SQLModel, table=True):
    """Every question put to the answering policy, with its outcome (the curators' gap list)."""

    __tablename__ = "asked_question"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True)
    )
    channel: str = Field(max_length=16)
    user_ref: str = Field(max_length=64, index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=16)
    reason: str = Field(max_length=32)
    entry_id: str | None = Field(default=None, max_length=64)
    score: float = 0.0
    answered: bool = Field(default=False, index=True)


class Feedback(SQLModel, table=True):
    """A 👍/👎 on one answer; one vote per answered question, the latest wins."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("question_id", name="uq_feedback_question"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    question_id: int = Field(foreign_key="asked_question.id")
    entry_id: str | None = Field(default=None, max_length=64, index=True)
    user_ref: str = Field(max_length=64)
    vote: int


class FsmRecord(SQLModel, table=True):
    """Conversation state of one chat (aiogram FSM), so restarts and other instances continue it."""

    __tablename__ = "fsm_record"

    key: str = Field(primary_key=True, max_length=255)
    state: str | None = Field(default=None, max_length=255)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
