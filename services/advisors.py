"""The advisors file: who the Fachstelle's advisors are and where escalations go."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.email_address import is_valid_address


class AdvisorsFileError(ValueError):
    """The advisors file cannot be used; the message names the file and line."""


class UnknownAdvisor(LookupError):
    """No single advisor fits the given name or address; the German message lists the advisors."""


@dataclass(frozen=True)
class Advisor:
    """One advisor; booking-related keys (topics, hours, …) are kept as given for later use."""

    name: str
    email: str
    topics: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    line: int = 0


@dataclass(frozen=True)
class AdvisorDirectory:
    """All advisors and the optional team address that receives escalations instead."""

    advisors: tuple[Advisor, ...]
    team_address: str | None = None

    def by_email(self, address: str) -> Advisor | None:
        """The advisor with this address (case-insensitive), if any."""
        wanted = address.strip().lower()
        return next((a for a in self.advisors if a.email == wanted), None)

    def find(self, name_or_address: str) -> Advisor:
        """The one advisor with this address or name (case-insensitive; a unique part of the name will do)."""
        wanted = " ".join(name_or_address.split()).casefold()
        exact = [a for a in self.advisors if wanted in (a.email, " ".join(a.name.split()).casefold())]
        partial = [a for a in self.advisors if wanted and wanted in a.name.casefold()]
        matches = exact or partial
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(f"{a.name} <{a.email}>" for a in self.advisors) or "keine"
        problem = (
            "passt auf mehrere Beraterinnen und Berater" if matches else "steht nicht in der Beraterliste"
        )
        raise UnknownAdvisor(f"„{name_or_address}“ {problem}. Bekannt sind: {known}.")

    def is_advisor(self, address: str) -> bool:
        """True for an advisor's address or the team address."""
        wanted = address.strip().lower()
        return self.by_email(wanted) is not None or (
            self.team_address is not None and wanted == self.team_address
        )

    def escalation_recipients(self) -> list[tuple[str, str]]:
        """Who gets a new ticket: the team address, or every advisor."""
        if self.team_address:
            return [("Fachstelle Klima-Kommunen", self.team_address)]
        return [(a.name, a.email) for a in self.advisors]


def _error(path: Path, node: yaml.Node | None, message: str) -> AdvisorsFileError:
    line = f", Zeile {node.start_mark.line + 1}" if node is not None else ""
    return AdvisorsFileError(f"{path}{line}: {message}")


def _mapping_value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def parse_advisors(text: str, path: Path = Path("advisors.yaml")) -> AdvisorDirectory:
    """Validate the YAML text of an advisors file; errors name the line."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", Zeile {mark.line + 1}" if mark else ""
        raise AdvisorsFileError(
            f"{path}{where}: kein gültiges YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise _error(path, root, "erwartet wird eine Zuordnung mit dem Schlüssel 'advisors:'")
    advisors_node = _mapping_value(root, "advisors")
    items = data.get("advisors")
    if not isinstance(items, list) or not isinstance(advisors_node, yaml.SequenceNode) or not items:
        raise _error(path, advisors_node or root, "'advisors:' muss eine nicht leere Liste sein")
    advisors: list[Advisor] = []
    seen: set[str] = set()
    for item, node in zip(items, advisors_node.value, strict=True):
        if not isinstance(item, dict):
            raise _error(path, node, "jede Beraterin / jeder Berater braucht 'name' und 'email'")
        name, email = item.get("name"), item.get("email")
        if not isinstance(name, str) or not name.strip():
            raise _error(path, _mapping_value(node, "name") or node, "'name' fehlt oder ist leer")
        if not isinstance(email, str) or not is_valid_address(email.strip()):
            raise _error(
                path, _mapping_value(node, "email") or node, f"'email' ist keine gültige Adresse: {email!r}"
            )
        email = email.strip().lower()
        if email in seen:
            raise _error(
                path, _mapping_value(node, "email"), f"die Adresse {email} steht doppelt in der Liste"
            )
        seen.add(email)
        topics = item.get("topics") or []
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            raise _error(
                path, _mapping_value(node, "topics") or node, "'topics' muss eine Liste von Wörtern sein"
            )
        extra = {k: v for k, v in item.items() if k not in {"name", "email", "topics"}}
        advisors.append(
            Advisor(
                name.strip(), email, tuple(t.strip().lower() for t in topics), extra, node.start_mark.line + 1
            )
        )
    team = data.get("team_address")
    if team is not None and (not isinstance(team, str) or not is_valid_address(team.strip())):
        raise _error(
            path, _mapping_value(root, "team_address"), f"'team_address' ist keine gültige Adresse: {team!r}"
        )
    return AdvisorDirectory(tuple(advisors), team.strip().lower() if team else None)


def load_advisors(path: Path, *, team_address: str | None = None) -> AdvisorDirectory:
    """Read the advisors file; a configured team address overrides the file's."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AdvisorsFileError(f"{path}: Datei nicht lesbar ({exc.strerror})") from None
    directory = parse_advisors(text, path)
    if team_address:
        return AdvisorDirectory(directory.advisors, team_address.lower())
    return directory
