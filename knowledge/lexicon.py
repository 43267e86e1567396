"""The retriever's global vocabulary: abbreviations, synonym groups and compound parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.text import fold
from knowledge.yaml_text import load_yaml

SYNONYMS_FILE = Path(__file__).parent / "synonyms.yaml"


@dataclass(frozen=True)
class Lexicon:
    """Word knowledge that is not in the entries themselves."""

    abbreviations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    case_sensitive: dict[str, tuple[str, ...]] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    compound_parts: frozenset[str] = frozenset()
    # verb -> (particle, inflected forms of the verb stem without the particle)
    separable_verbs: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)


def _folded_words(values: list, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{where}: expected a list of words")
    return tuple(fold(v.strip()) for v in values)


def load_lexicon(path: Path = SYNONYMS_FILE) -> Lexicon:
    """Read `synonyms.yaml`; raises ValueError naming the faulty section."""
    raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path.name}: expected a mapping at the top level")
    abbreviations = {
        fold(str(key)): _folded_words(value, f"abbreviations.{key}")
        for key, value in (raw.get("abbreviations") or {}).items()
    }
    case_sensitive = {
        str(key): _folded_words(value, f"case_sensitive.{key}")
        for key, value in (raw.get("case_sensitive") or {}).items()
    }
    canonical: dict[str, str] = {}
    for index, group in enumerate(raw.get("synonyms") or []):
        members = _folded_words(group, f"synonyms[{index}]")
        for member in members:
            canonical.setdefault(member, members[0])
    parts = frozenset(_folded_words(raw.get("compound_parts") or [], "compound_parts"))
    separable: dict[str, tuple[str, frozenset[str]]] = {}
    for verb, spec in (raw.get("separable_verbs") or {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("particle"), str):
            raise ValueError(f"separable_verbs.{verb}: expected particle and forms")
        forms = _folded_words(spec.get("forms") or [], f"separable_verbs.{verb}.forms")
        separable[fold(verb)] = (fold(spec["particle"]), frozenset(forms))
    return Lexicon(abbreviations, case_sensitive, canonical, parts, separable)
