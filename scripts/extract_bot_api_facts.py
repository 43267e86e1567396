"""Extract the facts the local Bot API server needs from a Bot API spec (api.json) into its data file.

Usage: python scripts/extract_bot_api_facts.py [../shared/telegram-bot-api/api.json]

The facts are method and field names, their types, which are required, return types and how subtypes
are told apart — no descriptions. Run it again when Telegram publishes a new Bot API version.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared/telegram-bot-api/api.json"
TARGET = ROOT / "local_bot_api/data/bot_api_facts.json"
# subtype descriptions read 'Type of the button, must be commands' or 'always "emoji"'
_DISCRIMINATOR = re.compile(r'(?:must be|always)\s+"?([a-z_]+)"?')


def _fields(raw: list[dict]) -> list[list]:
    return [[field["name"], list(field["types"]), bool(field["required"])] for field in raw]


def _discriminators(subtypes: list[str], types: dict) -> dict[str, str]:
    found: dict[str, str] = {}
    for sub in subtypes:
        for field in types.get(sub, {}).get("fields", []):
            if field["name"] == "type" and (match := _DISCRIMINATOR.search(field.get("description", ""))):
                found[match.group(1)] = sub
    return found


def extract(spec: dict) -> dict:
    """The facts of a parsed api.json."""
    types = spec["types"]
    return {
        "version": spec.get("version", "unknown"),
        "release_date": spec.get("release_date"),
        "methods": {
            name: {"fields": _fields(method.get("fields", [])), "returns": list(method.get("returns", []))}
            for name, method in spec["methods"].items()
        },
        "types": {
            name: {
                "fields": _fields(kind.get("fields", [])),
                "subtypes": _discriminators(kind["subtypes"], types) if kind.get("subtypes") else {},
            }
            for name, kind in types.items()
        },
    }


def main(argv: list[str]) -> int:
    """Read the spec, write the facts file, print what was written."""
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    facts = extract(json.loads(source.read_text(encoding="utf-8")))
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(facts, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{TARGET}: {facts['version']}, {len(facts['methods'])} methods, {len(facts['types'])} types")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
