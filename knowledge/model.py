"""The schema of one curated knowledge entry, and loading entries from YAML files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from knowledge.yaml_text import load_yaml

ENTRIES_DIR = Path(__file__).parent / "entries"

TOPICS = {
    "buendnis": "Bündnis & Mitgliedschaft",
    "charta": "Beitritt & Charta",
    "aktionsplan": "Aktionsplan",
    "thg-bilanz": "Treibhausgasbilanz",
    "berichtspflicht": "Berichtspflicht & Maßnahmendatenbank",
    "fachstelle": "Angebote der Fachstelle",
    "klimarichtlinie": "Hessische Klimarichtlinie",
    "landesprogramme": "Weitere Landesprogramme",
    "bundesfoerderung": "Bundesförderung",
    "klimaanpassung": "Klimaanpassung",
    "wettbewerb": "Wettbewerb der Klima-Kommunen",
    "kontakt": "Kontakt",
}


class Source(BaseModel):
    """A public source of an answer and the date or state it describes."""

    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    as_of: str = Field(min_length=2, description="the date or state the source describes, e.g. '2025'")
    facts: list[str] = Field(
        default_factory=list, description="ids of the facts in the fact sheet that `kb check --facts` traces"
    )


class Entry(BaseModel):
    """One curated question/answer entry, as advisors edit it in `knowledge/entries/*.yaml`."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,60}$")
    title: str = Field(min_length=5, max_length=120)
    topic: str
    questions: list[str] = Field(min_length=3)
    keywords: list[str] = Field(default_factory=list)
    examples: list[str] = Field(
        default_factory=list,
        description="how real users ask it (typos, dialect, indirect, jargon, English); the model learns from them",
    )
    answer: str = Field(min_length=20)
    sources: list[Source] = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    consult: bool = Field(
        default=False,
        description="offer a human advisor with the answer (sources disagree, rules change, case by case)",
    )
    reviewed: dt.date
    review_by: dt.date

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in TOPICS:
            raise ValueError(f"unknown topic {value!r}; allowed: {', '.join(TOPICS)}")
        return value

    @field_validator("questions", "keywords", "examples")
    @classmethod
    def _no_blank_items(cls, value: list[str]) -> list[str]:
        cleaned = [item.strip() for item in value]
        if any(not item for item in cleaned):
            raise ValueError("empty item")
        return cleaned

    def is_overdue(self, today: dt.date) -> bool:
        """True when the entry should have been reviewed again by now."""
        return self.review_by < today


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read or did not match the schema."""

    path: Path
    message: str


def load_entry(path: Path) -> Entry:
    """Read and validate one entry file; raises ValueError with a readable message."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError("the file must hold one mapping (id, title, topic, ...)")
    try:
        return Entry.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(entry)'}: {err['msg']}" for err in exc.errors()
        )
        raise ValueError(details) from exc


def load_entries(directory: Path = ENTRIES_DIR) -> tuple[list[Entry], list[LoadProblem]]:
    """Load every `*.yaml` below `directory`, returning the valid entries and the problems."""
    entries: list[Entry] = []
    problems: list[LoadProblem] = []
    for path in sorted(directory.rglob("*.yaml")):
        try:
            entries.append(load_entry(path))
        except (OSError, ValueError) as exc:
            problems.append(LoadProblem(path, str(exc)))
    return entries, problems
