"""States, errors and result dataclasses of the measure reports, and the JSON form of a working copy."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.report_export import ReportRow
from services.report_fields import (
    MEASURE_FIELD_BY_KEY,
    MEASURE_FIELDS,
    REPORT_FIELDS,
    Field,
    answers_from_json,
    answers_to_json,
    is_answered,
    next_field,
)

# A carried-over measure keeps every answer of last year; this key (inside its answers dict) lists the
# fields to ask again, in field order. The chat removes a key once it is answered.
NEEDS_UPDATE = "_needs_update"
CARRY_OVER_KEYS = ("status", "end", "cost", "funding_amount")


class ReportState(StrEnum):
    """draft → submitted (version 1) → amended (version 2 and later)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    AMENDED = "amended"


class CampaignKind(StrEnum):
    """The reminders of the yearly report campaign."""

    FIRST = "first"
    FOLLOW_UP = "follow_up"


class ReportInvalid(ValueError):
    """The draft cannot be submitted yet; `messages` are German and can be shown to the person."""

    def __init__(self, messages: Sequence[str]) -> None:
        """Keep every problem, not only the first."""
        super().__init__("; ".join(messages))
        self.messages = list(messages)


class ReportNotFound(LookupError):
    """No report with that id."""


class DraftChanged(RuntimeError):
    """The working copy changed since it was read (another chat answered); read it again and redo the change."""


class AttachmentRejected(ValueError):
    """A photo or PDF that cannot be stored; the German message says why."""

    def __init__(self, message: str) -> None:
        """Keep the message for the person who sent the file."""
        super().__init__(message)
        self.message = message


@dataclass
class Draft:
    """The working copy of a report, as the chat edits it: parsed answers (see `report_fields`)."""

    report_id: int
    ags: str
    municipality_name: str
    year: int
    state: str
    version_count: int
    reporter: dict[str, Any]
    measures: list[dict[str, Any]]
    current: dict[str, Any] | None = None
    owner_chat_id: int | None = None
    updated_at: dt.datetime | None = None
    # the stored revision this copy was read at, and whose measure in progress `current` is (None: the owner's)
    revision: int = 0
    chat_id: int | None = None

    @property
    def carried_over(self) -> list[str]:
        """Titles of measures taken over from last year whose new status, end or cost is still missing."""
        return [str(m.get("title") or "") for m in self.measures if m.get(NEEDS_UPDATE)]

    @property
    def next_step(self) -> str:
        """Where the conversation continues: `reporter:<key>`, `update:<index>:<key>`, `measure:<key>`,
        `measure:done` (the current measure is complete), `measure:new` or `review`."""
        spec = next_field(self.reporter, REPORT_FIELDS)
        if spec is not None:
            return f"reporter:{spec.key}"
        for index, measure in enumerate(self.measures):
            pending = measure.get(NEEDS_UPDATE)
            if pending:
                return f"update:{index}:{pending[0]}"
        if self.current is not None:
            spec = next_field(self.current)
            return f"measure:{spec.key}" if spec is not None else "measure:done"
        return "review" if self.measures else "measure:new"


@dataclass(frozen=True)
class SubmitResult:
    """The version a submission produced; `unchanged` when it repeated the latest version (no new one);
    `report` the stored version in document form, for the chat to offer its PDF (`submitted_document`)."""

    version: int
    amended: bool
    unchanged: bool = False
    report: ReportRow | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SubmittedReport:
    """One stored version of a report, with parsed measures."""

    report_id: int
    ags: str
    municipality_name: str
    year: int
    version: int
    submitted_at: dt.datetime
    reporter_name: str
    reporter_email: str
    reporter_role: str
    measures: tuple[dict[str, Any], ...]
    channel: str
    chat_id: int | None = None

    @property
    def amended(self) -> bool:
        """Whether this version replaces an earlier one."""
        return self.version > 1

    def to_row(self) -> ReportRow:
        """The export and document form of this version."""
        return ReportRow(
            ags=self.ags,
            municipality=self.municipality_name,
            year=self.year,
            version=self.version,
            state="geändert" if self.amended else "eingereicht",
            submitted_at=self.submitted_at,
            person=self.reporter_name,
            email=self.reporter_email,
            role=self.reporter_role,
            measures=self.measures,
        )


@dataclass(frozen=True)
class StatusRow:
    """Where one municipality stands for a year: `submitted`, `draft` or `none`."""

    ags: str
    name: str
    state: str
    version: int = 0
    updated: dt.datetime | None = None


@dataclass(frozen=True)
class CampaignContact:
    """A chat that reports for a municipality and may be reminded."""

    chat_id: int
    ags: str
    municipality_name: str


def next_question(draft: Draft, edit: str | None = None) -> tuple[str, Field | None]:
    """The chat's next question: (`reporter` | `measure:<i>` | `current`, field), field None when done."""
    if edit:
        return "current", MEASURE_FIELD_BY_KEY[edit]
    field = next_field(draft.reporter, REPORT_FIELDS)
    if field is not None:
        return "reporter", field
    for index, measure in enumerate(draft.measures):
        pending = measure.get(NEEDS_UPDATE) or []
        if pending:
            return f"measure:{index}", MEASURE_FIELD_BY_KEY[pending[0]]
    if draft.current is not None:
        return "current", next_field(draft.current, MEASURE_FIELDS)
    return "current", None


def answers_for(draft: Draft, target: str) -> dict[str, Any]:
    """The answers a field of `target` is checked against: the person, a carried-over measure or the own."""
    if target == "reporter":
        return draft.reporter
    if target.startswith("measure:"):
        return draft.measures[int(target.split(":", 1)[1])]
    return draft.current or {}


def set_answer(draft: Draft, target: str, key: str, value: Any) -> None:
    """Put one answer where the chat asked for it: the person, a carried-over measure or the chat's own."""
    if target == "reporter":
        draft.reporter[key] = value
    elif target.startswith("measure:"):
        measure = draft.measures[int(target.split(":", 1)[1])]
        measure[key] = value
        pending = [k for k in measure.get(NEEDS_UPDATE) or () if k != key]
        if pending:
            measure[NEEDS_UPDATE] = pending
        else:
            measure.pop(NEEDS_UPDATE, None)
    else:
        draft.current = {**(draft.current or {}), key: value}


def file_current_measure(draft: Draft, *, start_next: bool = False) -> None:
    """Add the chat's measure in progress to the report's measures; `start_next` opens an empty one."""
    if draft.current:
        draft.measures.append(draft.current)
    draft.current = {} if start_next else None


def start_first_measure(draft: Draft) -> None:
    """A report without any measure goes straight to its first one."""
    if draft.current is None and not draft.measures:
        draft.current = {}


def measure_to_json(measure: Mapping[str, Any]) -> dict[str, Any]:
    """A measure's answers as JSON-safe values, with its pending carry-over updates."""
    data = answers_to_json(measure)
    pending = [key for key in measure.get(NEEDS_UPDATE) or () if key in MEASURE_FIELD_BY_KEY]
    if pending:
        data[NEEDS_UPDATE] = pending
    return data


def measure_from_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `measure_to_json`."""
    measure = answers_from_json(data)
    pending = [key for key in data.get(NEEDS_UPDATE) or () if key in MEASURE_FIELD_BY_KEY]
    if pending:
        measure[NEEDS_UPDATE] = pending
    return measure


def dump_measures(measures: Sequence[Mapping[str, Any]]) -> str:
    """A list of measures as a JSON text for the database."""
    return json.dumps([measure_to_json(m) for m in measures], ensure_ascii=False)


def load_measures(text: str) -> list[dict[str, Any]]:
    """The measures stored by `dump_measures`."""
    return [measure_from_json(item) for item in json.loads(text or "[]")]


def dump_reporter(reporter: Mapping[str, Any]) -> str:
    """The reporting person's answers as a JSON text."""
    return json.dumps(answers_to_json(reporter, REPORT_FIELDS), ensure_ascii=False)


def load_reporter(text: str) -> dict[str, Any]:
    """The reporting person's answers stored by `dump_reporter`."""
    return answers_from_json(json.loads(text or "{}"), REPORT_FIELDS)


def reporter_text(reporter: Mapping[str, Any], key: str) -> str:
    """One reporter answer as plain text ('' when missing or skipped)."""
    value = reporter.get(key)
    return str(value).strip() if is_answered(value) else ""


def carry_over(measures: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Last year's measures that were not finished, with every answer kept and the changing ones flagged."""
    carried = []
    for measure in measures:
        if measure.get("status") == "abgeschlossen":
            continue
        copy = {key: value for key, value in measure.items() if key != NEEDS_UPDATE}
        copy[NEEDS_UPDATE] = [key for key in CARRY_OVER_KEYS if MEASURE_FIELD_BY_KEY[key].applies(copy)]
        carried.append(copy)
    return carried
